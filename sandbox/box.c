/*
 * box.c - the box side of a run: box init (PID 1 of the box) and the
 * program it starts. Runs in processes forked from the slot's launcher,
 * so it only makes system calls and touches memory prepared beforehand
 * (no malloc, no stdio, no locks).
 *
 *   box init: PID 1 of new PID/IPC/UTS/cgroup namespaces; joins the slot's
 *     network namespace and a private copy of its root template, mounts
 *     this run's /tmp, /proc, /box; drops to the slot's uid in a new user
 *     namespace with no capabilities; starts the program; answers the
 *     seccomp notifications of denied calls; reports the program's status.
 *       program: stdio, rlimits, working dir, seccomp filter, execve.
 *
 * The program is not PID 1 because PID 1 ignores signals it has no
 * handler for, which would change how a program that raises SIGABRT or
 * SIGTERM on itself behaves.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sandbox/internal.h"

static const char *const path_dirs[] = {"/usr/local/bin", "/usr/bin", "/bin"};

static void send_report(int fd, char kind, int value, const char *msg)
{
    struct sb_report r;
    memset(&r, 0, sizeof r);
    r.kind = kind;
    r.value = value;
    if (msg)
        for (size_t i = 0; msg[i] && i + 1 < sizeof r.msg; i++)
            r.msg[i] = msg[i];
    (void)!write(fd, &r, sizeof r);
}

static _Noreturn void fail(int st_w, const char *msg)
{
    send_report(st_w, 'E', 0, msg);
    _exit(127);
}

/* The program: final set-up and exec. */
static _Noreturn void box_program(struct sb_launch *l)
{
    char err[SB_MSG_MAX];
    int st = l->fd[SB_FD_STATUS];

    /* stdio: move the three fds out of the way first so they cannot clobber
     * each other, then into place (dup2 clears close-on-exec). */
    int tmp[3];
    for (int i = 0; i < 3; i++)
        if ((tmp[i] = fcntl(l->fd[SB_FD_STDIN + i], F_DUPFD_CLOEXEC, 10)) < 0)
            fail(st, "duplicating stdio");
    for (int i = 0; i < 3; i++)
        if (dup2(tmp[i], i) < 0)
            fail(st, "setting up stdio");
    /* No other fd survives exec: close all but the (close-on-exec) status
     * pipe, which we still need for errors. */
    if (st > 3)
        close_range(3, st - 1, 0);
    close_range(st + 1, ~0U, 0);

    /* Signals ignored or blocked by the caller must not leak into the box. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    if (sb_rlimits_apply(&l->lim, err, sizeof err) < 0)
        fail(st, err);
    const char *cwd = l->cwd ? l->cwd : "/box";
    if (chdir(cwd) < 0) {
        sb_errmsg(err, sizeof err, cwd, errno);
        fail(st, err);
    }
    if (!l->no_seccomp) {
        int r = sb_filter_load(&l->filter);
        if (r < 0) {
            sb_errmsg(err, sizeof err, "loading the seccomp filter", -r);
            fail(st, err);
        }
        l->listener = r; /* shared memory and fd table with init until exec */
    }
    const char *prog = l->argv[0];
    int e = ENOENT;
    if (strchr(prog, '/')) {
        execve(prog, l->argv, l->envp);
        e = errno;
    } else {
        char path[SB_PATH_MAX];
        for (size_t i = 0; i < sizeof path_dirs / sizeof *path_dirs; i++) {
            size_t n = 0;
            for (const char *p = path_dirs[i]; *p && n < sizeof path - 2; p++)
                path[n++] = *p;
            path[n++] = '/';
            for (const char *p = prog; *p && n < sizeof path - 1; p++)
                path[n++] = *p;
            path[n] = 0;
            execve(path, l->argv, l->envp);
            if (errno != ENOENT)
                e = errno;
        }
    }
    char what[SB_MSG_MAX];
    size_t n = 0;
    for (const char *p = "execve "; *p; p++)
        what[n++] = *p;
    for (const char *p = prog; *p && n + 1 < sizeof what - 64; p++)
        what[n++] = *p;
    what[n] = 0;
    sb_errmsg(err, sizeof err, what, e);
    fail(st, err);
}

static int program_main(void *arg)
{
    box_program(arg);
}

_Noreturn void sb_box_init(struct sb_launch *l)
{
    char err[SB_MSG_MAX];
    int st = l->fd[SB_FD_STATUS];
    /* Keep only what the box needs, nothing else the launcher holds. */
    int keep[SB_FD_FIXED + SB_MAX_MOUNTS];
    int nk = 0;
    for (int i = 0; i < SB_FD_FIXED; i++)
        keep[nk++] = l->fd[i];
    for (int i = 0; i < l->run.n; i++)
        keep[nk++] = l->run.fds[i];
    sb_close_fds_except(keep, nk);
    /* The launcher's SIGCHLD handler would reap the program behind our back. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &sa, NULL);
    /* If the launcher dies, the box dies (and with it the namespace). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);

    if (unshare(CLONE_NEWCGROUP) < 0)
        fail(st, "entering a cgroup namespace");
    if (setns(l->fd[SB_FD_NETNS], CLONE_NEWNET) < 0) {
        sb_errmsg(err, sizeof err, "joining the slot network namespace", errno);
        fail(st, err);
    }
    close(l->fd[SB_FD_NETNS]);
    if (sethostname("nsjudge", 7) < 0 || setdomainname("nsjudge", 7) < 0)
        fail(st, "setting the hostname");
    if (sb_rootfs_enter(l->fd[SB_FD_MNTNS], &l->run, err, sizeof err) < 0)
        fail(st, err);
    close(l->fd[SB_FD_MNTNS]);

    /* Drop privileges here, in init, once for both: the program inherits
     * the user namespace, uid and empty capability sets. Then make init
     * non-dumpable so the program (same uid) cannot read or write its
     * memory through /proc/1. The uid change cleared the death signal. */
    if (sb_user_drop(l->box_uid, err, sizeof err) < 0)
        fail(st, err);
    prctl(PR_SET_DUMPABLE, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);

    /* vfork-style (shared memory, init sleeps until exec): no copy of
     * init's page tables. The fd table is shared too, so the seccomp
     * listener the program creates just before exec stays with init. The
     * stack is this process's own copy of a static buffer. */
    static char stack[64 * 1024] __attribute__((aligned(16)));
    l->listener = -1;
    pid_t pid = clone(program_main, stack + sizeof stack,
                      CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, l);
    if (pid < 0) {
        sb_errmsg(err, sizeof err, "starting the program", errno);
        fail(st, err);
    }
    int listener = l->listener;
    for (int i = SB_FD_STDIN; i <= SB_FD_STDERR; i++)
        if (l->fd[i] > 2)
            close(l->fd[i]);
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    int blocked = -1;
    /* Answer denied syscalls (remembering the first) and reap: orphans
     * of the program are reparented to us; the rest die with us. */
    for (;;) {
        struct pollfd p[2] = {{.fd = pfd, .events = POLLIN}, {.fd = listener, .events = POLLIN}};
        poll(p, 2, pfd < 0 ? 10 : 200);
        if (listener >= 0 && (p[1].revents & POLLIN)) {
            int nr = sb_filter_answer(listener);
            if (nr >= 0 && blocked < 0) {
                blocked = nr;
                send_report(st, 'S', nr, NULL);
            }
        } else if (p[1].revents & (POLLHUP | POLLERR | POLLNVAL))
            listener = -1;
        int status;
        pid_t w;
        while ((w = waitpid(-1, &status, WNOHANG)) > 0)
            if (w == pid) {
                send_report(st, 'W', status, NULL);
                _exit(0);
            }
    }
}
