/*
 * tty_relay.c - copy between the caller's terminal and a box's pipes
 * (see tty_relay.h). One thread polls every pipe and the stop pipe, so a
 * box that writes a lot is slowed to the terminal's pace, never lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "server/cli/tty_relay.h"

static int write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? -errno : -EPIPE;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

static void close_pair(struct tty_relay *t, int i)
{
    if (t->pipe_ours[i] >= 0)
        close(t->pipe_ours[i]);
    t->pipe_ours[i] = -1;
}

/* Copy one chunk from->to; returns 0, or -1 when this stream is done. */
static int copy_once(int from, int to)
{
    char buf[16384];
    ssize_t n = read(from, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n <= 0 || write_all(to, buf, (size_t)n) < 0)
        return -1;
    return 0;
}

static void *relay_main(void *arg)
{
    struct tty_relay *t = arg;
    bool stopping = false;
    sem_post(&t->started);
    /* a write to the input pipe after the box is gone: EPIPE, not death */
    sigset_t pipe_sig;
    sigemptyset(&pipe_sig);
    sigaddset(&pipe_sig, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_sig, NULL);
    for (;;) {
        struct pollfd p[4];
        int idx[4], n = 0;
        for (int i = 0; i < 3; i++)
            if (t->pipe_ours[i] >= 0) {
                /* input: wait for the terminal; output: for the pipe */
                p[n] = (struct pollfd){.fd = i == 0 ? t->tty[0] : t->pipe_ours[i], .events = POLLIN};
                idx[n++] = i;
            }
        if (n == 0)
            break;
        if (!stopping)
            p[n++] = (struct pollfd){.fd = t->stop[0], .events = POLLIN};
        /* once stopping, take only what is already there */
        int k = poll(p, (nfds_t)n, stopping ? 0 : -1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        if (!stopping && p[n - 1].revents) {
            stopping = true;
            close_pair(t, 0); /* the box is gone: its input ends */
            continue;
        }
        for (int j = 0; j < n - (stopping ? 0 : 1); j++) {
            int i = idx[j];
            if (!p[j].revents)
                continue;
            int r = i == 0 ? copy_once(t->tty[0], t->pipe_ours[0])
                           : copy_once(t->pipe_ours[i], t->tty[i]);
            if (r < 0)
                close_pair(t, i); /* EOF (^D on input, box's end closed) */
        }
    }
    return NULL;
}

int tty_relay_start(struct tty_relay *t, int std[3], char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->stop[0] = t->stop[1] = -1;
    bool any = false;
    for (int i = 0; i < 3; i++) {
        t->tty[i] = t->pipe_ours[i] = t->pipe_box[i] = -1;
        if (std[i] < 0 || !isatty(std[i]))
            continue;
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
            snprintf(err, errlen, "pipe: %s", strerror(errno));
            tty_relay_finish(t);
            return -errno;
        }
        t->tty[i] = std[i];
        t->pipe_ours[i] = i == 0 ? p[1] : p[0];
        t->pipe_box[i] = i == 0 ? p[0] : p[1];
        std[i] = t->pipe_box[i];
        any = true;
    }
    if (!any)
        return 0;
    /* never block draining an output pipe (input may block: the box's
     * end is closed when the run ends, which ends such a write) */
    for (int i = 1; i < 3; i++)
        if (t->pipe_ours[i] >= 0)
            fcntl(t->pipe_ours[i], F_SETFL, O_NONBLOCK);
    sem_init(&t->started, 0, 0);
    int e = pipe2(t->stop, O_CLOEXEC) < 0 ? errno : pthread_create(&t->thread, NULL, relay_main, t);
    if (e) {
        snprintf(err, errlen, "starting the terminal relay: %s", strerror(e));
        sem_destroy(&t->started);
        tty_relay_finish(t);
        return -e;
    }
    /* `run --keep` forks its slot daemon next, which then allocates: the
     * fork must not come while the new thread's start-up (the allocator's
     * per-thread set-up, under ASan) holds an allocator lock, or the
     * daemon waits on that lock forever */
    while (sem_wait(&t->started) < 0 && errno == EINTR)
        ;
    sem_destroy(&t->started);
    t->running = true;
    return 0;
}

void tty_relay_finish(struct tty_relay *t)
{
    /* the box's ends first: with the run over, no one else writes them */
    for (int i = 0; i < 3; i++) {
        if (t->pipe_box[i] >= 0)
            close(t->pipe_box[i]);
        t->pipe_box[i] = -1;
    }
    if (t->running) {
        (void)!write(t->stop[1], "x", 1);
        pthread_join(t->thread, NULL);
        t->running = false;
    }
    for (int i = 0; i < 3; i++)
        close_pair(t, i);
    for (int i = 0; i < 2; i++)
        if (t->stop[i] >= 0)
            close(t->stop[i]);
    t->stop[0] = t->stop[1] = -1;
}
