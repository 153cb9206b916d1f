/*
 * launcher.c - the slot's launcher: a small process, forked when the slot
 * is opened and moved into the slot's cgroup once, that starts box init
 * for every run of the slot.
 *
 * Why a separate process: boxes it forks are born inside the cgroup, so
 * no run pays for moving a process between cgroups (on cgroup v1 that
 * waits for an RCU grace period, ~10 ms here); and a box is never forked
 * from the caller, whose page tables may be large (a server holding
 * hundreds of MiB would pay tens of ms per fork).
 *
 * Protocol over a SOCK_SEQPACKET pair: the supervisor writes the run into
 * the shared struct sb_launch and sends 'R' with the run's fds attached;
 * the launcher answers 'P' with a pidfd of box init attached, or 'E' with
 * an errno. The launcher reaps its children; the supervisor watches the
 * pidfd. EOF on the socket ends the launcher.
 *
 * The launcher is a fork of a possibly multi-threaded caller: it only
 * makes system calls (no malloc, no stdio).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sandbox/internal.h"

#define MAX_FDS (SB_FD_FIXED + SB_MAX_MOUNTS)

static int send_msg(int sock, char kind, int value, const int *fds, int nfds)
{
    char buf[1 + sizeof(int)];
    buf[0] = kind;
    memcpy(buf + 1, &value, sizeof value);
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
    union {
        char raw[CMSG_SPACE(sizeof(int) * MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (nfds > 0) {
        memset(&ctl, 0, sizeof ctl);
        mh.msg_control = ctl.raw;
        mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    }
    ssize_t n;
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof buf ? 0 : -EPIPE;
}

/* Returns the number of fds received (into fds), or -errno; -EPIPE on EOF. */
static int recv_msg(int sock, char *kind, int *value, int *fds, int maxfds)
{
    char buf[1 + sizeof(int)];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
    union {
        char raw[CMSG_SPACE(sizeof(int) * MAX_FDS)];
        struct cmsghdr align;
    } ctl;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.raw,
                        .msg_controllen = sizeof ctl.raw};
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n == 0)
        return -EPIPE;
    if (n != (ssize_t)sizeof buf)
        return n < 0 ? -errno : -EPROTO;
    *kind = buf[0];
    memcpy(value, buf + 1, sizeof *value);
    int got = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < k; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                if (got < maxfds)
                    fds[got++] = fd;
                else
                    close(fd);
            }
        }
    return got;
}

static void reap(int sig)
{
    int saved = errno;
    (void)sig;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    errno = saved;
}

/* Move ourselves into the slot's cgroup ("0" = the writer). On cgroup v1
 * this waits for an RCU grace period (ms); doing it here, in the new
 * process, lets the caller finish setting up the slot meanwhile. */
static int attach_self(const struct sb_cgroup *cg)
{
    int n = cg->version == 2 ? 1 : SB_CG_N;
    for (int i = 0; i < n; i++) {
        int fd = openat(cg->dir[i], "cgroup.procs", O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return -errno;
        ssize_t w = write(fd, "0", 1);
        int e = errno;
        close(fd);
        if (w != 1)
            return -e;
    }
    return 0;
}

static _Noreturn void launcher_main(int sock, struct sb_launch *l, const struct sb_cgroup *cg,
                                    bool born_inside)
{
    int keep[1 + SB_CG_N] = {sock, cg->dir[0], cg->dir[1], cg->dir[2]};
    sb_close_fds_except(keep, 1 + SB_CG_N);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int r = born_inside ? 0 : attach_self(cg);
    for (int i = 0; i < SB_CG_N; i++)
        if (cg->dir[i] >= 0 && (i == 0 || cg->dir[i] != cg->dir[0]))
            close(cg->dir[i]);
    if (send_msg(sock, 'A', -r, NULL, 0) < 0 || r < 0)
        _exit(1);
    /* The box's memory use must never make the OOM killer pick us. */
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        (void)!write(fd, "-1000", 5);
        close(fd);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &sa, NULL);
    sa.sa_handler = reap;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    for (;;) {
        int fds[MAX_FDS], value;
        char kind;
        int n = recv_msg(sock, &kind, &value, fds, MAX_FDS);
        if (n < 0 || kind != 'R')
            _exit(0);
        if (n != l->nfds || n < SB_FD_FIXED) {
            for (int i = 0; i < n; i++)
                close(fds[i]);
            send_msg(sock, 'E', EPROTO, NULL, 0);
            continue;
        }
        for (int i = 0; i < SB_FD_FIXED; i++)
            l->fd[i] = fds[i];
        /* the supervisor sends a placeholder when /box is a plain tmpfs */
        if (l->run.box_fd >= 0)
            l->run.box_fd = l->fd[SB_FD_BOX];
        else {
            close(l->fd[SB_FD_BOX]);
            l->fd[SB_FD_BOX] = fds[SB_FD_BOX] = -1;
        }
        for (int i = 0; i < l->run.n; i++)
            l->run.fds[i] = fds[SB_FD_FIXED + i];

        int pidfd = -1;
        struct clone_args ca;
        memset(&ca, 0, sizeof ca);
        ca.flags = CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_PIDFD;
        ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
        ca.exit_signal = SIGCHLD;
        pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
        if (pid == 0)
            sb_box_init(l);
        int e = errno;
        for (int i = 0; i < n; i++)
            if (fds[i] >= 0)
                close(fds[i]);
        if (pid < 0)
            send_msg(sock, 'E', e, NULL, 0);
        else {
            send_msg(sock, 'P', pid, &pidfd, 1);
            close(pidfd);
        }
    }
}

int sb_launcher_start(struct sb_slot *s, char *err, size_t errlen)
{
    int sv[2];
    s->launcher_pid = -1;
    s->launcher_sock = -1;
    if (!s->launch) {
        void *m = mmap(NULL, SB_LAUNCH_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            sb_errmsg(err, errlen, "mapping the launch area", errno);
            return -errno;
        }
        s->launch = m;
    }
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        sb_errmsg(err, errlen, "socketpair", errno);
        return -errno;
    }
    /* cgroup v2: create the launcher directly inside the slot's cgroup
     * (CLONE_INTO_CGROUP), which skips the migration and its RCU wait.
     * Elsewhere, or if the kernel refuses, fork and move it. */
    pid_t pid = -1;
    bool born_inside = false;
    if (s->cg.version == 2) {
        struct clone_args ca;
        memset(&ca, 0, sizeof ca);
        ca.flags = CLONE_INTO_CGROUP;
        ca.exit_signal = SIGCHLD;
        ca.cgroup = (uint64_t)s->cg.dir[0];
        pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
        born_inside = pid >= 0;
    }
    if (pid < 0)
        pid = fork();
    if (pid < 0) {
        int e = errno;
        close(sv[0]), close(sv[1]);
        sb_errmsg(err, errlen, "starting the slot launcher", e);
        return -e;
    }
    if (pid == 0)
        launcher_main(sv[1], s->launch, &s->cg, born_inside);
    close(sv[1]);
    s->launcher_pid = pid;
    s->launcher_sock = sv[0];
    s->launcher_ready = false; /* its 'A' (attached) comes before the first launch */
    return 0;
}

void sb_launcher_stop(struct sb_slot *s)
{
    if (s->launcher_sock >= 0)
        close(s->launcher_sock); /* EOF: the launcher exits */
    s->launcher_sock = -1;
    if (s->launcher_pid > 0) {
        int st;
        while (waitpid(s->launcher_pid, &st, 0) < 0 && errno == EINTR)
            ;
    }
    s->launcher_pid = -1;
}

int sb_launcher_wait_ready(struct sb_slot *s, char *err, size_t errlen)
{
    if (s->launcher_ready || s->launcher_sock < 0)
        return 0;
    int fd = -1, value = 0;
    char kind = 0;
    int n = recv_msg(s->launcher_sock, &kind, &value, &fd, 1);
    if (n != 0 || kind != 'A' || value != 0) {
        if (n > 0)
            close(fd);
        int e = n < 0 ? -n : value ? value : EPROTO;
        sb_errmsg(err, errlen, "moving the slot launcher into its cgroup", e);
        return -e;
    }
    s->launcher_ready = true;
    return 0;
}

int sb_launcher_launch(struct sb_slot *s, const int *fds, int nfds, char *err, size_t errlen)
{
    int pidfd = -1, value = 0;
    char kind = 0;
    int r = sb_launcher_wait_ready(s, err, errlen);
    if (r < 0)
        return r;
    r = s->launcher_sock < 0 ? -EPIPE : send_msg(s->launcher_sock, 'R', 0, fds, nfds);
    if (r == 0) {
        r = recv_msg(s->launcher_sock, &kind, &value, &pidfd, 1);
        if (r >= 0 && kind == 'E')
            r = -value;
        else if (r == 1 && kind == 'P')
            r = pidfd;
        else if (r >= 0) {
            if (r == 1)
                close(pidfd);
            r = -EPROTO;
        }
    }
    if (r < 0)
        sb_errmsg(err, errlen, r == -EPIPE ? "the slot launcher is gone" : "starting the box", -r);
    return r;
}
