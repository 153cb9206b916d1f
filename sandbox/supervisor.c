/*
 * supervisor.c - sb_run: start one box, enforce time limits, collect the
 * result.
 *
 * Process tree of a run:
 *   supervisor (caller's thread)
 *     `- box init: PID 1 of new PID/IPC/UTS/cgroup namespaces, joins the
 *        slot's network namespace and a private copy of its root template,
 *        forks the program, reaps, reports the program's wait status.
 *          `- program: rlimits, unprivileged uid in its own user namespace,
 *             no capabilities, seccomp, execve.
 * Killing box init ends the PID namespace, and the kernel then kills every
 * process in it: one SIGKILL ends the whole box, with no survivors. The
 * cgroup is checked empty afterwards as a second guard.
 *
 * The program is not PID 1 because PID 1 ignores signals it has no
 * handler for, which would change how a program that raises SIGABRT or
 * SIGTERM on itself behaves.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "sandbox/internal.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

static const char *const default_env[] = {
    "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp",
    "LANG=C.UTF-8", NULL,
};
static const char *const path_dirs[] = {"/usr/local/bin", "/usr/bin", "/bin"};

/* What the box sends back on the status pipe: fixed-size records. */
struct report {
    char kind;        /* 'E' setup error, 'S' blocked syscall nr, 'W' wait status */
    int value;
    char msg[SB_MSG_MAX];
};

/* Everything the box side needs, prepared by the parent. */
struct run_ctx {
    struct sb_slot *slot;
    const struct sb_config *cfg;
    struct sb_limits lim;
    int go_r, go_w, st_r, st_w;
    int fds[3];         /* stdin, stdout, stderr (host fds) */
    int netns;
    const char *const *envp;
    volatile int listener;  /* seccomp listener, set by the program before exec */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void send_report(int fd, char kind, int value, const char *msg)
{
    struct report r;
    memset(&r, 0, sizeof r);
    r.kind = kind;
    r.value = value;
    if (msg)
        for (size_t i = 0; msg[i] && i + 1 < sizeof r.msg; i++)
            r.msg[i] = msg[i];
    (void)!write(fd, &r, sizeof r);
}

/* ---- box side ------------------------------------------------------------ */

static _Noreturn void fail(int st_w, const char *msg)
{
    send_report(st_w, 'E', 0, msg);
    _exit(127);
}

/* The program: final privilege drop and exec. */
static _Noreturn void box_program(struct run_ctx *c)
{
    char err[SB_MSG_MAX];
    const struct sb_config *cfg = c->cfg;

    /* stdio: move the three fds out of the way first so they cannot clobber
     * each other, then into place (dup2 clears close-on-exec). */
    int tmp[3];
    for (int i = 0; i < 3; i++)
        if ((tmp[i] = fcntl(c->fds[i], F_DUPFD_CLOEXEC, 10)) < 0)
            fail(c->st_w, "duplicating stdio");
    for (int i = 0; i < 3; i++)
        if (dup2(tmp[i], i) < 0)
            fail(c->st_w, "setting up stdio");
    /* No fd of the supervisor survives exec: close all but the (CLOEXEC)
     * status pipe, which we still need for errors. */
    int st = c->st_w;
    if (st > 3)
        close_range(3, st - 1, 0);
    close_range(st + 1, ~0U, 0);

    /* Signals ignored or blocked by the caller must not leak into the box. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &sa, NULL);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);

    if (sb_rlimits_apply(&c->lim, err, sizeof err) < 0)
        fail(st, err);
    const char *cwd = cfg->cwd ? cfg->cwd : "/box";
    if (chdir(cwd) < 0) {
        sb_errmsg(err, sizeof err, cwd, errno);
        fail(st, err);
    }
    if (!cfg->no_seccomp) {
        int r = sb_filter_load(&c->slot->filter);
        if (r < 0) {
            sb_errmsg(err, sizeof err, "loading the seccomp filter", -r);
            fail(st, err);
        }
        c->listener = r; /* shared memory and fd table with init until exec */
    }
    char *const *argv = (char *const *)cfg->argv;
    char *const *envp = (char *const *)c->envp;
    const char *prog = cfg->argv[0];
    int e = ENOENT;
    if (strchr(prog, '/')) {
        execve(prog, argv, envp);
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
            execve(path, argv, envp);
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

/* PID 1 of the box. */
static _Noreturn void box_init(struct run_ctx *c)
{
    char err[SB_MSG_MAX];
    char b;
    /* Keep only what the box needs: not the caller's other fds, and not
     * pipes another thread of the caller may have open right now. */
    int keep[8 + SB_MAX_MOUNTS];
    int nk = 0;
    keep[nk++] = c->go_r;
    keep[nk++] = c->st_w;
    keep[nk++] = c->netns;
    keep[nk++] = c->slot->tmpl_mntns;
    keep[nk++] = c->slot->run.box_fd;
    for (int i = 0; i < 3; i++)
        keep[nk++] = c->fds[i];
    for (int i = 0; i < c->slot->run.n; i++)
        keep[nk++] = c->slot->run.fds[i];
    sb_close_fds_except(keep, nk);
    /* If the supervisor dies, the box dies (and with it the namespace). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (read(c->go_r, &b, 1) != 1)
        _exit(1); /* supervisor gone or setup aborted */
    close(c->go_r);

    if (unshare(CLONE_NEWCGROUP) < 0)
        fail(c->st_w, "entering a cgroup namespace");
    if (setns(c->netns, CLONE_NEWNET) < 0) {
        sb_errmsg(err, sizeof err, "joining the slot network namespace", errno);
        fail(c->st_w, err);
    }
    close(c->netns);
    if (sethostname("nsjudge", 7) < 0 || setdomainname("nsjudge", 7) < 0)
        fail(c->st_w, "setting the hostname");
    if (sb_rootfs_enter(c->slot->tmpl_mntns, &c->slot->run, err, sizeof err) < 0)
        fail(c->st_w, err);

    /* Drop privileges here, in init, once for both: the program inherits
     * the user namespace, uid and empty capability sets. Then make init
     * non-dumpable so the program (same uid) cannot read or write its
     * memory through /proc/1. The uid change cleared the death signal. */
    if (sb_user_drop(c->slot->box_uid, err, sizeof err) < 0)
        fail(c->st_w, err);
    prctl(PR_SET_DUMPABLE, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);

    /* vfork-style (shared memory, init sleeps until exec): no copy of
     * init's page tables. The fd table is shared too, so the seccomp
     * listener the program creates just before exec stays with init. */
    static char stack[64 * 1024] __attribute__((aligned(16)));
    c->listener = -1;
    pid_t pid = clone(program_main, stack + sizeof stack,
                      CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, c);
    if (pid < 0) {
        sb_errmsg(err, sizeof err, "starting the program", errno);
        fail(c->st_w, err);
    }
    int listener = c->listener;
    for (int i = 0; i < 3; i++)
        if (c->fds[i] > 2)
            close(c->fds[i]);
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
                send_report(c->st_w, 'S', nr, NULL);
            }
        } else if (p[1].revents & (POLLHUP | POLLERR | POLLNVAL))
            listener = -1;
        int status;
        pid_t w;
        while ((w = waitpid(-1, &status, WNOHANG)) > 0)
            if (w == pid) {
                send_report(c->st_w, 'W', status, NULL);
                _exit(0);
            }
    }
}

/* ---- supervisor side ------------------------------------------------------ */

static int get_netns(struct sb_slot *s, bool up, char *err, size_t errlen)
{
    if (!up)
        return s->netns_down;
    if (s->netns_up < 0) {
        int fd = sb_netns_create(true, err, errlen);
        if (fd < 0)
            return fd;
        s->netns_up = fd;
    }
    return s->netns_up;
}

static int xx(struct sb_result *res, int r)
{
    res->status = SB_XX;
    return r;
}

static void kill_box(int pidfd)
{
    syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
}

/* Wait for the box to end, killing it at the first time limit. Returns
 * 1 when a limit was hit (message filled), 0 when the box ended itself. */
static int watch(struct sb_slot *s, int pidfd, const struct sb_limits *lim,
                 double t0, char *msg, size_t msglen)
{
    for (;;) {
        double wait = -1;
        double now = now_s();
        if (lim->wall_s > 0) {
            double left = t0 + lim->wall_s - now;
            if (left <= 0) {
                kill_box(pidfd);
                sb_setmsg(msg, msglen, "wall time limit exceeded (%.3f s)", lim->wall_s);
                return 1;
            }
            wait = left;
        }
        if (lim->cpu_s > 0) {
            uint64_t ns = 0;
            sb_cg_read_cpu(&s->cg, &ns);
            double left = lim->cpu_s + lim->cpu_extra_s - ns / 1e9;
            if (left <= 0) {
                kill_box(pidfd);
                sb_setmsg(msg, msglen, "CPU time limit exceeded (%.3f s)", lim->cpu_s);
                return 1;
            }
            /* CPU time grows at most ncpus times faster than wall time, so
             * this sleep cannot overshoot; it shrinks near the limit. */
            double cw = left / s->ncpus;
            if (wait < 0 || cw < wait)
                wait = cw;
        }
        struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
        struct timespec ts, *tsp = NULL;
        if (wait >= 0) {
            if (wait < 0.0005)
                wait = 0.0005;
            ts.tv_sec = (time_t)wait;
            ts.tv_nsec = (long)((wait - ts.tv_sec) * 1e9);
            tsp = &ts;
        }
        int r = ppoll(&pfd, 1, tsp, NULL);
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return 0;
    }
}

static void classify(struct sb_result *res, const struct sb_limits *lim, bool have_status,
                     int status, const struct sb_cg_stats *st)
{
    bool mem_hit = st->oom_kills > 0 ||
                   (lim->mem_kib && st->mem_failcnt > 0 &&
                    st->mem_peak_bytes / 1024 >= lim->mem_kib - lim->mem_kib / 50);
    if (!have_status) {
        res->status = mem_hit ? SB_ML : SB_XX;
        if (!mem_hit)
            sb_setmsg(res->message, sizeof res->message, "box init ended without a report");
        else
            sb_setmsg(res->message, sizeof res->message, "memory limit exceeded");
        return;
    }
    if (WIFSIGNALED(status)) {
        res->signal = WTERMSIG(status);
        if (mem_hit) {
            res->status = SB_ML;
            sb_setmsg(res->message, sizeof res->message, "memory limit exceeded");
        } else if (res->signal == SIGXFSZ) {
            res->status = SB_OL;
            sb_setmsg(res->message, sizeof res->message, "output limit exceeded (file size over %llu KiB)",
                      (unsigned long long)lim->fsize_kib);
        } else if (res->signal == SIGXCPU) {
            res->status = SB_TO;
            sb_setmsg(res->message, sizeof res->message, "CPU time limit exceeded");
        } else {
            res->status = SB_SG;
            sb_setmsg(res->message, sizeof res->message, "killed by signal %d (%s)%s", res->signal,
                      sigabbrev_np(res->signal) ? sigabbrev_np(res->signal) : "?",
                      res->signal == SIGSYS ? ": forbidden system call" : "");
        }
    } else {
        res->exit_code = WEXITSTATUS(status);
        if (res->exit_code != 0 && mem_hit) {
            res->status = SB_ML;
            sb_setmsg(res->message, sizeof res->message, "memory limit exceeded");
        } else if (res->exit_code != 0) {
            res->status = SB_RE;
            sb_setmsg(res->message, sizeof res->message, "exited with code %d", res->exit_code);
        } else
            res->status = SB_OK;
    }
    /* A program that ended just past its limit still exceeded it. */
    if (res->status <= SB_SG && lim->cpu_s > 0 && res->cpu_s > lim->cpu_s) {
        res->status = SB_TO;
        sb_setmsg(res->message, sizeof res->message, "CPU time limit exceeded (%.3f s)", lim->cpu_s);
    }
}

int sb_run(struct sb_slot *s, const struct sb_config *cfg, struct sb_result *res)
{
    memset(res, 0, sizeof *res);
    char *msg = res->message;
    const size_t ml = sizeof res->message;
    if (!s || !cfg || !cfg->argv || !cfg->argv[0] || !cfg->argv[0][0]) {
        sb_setmsg(msg, ml, "no program given");
        return xx(res, -EINVAL);
    }
    struct run_ctx c = {.slot = s, .cfg = cfg, .go_r = -1, .go_w = -1, .st_r = -1, .st_w = -1,
                        .fds = {-1, -1, -1}};
    sb_limits_fill_defaults(&c.lim, &cfg->limits);
    c.envp = cfg->envp ? cfg->envp : default_env;

    int r;
    if ((c.netns = get_netns(s, cfg->loopback_up, msg, ml)) < 0)
        return xx(res, c.netns);
    /* +1 process for box init */
    if ((r = sb_cg_set_limits(&s->cg, c.lim.mem_kib * 1024, c.lim.procs + 1, msg, ml)) < 0 ||
        (r = sb_cg_reset(&s->cg, msg, ml)) < 0)
        return xx(res, r);
    if ((r = sb_rootfs_prepare_run(s->tmpl_rw, cfg, &c.lim, s->box_uid, &s->run, msg, ml)) < 0)
        return xx(res, r);

    int own_null = -1;
    const int want[3] = {cfg->stdin_fd, cfg->stdout_fd, cfg->stderr_fd};
    for (int i = 0; i < 3; i++) {
        if (want[i] >= 0) {
            c.fds[i] = want[i];
            continue;
        }
        if (own_null < 0 && (own_null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
            sb_errmsg(msg, ml, "/dev/null", errno);
            return xx(res, -errno);
        }
        c.fds[i] = own_null;
    }
    int go[2], stp[2];
    if (pipe2(go, O_CLOEXEC) < 0) {
        r = -errno;
        sb_errmsg(msg, ml, "pipe", errno);
        goto out_null;
    }
    if (pipe2(stp, O_CLOEXEC) < 0) {
        r = -errno;
        sb_errmsg(msg, ml, "pipe", errno);
        close(go[0]), close(go[1]);
        goto out_null;
    }
    c.go_r = go[0], c.go_w = go[1], c.st_r = stp[0], c.st_w = stp[1];

    int pidfd = -1;
    struct clone_args ca;
    memset(&ca, 0, sizeof ca);
    /* No CLONE_NEWNS: copying the host's mount table is wasted work, the
     * box copies the slot's small template instead (rootfs.c). */
    ca.flags = CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_PIDFD;
    ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
    ca.exit_signal = SIGCHLD;
    pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
    if (pid == 0)
        box_init(&c);
    close(c.go_r);
    close(c.st_w);
    sb_rootfs_release_run(&s->run);
    if (pid < 0) {
        r = -errno;
        sb_errmsg(msg, ml, "clone3 (creating the box namespaces)", errno);
        close(c.go_w), close(c.st_r);
        goto out_null;
    }

    double t0 = now_s();
    if ((r = sb_cg_attach(&s->cg, pid, msg, ml)) < 0 || write(c.go_w, "g", 1) != 1) {
        if (r == 0) {
            r = -EIO;
            sb_setmsg(msg, ml, "box init died before start");
        }
        kill_box(pidfd);
    }
    close(c.go_w);
    char limit_msg[SB_MSG_MAX] = "";
    int hit = r == 0 ? watch(s, pidfd, &c.lim, t0, limit_msg, sizeof limit_msg) : 0;

    int wstatus;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    res->wall_s = now_s() - t0;
    close(pidfd);

    /* Collect the box's reports: the last 'W' and any setup error. */
    struct report rep;
    bool have_status = false, setup_err = false;
    int status = 0, blocked = -1;
    ssize_t n;
    while ((n = read(c.st_r, &rep, sizeof rep)) == (ssize_t)sizeof rep) {
        rep.msg[sizeof rep.msg - 1] = 0;
        if (rep.kind == 'W') {
            have_status = true;
            status = rep.value;
        } else if (rep.kind == 'S' && blocked < 0)
            blocked = rep.value; else if (rep.kind == 'E' && !setup_err) {
            setup_err = true;
            snprintf(msg, ml, "%s", rep.msg);
        }
    }
    close(c.st_r);
    sb_cg_kill_all(&s->cg); /* second guard: nothing may outlive the box */

    struct sb_cg_stats st;
    sb_cg_read_stats(&s->cg, &st);
    res->cpu_s = st.cpu_ns / 1e9;
    res->mem_kib = st.mem_peak_bytes / 1024;
    if (r < 0)
        res->status = SB_XX;
    else if (setup_err) {
        res->status = SB_XX;
        r = -EINVAL;
    } else if (hit) {
        res->status = SB_TO;
        snprintf(msg, ml, "%s", limit_msg);
    } else {
        classify(res, &c.lim, have_status, status, &st);
        /* A program that ignores SIGXFSZ gets EFBIG and may exit normally:
         * an output file at the cap still means the output limit was hit. */
        if (res->status <= SB_SG && !res->signal)
            for (int i = 1; i <= 2; i++) {
                struct stat fst;
                if (fstat(c.fds[i], &fst) == 0 && S_ISREG(fst.st_mode) &&
                    (uint64_t)fst.st_size >= c.lim.fsize_kib * 1024) {
                    res->status = SB_OL;
                    sb_setmsg(msg, ml, "output limit exceeded (%s reached %llu KiB)",
                              i == 1 ? "stdout" : "stderr", (unsigned long long)c.lim.fsize_kib);
                }
            }
        if (blocked >= 0) {
            char name[64];
            size_t n = strlen(msg);
            sb_syscall_name(blocked, name, sizeof name);
            snprintf(msg + n, ml - n, "%sblocked system call: %s", n ? "; " : "", name);
        }
    }
out_null:
    if (own_null >= 0)
        close(own_null);
    return r < 0 ? xx(res, r) : 0;
}
