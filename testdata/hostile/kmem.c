/*
 * kmem pipe|unix PROCS CAP_MIB: hold memory in the kernel rather than in
 * the process: pipe buffers grown to 1 MiB each, or data queued in unix
 * socket pairs, spread over PROCS processes so that per-process fd
 * limits do not stop it. Prints how much each process managed to park;
 * ESCAPED when CAP_MIB in total were parked (the memory limit must count
 * kernel memory the box allocates). The test checks the verdict and the
 * peak memory the sandbox reports.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static long park_pipes(long cap_kib)
{
    static char buf[65536];
    long kib = 0;
    while (kib < cap_kib) {
        int p[2];
        if (pipe2(p, O_NONBLOCK) < 0)
            break;
        fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
        ssize_t n;
        while (kib < cap_kib && (n = write(p[1], buf, sizeof buf)) > 0)
            kib += n / 1024;
        if (n == 0 || (n < 0 && errno != EAGAIN))
            break;
    }
    return kib;
}

static long park_unix(long cap_kib)
{
    static char buf[65536];
    long kib = 0;
    while (kib < cap_kib) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
            break;
        int big = 8 << 20;
        setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
        setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
        fcntl(sv[0], F_SETFL, O_NONBLOCK);
        ssize_t n;
        while (kib < cap_kib && (n = write(sv[0], buf, sizeof buf)) > 0)
            kib += n / 1024;
        if (n < 0 && errno != EAGAIN)
            break;
    }
    return kib;
}

int main(int argc, char **argv)
{
    setlinebuf(stdout);
    if (argc < 4) {
        printf("ERROR: usage\n");
        return 2;
    }
    int unix_mode = strcmp(argv[1], "unix") == 0;
    int procs = atoi(argv[2]);
    long cap_kib = atol(argv[3]) * 1024;
    long per = cap_kib / procs;
    int fds[2];
    if (pipe(fds) < 0)
        return 2;
    for (int i = 0; i < procs; i++) {
        pid_t c = fork();
        if (c < 0)
            break;
        if (c == 0) {
            close(fds[0]);
            long kib = unix_mode ? park_unix(per) : park_pipes(per);
            if (write(fds[1], &kib, sizeof kib) < 0)
                _exit(1);
            pause(); /* keep it parked */
            _exit(0);
        }
    }
    close(fds[1]);
    long total = 0, kib;
    while (read(fds[0], &kib, sizeof kib) == sizeof kib)
        total += kib;
    if (total >= cap_kib)
        printf("ESCAPED: parked %ld MiB in %s buffers\n", total >> 10, argv[1]);
    else
        printf("BLOCKED: parked only %ld MiB in %s buffers\n", total >> 10, argv[1]);
    kill(0, SIGKILL);
    return 0;
}
