/*
 * launcher.c - the slot's launcher: a small process, forked when the slot
 * is opened and moved into the slot's cgroup once. It starts the slot's
 * keeper (box init, keeper.c) and then, for every run, puts the run's /box
 * and extra mounts into the keeper's root and hands the run to it; after
 * the run it gives /tmp a fresh tmpfs if anything was left there.
 *
 * Why a separate process: the keeper and so every program are born inside
 * the cgroup, so no run pays for moving a process between cgroups (on
 * cgroup v1 that waits for an RCU grace period, ~10 ms here); nothing is
 * forked from the caller, whose page tables may be large (a server holding
 * hundreds of MiB would pay tens of ms per fork); and it stays host root
 * while the keeper cannot, so it does the keeper's mounts (from inside the
 * keeper's mount namespace, which it joins).
 *
 * Protocol over SOCK_SEQPACKET pairs (msg.c):
 *   supervisor -> launcher  'R' + the run's fds (struct sb_launch says what),
 *                           when the keeper is new, /box or the extra mounts
 *                           change, or /tmp's size does; otherwise the
 *                           supervisor sends 'R' + stdio and the status pipe
 *                           to the keeper itself (its SB_FD_RUNSOCK)
 *   launcher -> supervisor  'P' + pidfd of a new keeper (value: host pid),
 *                           'K' the same keeper has it, or 'E' + errno
 *   launcher -> keeper      'G' its user namespace is mapped; 'R' + stdio
 *                           and the status pipe
 *   keeper -> launcher      'U' + the keeper's pidfd (value: host pid), from
 *                           the process that made it: map its user
 *                           namespace; 'A' ready; 'D' run
 *                           over and the box emptied (with the status pipe
 *                           of a direct run that left files in /tmp)
 * Errors and the program's status travel on the run's status pipe; the
 * launcher holds its end until the run is cleaned up, so EOF on it tells
 * the supervisor that the slot is ready for the next run. EOF on the
 * supervisor's socket ends the launcher (and so the keeper).
 *
 * The launcher is a fork of a possibly multi-threaded caller: it only
 * makes system calls (no malloc, no stdio).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sandbox/internal.h"
#include "sandbox/util.h"

#define MAX_FDS SB_MSG_MAX_FDS

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

/* The launcher's view of its keeper; launcher-process memory. */
static struct {
    pid_t pid;
    int pidfd, sock;         /* -1 when there is no keeper */
    int home_mnt;            /* the launcher's own mount namespace */
    int status;              /* the current run's status pipe, held until 'D' */
    struct sb_mounted cur;   /* what is mounted in the keeper's root */
} kp = {.pid = -1, .pidfd = -1, .sock = -1, .home_mnt = -1, .status = -1};

static void run_over(void)
{
    if (kp.status >= 0)
        close(kp.status);
    kp.status = -1;
}

/* The keeper is gone (or must go): kill it, leave its mount namespace so
 * the namespace and its mounts are freed with it. */
static void keeper_drop(void)
{
    if (kp.pidfd >= 0) {
        syscall(SYS_pidfd_send_signal, kp.pidfd, SIGKILL, NULL, 0);
        close(kp.pidfd);
    }
    if (kp.sock >= 0)
        close(kp.sock);
    kp.pid = -1;
    kp.pidfd = kp.sock = -1;
    memset(&kp.cur, 0, sizeof kp.cur);
    if (kp.home_mnt >= 0)
        setns(kp.home_mnt, CLONE_NEWNS);
    run_over();
}

static int expect(int sock, char want)
{
    char kind = 0;
    int value = 0;
    int n = sb_msg_recv(sock, &kind, &value, NULL, 0);
    return n == 0 && kind == want ? 0 : -ECHILD;
}

/* Start a keeper for the run in l. Its set-up errors go to the run's
 * status pipe (it holds a copy until it is ready). */
static int keeper_start(struct sb_launch *l, char *err, size_t errlen)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        sb_errmsg(err, errlen, "socketpair", errno);
        return -errno;
    }
    /* A plain fork sets the keeper up (keeper.c): the keeper itself is born
     * of it as our child, in namespaces owned by its user namespace. */
    pid_t setup = fork();
    if (setup == 0) {
        close(sv[0]);
        sb_keeper_main(l, sv[1]);
    }
    int e = errno;
    close(sv[1]);
    if (setup < 0) {
        close(sv[0]);
        sb_errmsg(err, errlen, "starting the box keeper", e);
        return -e;
    }
    kp.sock = sv[0];
    char kind = 0;
    int pid = -1, pidfd = -1;
    int r = sb_msg_recv(kp.sock, &kind, &pid, &pidfd, 1) == 1 && kind == 'U' && pid > 0 ? 0 : -ECHILD;
    if (r < 0 && pidfd >= 0)
        close(pidfd), pidfd = -1;
    kp.pid = pid;
    kp.pidfd = pidfd;
    if (r == 0 && (r = sb_user_map(pid, l->keeper_uid, l->box_uid, err, errlen)) == 0 &&
        (r = sb_msg_send(kp.sock, 'G', 0, NULL, 0)) == 0)
        r = expect(kp.sock, 'A');
    /* From now on the launcher works inside the keeper's root. */
    if (r == 0 && setns(pidfd, CLONE_NEWNS) < 0) {
        r = -errno;
        sb_errmsg(err, errlen, "joining the box mount namespace", errno);
    }
    if (r < 0) {
        if (r == -ECHILD)
            err[0] = 0; /* the keeper reported why on the status pipe */
        keeper_drop();
        return r;
    }
    /* the keeper mounted /tmp with this run's options */
    size_t i = 0;
    for (; i + 1 < sizeof kp.cur.tmp_opts && l->run.tmp_opts[i]; i++)
        kp.cur.tmp_opts[i] = l->run.tmp_opts[i];
    kp.cur.tmp_opts[i] = 0;
    return 0;
}

/* One run: returns the reply kind ('P', 'K') or -errno. */
static int handle_run(struct sb_launch *l, char *err, size_t errlen)
{
    int r;
    bool fresh = false;
    err[0] = 0;
    if (!l->new_box && kp.sock < 0)
        return -ESRCH; /* the keeper died after the supervisor looked: it decides */
    if (l->new_box) {
        keeper_drop();
        if ((r = keeper_start(l, err, errlen)) < 0)
            return r;
        fresh = true;
    }
    if ((r = sb_rootfs_mount_run(&kp.cur, &l->run, err, errlen)) < 0)
        return r;
    int fds[4] = {l->fd[SB_FD_STDIN], l->fd[SB_FD_STDOUT], l->fd[SB_FD_STDERR], l->fd[SB_FD_STATUS]};
    if (sb_msg_send(kp.sock, 'R', 0, fds, 4) < 0) {
        keeper_drop();
        return -ESRCH;
    }
    return fresh ? 'P' : 'K';
}

static _Noreturn void launcher_main(int sock, struct sb_launch *l, const struct sb_cgroup *cg,
                                    bool born_inside)
{
    int keep[1 + SB_CG_N] = {sock, cg->dir[0], cg->dir[1], cg->dir[2]};
    sb_close_fds_except(keep, 1 + SB_CG_N);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_NAME, "nsjudge-launch");
    int r = born_inside ? 0 : attach_self(cg);
    for (int i = 0; i < SB_CG_N; i++)
        if (cg->dir[i] >= 0 && (i == 0 || cg->dir[i] != cg->dir[0]))
            close(cg->dir[i]);
    if (sb_msg_send(sock, 'A', -r, NULL, 0) < 0 || r < 0)
        _exit(1);
    /* The box's memory use must never make the OOM killer pick us. */
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        (void)!write(fd, "-1000", 5);
        close(fd);
    }
    kp.home_mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
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
        struct pollfd p[2] = {{.fd = sock, .events = POLLIN}, {.fd = kp.sock, .events = POLLIN}};
        if (poll(p, 2, -1) < 0)
            continue; /* EINTR: a child was reaped */
        if (p[1].revents) {
            char kind = 0;
            int value, st = -1;
            int nf = sb_msg_recv(kp.sock, &kind, &value, &st, 1);
            if (nf < 0)
                keeper_drop(); /* killed at a limit, or crashed */
            else if (kind == 'D') {
                /* a run the supervisor gave the keeper directly comes with
                 * its status pipe: hold it until /tmp is clean */
                if (nf == 1) {
                    run_over();
                    kp.status = st;
                }
                char err[SB_MSG_MAX];
                if (sb_rootfs_clean_run(&kp.cur, err, sizeof err) < 0) {
                    sb_report_send(kp.status, 'E', 0, err);
                    keeper_drop();
                }
                run_over();
            }
            continue;
        }
        if (!p[0].revents)
            continue;
        int fds[MAX_FDS], value;
        char kind;
        int n = sb_msg_recv(sock, &kind, &value, fds, MAX_FDS);
        if (n < 0 || kind != 'R') {
            keeper_drop();
            _exit(0);
        }
        if (n != l->nfds || n < SB_FD_FIXED) {
            for (int i = 0; i < n; i++)
                close(fds[i]);
            sb_msg_send(sock, 'E', EPROTO, NULL, 0);
            continue;
        }
        for (int i = 0; i < SB_FD_FIXED; i++)
            l->fd[i] = fds[i];
        /* placeholders: /box is a plain tmpfs; the keeper is not new */
        if (l->run.box_fd >= 0)
            l->run.box_fd = l->fd[SB_FD_BOX];
        for (int i = 0; i < l->run.n; i++)
            l->run.fds[i] = fds[SB_FD_FIXED + i];

        char err[SB_MSG_MAX];
        int res = handle_run(l, err, sizeof err);
        if (res < 0 && err[0])
            sb_report_send(l->fd[SB_FD_STATUS], 'E', 0, err);
        /* keep the status pipe until the keeper says the run is over */
        for (int i = 0; i < n; i++)
            if (i != SB_FD_STATUS || res < 0)
                close(fds[i]);
        if (res >= 0)
            kp.status = l->fd[SB_FD_STATUS];
        if (res == 'P')
            sb_msg_send(sock, 'P', kp.pid, &kp.pidfd, 1);
        else if (res == 'K')
            sb_msg_send(sock, 'K', 0, NULL, 0);
        else
            sb_msg_send(sock, 'E', -res, NULL, 0);
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
     * Only from a single-threaded process: the raw syscall skips libc's
     * fork handlers, so a launcher cloned while another thread held a
     * malloc lock would hang in its first fork() (serve's workers did, at
     * random, on cgroup v2). Elsewhere, or if the kernel refuses, fork and
     * move it. */
    pid_t pid = -1;
    bool born_inside = false;
    if (s->cg.version == 2 && sb_single_threaded()) {
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
    if (pid == 0) {
        /* the keeper and every box are born from here: they inherit it */
        if (s->pin_cpu >= 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(s->pin_cpu, &set);
            sched_setaffinity(0, sizeof set, &set); /* a hint: refused, it runs anywhere */
        }
        launcher_main(sv[1], s->launch, &s->cg, born_inside);
    }
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

/* The launcher's answer. It answers in ms; one silent for the slot's
 * launcher timeout is hung (one was: a lock inherited when it was cloned)
 * and is killed (-ETIMEDOUT), so the caller starts another instead of
 * waiting forever. */
static int launcher_recv(struct sb_slot *s, char *kind, int *value, int *fd)
{
    struct pollfd p = {.fd = s->launcher_sock, .events = POLLIN};
    int r;
    while ((r = poll(&p, 1, s->launcher_timeout_ms)) < 0 && errno == EINTR)
        ;
    if (r == 0) {
        if (s->launcher_pid > 0)
            kill(s->launcher_pid, SIGKILL);
        return -ETIMEDOUT;
    }
    return sb_msg_recv(s->launcher_sock, kind, value, fd, 1);
}

int sb_launcher_wait_ready(struct sb_slot *s, char *err, size_t errlen)
{
    if (s->launcher_ready || s->launcher_sock < 0)
        return 0;
    int fd = -1, value = 0;
    char kind = 0;
    int n = launcher_recv(s, &kind, &value, &fd);
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
    r = s->launcher_sock < 0 ? -EPIPE : sb_msg_send(s->launcher_sock, 'R', 0, fds, nfds);
    if (r == 0) {
        r = launcher_recv(s, &kind, &value, &pidfd);
        if (r == -ETIMEDOUT)
            r = -EPIPE; /* killed: gone, so the caller starts a new one */
        if (r == 0 && kind == 'E')
            r = -value;
        else if (r == 0 && kind == 'K')
            r = 0;
        else if (r == 1 && kind == 'P') {
            if (s->keeper_pidfd >= 0)
                close(s->keeper_pidfd);
            s->keeper_pidfd = pidfd;
            s->keeper_pid = value;
            r = 0;
        } else if (r >= 0) {
            if (r == 1)
                close(pidfd);
            r = -EPROTO;
        }
    }
    if (r < 0 && r != -ESRCH)
        sb_errmsg(err, errlen, r == -EPIPE ? "the slot launcher is gone" : "starting the box", -r);
    return r;
}
