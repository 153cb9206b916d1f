/*
 * supervisor.c - sb_run: describe the run to the slot's launcher, which
 * hands it to the slot's keeper (box init, kept between runs); enforce
 * the time limits; collect the result.
 *
 *   supervisor (caller's thread) -- socket --> launcher (in the slot cgroup)
 *                                                `- keeper (PID 1 of the box)
 *                                                     `- program
 *
 * The run's status pipe carries the box's reports and reaches EOF when the
 * run is over and the box emptied. At a time limit the supervisor kills
 * the keeper (through its pidfd): that ends the PID namespace, and the
 * kernel kills every process in it; the next run gets a new keeper. The
 * cgroup is checked empty afterwards (but for launcher and keeper) as a
 * second guard.
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "sandbox/internal.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif


static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- supervisor side ------------------------------------------------------ */

static int get_netns(struct sb_slot *s, bool up, char *err, size_t errlen)
{
    int *fd = up ? &s->netns_up : &s->netns_down;
    if (*fd < 0) {
        int r = sb_netns_create(up, err, errlen);
        if (r < 0)
            return r;
        *fd = r;
    }
    return *fd;
}

/* A run made IP sockets: its network namespace's statistics may carry a
 * message to the next run. A new one is made when next needed. */
static void drop_netns(struct sb_slot *s, bool up)
{
    int *fd = up ? &s->netns_up : &s->netns_down;
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* The cgroup also holds the launcher's few pages: allow for them, rounded
 * up so the limit is not rewritten for every small change in them. */
static uint64_t launcher_allowance(const struct sb_slot *s)
{
    const uint64_t step = 16 * 1024;
    return (s->cg.mem_base + step - 1) / step * step;
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

/* What the box reported on the status pipe. */
struct reports {
    bool have_status, setup_err;
    int retire;              /* SB_RETIRE_* bits: the keeper ends after this run */
    int status, blocked;
    uint64_t rss_kib;        /* the run's peak resident set ('W', 'M') */
    double end;              /* when the program's status arrived */
    char msg[SB_MSG_MAX];    /* the first setup error */
};

static void take_report(struct reports *c, struct sb_report *rep)
{
    rep->msg[sizeof rep->msg - 1] = 0;
    if ((rep->kind == 'W' || rep->kind == 'M') && rep->rss_kib > c->rss_kib)
        c->rss_kib = rep->rss_kib;
    if (rep->kind == 'W' && !c->have_status) {
        c->have_status = true;
        c->status = rep->value;
        c->end = now_s();
    } else if (rep->kind == 'S' && c->blocked < 0)
        c->blocked = rep->value;
    else if (rep->kind == 'Q')
        c->retire = rep->value ? rep->value : SB_RETIRE_IPC;
    else if (rep->kind == 'E' && !c->setup_err) {
        c->setup_err = true;
        snprintf(c->msg, sizeof c->msg, "%s", rep->msg);
    }
}

/* Read the box's reports until EOF (the run is over and cleaned up),
 * killing the box at the first time limit or when cancel_fd fires.
 * Returns 1 when a limit was hit, 2 when cancelled (message filled), 0
 * otherwise. */
static int watch(struct sb_slot *s, int stfd, int cancel_fd, const struct sb_limits *lim,
                 double t0, struct reports *c, char *msg, size_t msglen)
{
    int hit = 0;
    double give_up = 0;
    for (;;) {
        double wait = -1;
        double now = now_s();
        if (hit && give_up > 0) {
            /* killed: the box goes down at once; do not wait forever */
            if (now >= give_up)
                return hit;
            wait = give_up - now;
        } else if (!hit && !c->have_status && lim->wall_s > 0) {
            double left = t0 + lim->wall_s - now;
            if (left <= 0) {
                sb_setmsg(msg, msglen, "wall time limit exceeded (%.3f s)", lim->wall_s);
                hit = 1;
            }
            wait = left;
        }
        if (!hit && !c->have_status && lim->cpu_s > 0) {
            uint64_t ns = 0;
            sb_cg_read_cpu(&s->cg, &ns);
            double left = lim->cpu_s + lim->cpu_extra_s - ns / 1e9;
            if (left <= 0) {
                sb_setmsg(msg, msglen, "CPU time limit exceeded (%.3f s)", lim->cpu_s);
                hit = 1;
            }
            /* CPU time grows at most ncpus times faster than wall time, so
             * this sleep cannot overshoot; it shrinks near the limit. */
            double cw = left / s->ncpus;
            if (wait < 0 || cw < wait)
                wait = cw;
        }
        /* no resettable memory.peak (v2 before 6.12): sample every ms */
        if (!hit && !c->have_status && sb_cg_polls_memory(&s->cg)) {
            sb_cg_poll_memory(&s->cg);
            if (wait < 0 || wait > 0.001)
                wait = 0.001;
        }
        if (hit && give_up == 0) {
            if (s->keeper_pidfd >= 0)
                kill_box(s->keeper_pidfd);
            give_up = now + 5;
            continue;
        }
        struct pollfd pfd[2] = {{.fd = stfd, .events = POLLIN},
                                {.fd = hit ? -1 : cancel_fd, .events = POLLIN}};
        struct timespec ts, *tsp = NULL;
        if (wait >= 0) {
            if (wait < 0.0005)
                wait = 0.0005;
            ts.tv_sec = (time_t)wait;
            ts.tv_nsec = (long)((wait - ts.tv_sec) * 1e9);
            tsp = &ts;
        }
        int r = ppoll(pfd, 2, tsp, NULL);
        if (r < 0 && errno != EINTR)
            return hit;
        if (r > 0 && pfd[1].revents) {
            sb_setmsg(msg, msglen, "cancelled by the caller");
            hit = 2;
            continue;
        }
        if (r <= 0 || !pfd[0].revents)
            continue;
        struct sb_report rep;
        ssize_t n = read(stfd, &rep, sizeof rep);
        if (n == (ssize_t)sizeof rep)
            take_report(c, &rep);
        else if (n == 0 || (n < 0 && errno != EINTR))
            return hit;
    }
}

static void classify(struct sb_result *res, const struct sb_limits *lim, bool have_status,
                     int status, const struct sb_cg_stats *st)
{
    /* Over the limit: killed by the OOM killer; or the box's own peak
     * reached its limit (the cgroup's limit is that plus the launcher's
     * pages: the kernel reclaimed page cache there, and the program
     * survived); or a failed charge near the limit. Recent kernels do not
     * always count failed charges on v1, so the peak alone decides. */
    bool mem_hit = st->oom_kills > 0 ||
                   (lim->mem_kib && st->mem_peak_bytes / 1024 >= lim->mem_kib) ||
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
        /* A program that reached its limit and survived (the kernel found
         * page cache to reclaim) is over it all the same: ML, whatever it
         * exited with, so the verdict does not depend on the reclaim. */
        if (mem_hit) {
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

/* Room for `bytes` in the shared launch area (pointers into it stay valid
 * in the launcher, which maps it at the same address); NULL when full. */
static void *reserve(struct sb_launch *l, size_t bytes, size_t align)
{
    size_t at = (l->used + align - 1) & ~(align - 1);
    if (at + bytes > SB_LAUNCH_SIZE - sizeof *l)
        return NULL;
    l->used = at + bytes;
    return l->strings + at;
}

static char *put_str(struct sb_launch *l, const char *str)
{
    size_t n = strlen(str) + 1;
    char *d = reserve(l, n, 1);
    if (d)
        memcpy(d, str, n);
    return d;
}

static char **put_vec(struct sb_launch *l, const char *const *v)
{
    size_t n = 0;
    while (v[n])
        n++;
    char **out = reserve(l, (n + 1) * sizeof(char *), sizeof(char *));
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(out[i] = put_str(l, v[i])))
            return NULL;
    out[n] = NULL;
    return out;
}

/* Write the run into the launch area. Field by field: the mounts part
 * (~17 KiB) is only copied when the launcher is to read it. */
static int describe_run(struct sb_slot *s, const struct sb_config *cfg, const struct sb_limits *lim,
                        bool new_box, bool direct, char *msg, size_t ml)
{
    struct sb_launch *l = s->launch;
    l->used = 0;
    l->filter = (struct sb_filter){0};
    l->cwd = NULL;
    l->lim = *lim;
    l->box_uid = s->box_uid;
    l->keeper_uid = s->keeper_uid;
    l->new_box = new_box;
    l->no_seccomp = cfg->no_seccomp;
    if (new_box) {
        /* the launcher was forked before the filter was built: send a copy */
        size_t fbytes = (size_t)s->filter.len * sizeof *s->filter.insns;
        if (!(l->filter.insns = reserve(l, fbytes, 8))) {
            sb_setmsg(msg, ml, "seccomp filter too large");
            return -E2BIG;
        }
        memcpy(l->filter.insns, s->filter.insns, fbytes);
        l->filter.len = s->filter.len;
    }
    if (!direct) {
        l->run = s->run;
        l->nfds = SB_FD_FIXED + s->run.n;
    }
    if (!(l->argv = put_vec(l, cfg->argv)) ||
        !(l->envp = put_vec(l, cfg->envp ? cfg->envp : sb_default_env)) ||
        (cfg->cwd && !(l->cwd = put_str(l, cfg->cwd)))) {
        sb_setmsg(msg, ml, "command line and environment too large (over %u KiB)",
                  SB_LAUNCH_SIZE / 1024);
        return -E2BIG;
    }
    return 0;
}

/* Which network namespace and filter a keeper was made with. */
static int keeper_kind(const struct sb_config *cfg)
{
    return (cfg->loopback_up ? 1 : 0) | (cfg->no_seccomp ? 2 : 0);
}

static bool keeper_alive(struct sb_slot *s)
{
    struct pollfd p = {.fd = s->keeper_pidfd, .events = POLLIN};
    return s->keeper_pidfd >= 0 && poll(&p, 1, 0) == 0;
}

static void keeper_forget(struct sb_slot *s)
{
    if (s->keeper_pidfd >= 0) {
        kill_box(s->keeper_pidfd);
        /* gone before its successor (same uids) starts: two live boxes
         * never share a uid, in this slot or in the next one to hold the id */
        struct pollfd p = {.fd = s->keeper_pidfd, .events = POLLIN};
        while (poll(&p, 1, 5000) < 0 && errno == EINTR)
            ;
        close(s->keeper_pidfd);
    }
    s->keeper_pidfd = -1;
    s->keeper_pid = -1;
    if (s->keeper_sock >= 0)
        close(s->keeper_sock);
    s->keeper_sock = -1;
    s->keeper_tmp_opts[0] = 0;
    s->mount_id[0] = 0;
}

/* Hand the run to the launcher and through it to the keeper: a new one
 * when the old is gone or of another kind. Returns the read end of the
 * run's status pipe, or -errno with a message. */
static int start_run(struct sb_slot *s, const struct sb_config *cfg, const struct sb_limits *lim,
                     const int std[3], char *msg, size_t ml)
{
    int r, netns = -1, stp[2] = {-1, -1};
    for (int attempt = 0;; attempt++) {
        bool new_box = !keeper_alive(s) || s->keeper_kind != keeper_kind(cfg);
        if (new_box) {
            keeper_forget(s);
            if ((netns = get_netns(s, cfg->loopback_up, msg, ml)) < 0)
                return netns;
        }
        if ((r = sb_rootfs_prepare_run(s->tmpl_rw, cfg, lim, s->box_uid, s->mount_id,
                                       s->next_mount_id, SB_MOUNT_ID_MAX, &s->run, msg, ml)) < 0)
            return r;
        /* Nothing for the launcher to do: straight to the keeper. */
        bool direct = !new_box && !s->run.remount && s->keeper_sock >= 0 &&
                      !strcmp(s->run.tmp_opts, s->keeper_tmp_opts);
        if ((r = describe_run(s, cfg, lim, new_box, direct, msg, ml)) < 0)
            goto out;
        if (pipe2(stp, O_CLOEXEC) < 0) {
            r = -errno;
            sb_errmsg(msg, ml, "pipe", errno);
            goto out;
        }
        if (direct) {
            int dfds[4] = {std[0], std[1], std[2], stp[1]};
            r = sb_msg_send(s->keeper_sock, 'R', 0, dfds, 4) < 0 ? -ESRCH : 0;
        } else {
            int rs[2] = {-1, -1};
            if (new_box && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, rs) < 0) {
                r = -errno;
                sb_errmsg(msg, ml, "socketpair", errno);
                close(stp[0]), close(stp[1]);
                goto out;
            }
            int fds[SB_FD_FIXED + SB_MAX_MOUNTS];
            fds[SB_FD_STDIN] = std[0];
            fds[SB_FD_STDOUT] = std[1];
            fds[SB_FD_STDERR] = std[2];
            fds[SB_FD_STATUS] = stp[1];
            /* placeholders when a new keeper is not needed or /box is a tmpfs */
            fds[SB_FD_NETNS] = new_box ? netns : std[0];
            fds[SB_FD_MNTNS] = new_box ? s->tmpl_mntns : std[0];
            fds[SB_FD_RUNSOCK] = new_box ? rs[1] : std[0];
            fds[SB_FD_BOX] = s->run.box_fd >= 0 ? s->run.box_fd : std[0];
            for (int i = 0; i < s->run.n; i++)
                fds[SB_FD_FIXED + i] = s->run.fds[i];
            r = sb_launcher_launch(s, fds, SB_FD_FIXED + s->run.n, msg, ml);
            if (r == -EPIPE && attempt == 0) {
                /* the launcher died (killed from outside?): start a new one */
                char err2[SB_MSG_MAX];
                sb_launcher_stop(s);
                keeper_forget(s);
                if (sb_launcher_start(s, err2, sizeof err2) == 0 &&
                    (r = sb_launcher_wait_ready(s, msg, ml)) == 0)
                    r = -ESRCH; /* retry below with a new keeper */
            }
            if (rs[1] >= 0)
                close(rs[1]);
            if (r == 0 && new_box)
                s->keeper_sock = rs[0];
            else if (rs[0] >= 0)
                close(rs[0]);
            if (r == 0)
                snprintf(s->keeper_tmp_opts, sizeof s->keeper_tmp_opts, "%s", s->run.tmp_opts);
        }
        close(stp[1]);
        stp[1] = -1;
        if (r == 0) {
            s->keeper_kind = keeper_kind(cfg);
            if (s->run.remount) {
                char *t = s->mount_id;
                s->mount_id = s->next_mount_id;
                s->next_mount_id = t;
            }
            sb_rootfs_release_run(&s->run);
            return stp[0];
        }
        /* whatever was mounted is unknown now */
        s->mount_id[0] = 0;
        sb_rootfs_release_run(&s->run);
        if (r == -ESRCH && attempt == 0) {
            /* the keeper died since we looked: once more with a new one */
            close(stp[0]);
            stp[0] = -1;
            keeper_forget(s);
            continue;
        }
        /* the box may have said why on the status pipe */
        struct sb_report rep;
        if (read(stp[0], &rep, sizeof rep) == (ssize_t)sizeof rep && rep.kind == 'E') {
            rep.msg[sizeof rep.msg - 1] = 0;
            snprintf(msg, ml, "%s", rep.msg);
        }
        close(stp[0]);
        keeper_forget(s);
        return r < 0 ? r : -EIO;
    }
out:
    sb_rootfs_release_run(&s->run);
    s->mount_id[0] = 0;
    return r;
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
    struct sb_limits lim;
    sb_limits_fill_defaults(&lim, &cfg->limits);

    int r = 0, own_null = -1, stfd = -1;
    int std[3] = {cfg->stdin_fd, cfg->stdout_fd, cfg->stderr_fd};
    static const char *const std_name[3] = {"standard input", "standard output", "standard error"};
    for (int i = 0; i < 3; i++) {
        /* A terminal in the box could be driven by the program (TIOCSTI
         * pushes keystrokes into the caller's shell): a box gets a pipe
         * instead, which the caller relays (nsjudge run does). */
        if (std[i] >= 0 && isatty(std[i])) {
            sb_setmsg(msg, ml, "%s is a terminal: a box never gets one (relay it through a pipe)",
                      std_name[i]);
            r = -ENOTTY;
            goto out;
        }
        if (std[i] >= 0)
            continue;
        if (own_null < 0 && (own_null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
            r = -errno;
            sb_errmsg(msg, ml, "/dev/null", errno);
            goto out;
        }
        std[i] = own_null;
    }
    /* a new launcher may still be entering the cgroup: not the box's time.
     * One that never says it is in (killed by the launcher timeout: it
     * hung once, in a sanitizer build, at a service's first job) is
     * replaced once, as one that dies later is. */
    r = sb_launcher_wait_ready(s, msg, ml);
    if (r == -ETIMEDOUT) {
        sb_launcher_stop(s);
        keeper_forget(s);
        if ((r = sb_launcher_start(s, msg, ml)) == 0)
            r = sb_launcher_wait_ready(s, msg, ml);
    }
    if (r < 0)
        goto out;
    /* Reset first (the last run is cleaned up: only the launcher's and the
     * keeper's pages are left); the memory limit is on top of those. */
    if ((r = sb_cg_reset(&s->cg, msg, ml)) < 0 ||
        (r = sb_cg_set_limits(&s->cg, lim.mem_kib ? lim.mem_kib * 1024 + launcher_allowance(s) : 0,
                              lim.procs + 2 /* launcher and keeper */, msg, ml)) < 0)
        goto out;
    double t0 = now_s();
    if ((stfd = start_run(s, cfg, &lim, std, msg, ml)) < 0) {
        r = stfd;
        goto out;
    }

    struct reports c = {.blocked = -1};
    char limit_msg[SB_MSG_MAX] = "";
    int hit = watch(s, stfd, cfg->cancel_fd, &lim, t0, &c, limit_msg, sizeof limit_msg);
    res->wall_s = (c.have_status ? c.end : now_s()) - t0;
    if (hit || c.retire)
        keeper_forget(s); /* the next run gets a new keeper */
    if (c.retire & SB_RETIRE_NET)
        drop_netns(s, cfg->loopback_up);
    /* second guard: nothing but the launcher and the keeper may outlive the run */
    pid_t spare[2] = {s->launcher_pid, s->keeper_pid};
    sb_cg_kill_all(&s->cg, spare, 2);

    struct sb_cg_stats st;
    sb_cg_read_stats(&s->cg, &st);
    res->cpu_s = st.cpu_ns / 1e9;
    /* Peak memory (sandbox.h): what the cgroup was charged, or the
     * program's resident set when larger. The cgroup charges in per-CPU
     * batches of 64 pages, so for a small program its figure is 0 or
     * 256 KiB by chance; the resident set is exact, and counts the shared
     * library pages the cgroup charged to whoever read them first.
     * Only the cgroup's figure decides ML (classify): it is the memory the
     * limit holds, and a program's resident set cannot lower it. Shared
     * pages can take the resident set past a limit the cgroup kept: that
     * part is shown at most at the limit, so only an ML run reaches it. */
    res->mem_cgroup_kib = st.mem_peak_bytes / 1024;
    res->mem_rss_kib = c.rss_kib;
    uint64_t rss = res->mem_rss_kib;
    if (lim.mem_kib && rss > lim.mem_kib)
        rss = lim.mem_kib;
    res->mem_kib = res->mem_cgroup_kib > rss ? res->mem_cgroup_kib : rss;
    if (c.setup_err) {
        res->status = SB_XX;
        snprintf(msg, ml, "%s", c.msg);
        r = -EINVAL;
    } else if (hit) {
        res->status = hit == 2 ? SB_XX : SB_TO;
        snprintf(msg, ml, "%s", limit_msg);
        if (hit == 2)
            r = -ECANCELED;
    } else {
        classify(res, &lim, c.have_status, c.status, &st);
        /* A program that ignores SIGXFSZ gets EFBIG and may exit normally:
         * an output file at the cap still means the output limit was hit. */
        if (res->status <= SB_SG && !res->signal)
            for (int i = 1; i <= 2; i++) {
                struct stat fst;
                if (fstat(std[i], &fst) == 0 && S_ISREG(fst.st_mode) &&
                    (uint64_t)fst.st_size >= lim.fsize_kib * 1024) {
                    res->status = SB_OL;
                    sb_setmsg(msg, ml, "output limit exceeded (%s reached %llu KiB)",
                              i == 1 ? "stdout" : "stderr", (unsigned long long)lim.fsize_kib);
                }
            }
        if (c.blocked >= 0) {
            char name[64];
            size_t k = strlen(msg);
            sb_syscall_name(c.blocked, name, sizeof name);
            snprintf(msg + k, ml - k, "%sblocked system call: %s", k ? "; " : "", name);
        }
    }
out:
    if (stfd >= 0)
        close(stfd);
    if (own_null >= 0)
        close(own_null);
    return r < 0 ? xx(res, r) : 0;
}
