/*
 * keeper.c - the box side: the slot's keeper and the programs it starts.
 * Runs in processes forked from the slot's launcher, so it only makes
 * system calls and touches memory prepared beforehand (no malloc, no
 * stdio, no locks).
 *
 * The keeper is box init (PID 1 of the box), made once per slot and kept
 * between runs, so a run does not pay again for namespaces, the root
 * copy, the user namespace and loading the seccomp filter:
 *   - a set-up fork of the launcher, still host root, joins the slot's
 *     network namespace and root template, then drops to the keeper's own
 *     host uid (not the programs') and makes the keeper with one clone:
 *     new user, PID, UTS, IPC, mount (a copy of the template) and cgroup
 *     namespaces. Made together, all of them belong to that user
 *     namespace, where the launcher maps the keeper to 0 and the box uid
 *     to 1000: the keeper holds capabilities over its own namespaces only
 *     (to remove IPC objects, mount its /proc and /tmp, move the PID
 *     counter), with an empty bounding set and no_new_privs;
 *   - it starts a session of its own, without a controlling terminal;
 *   - it loads the seccomp filter once, on itself: every program inherits
 *     it, and the keeper answers their denied calls on the listener.
 * For each run it starts the program vfork-style; the program becomes uid
 * 1000 (losing every capability), sets up stdio, rlimits and its working
 * directory, and execs. When the program ends, the keeper kills and reaps
 * everything else in the box before it reports the run done, then moves
 * the PID counter to a random value: no process survives into the next
 * run, and no pid tells it how many the last one made. A run that made
 * SysV IPC objects or IP sockets (the filter tells the keeper) ends the
 * keeper, and with it the IPC namespace, its objects and its id counters;
 * after IP sockets the slot's network namespace (and its statistics) is
 * replaced too. POSIX
 * message queues cannot be made (RLIMIT_MSGQUEUE is 0); POSIX shm and
 * semaphores live in /dev/shm, which is /tmp. Programs cannot signal,
 * trace, renice or even see the keeper: another uid, not dumpable, PID 1,
 * hidden by hidepid.
 *
 * Memory: each process that calls exit_group waits (the filter hands the
 * call to the keeper) until the keeper has read its resident set; the
 * keeper also takes the high-water mark of every process it reaps. With
 * them it reports the run's peak resident set (run_rss_kib), which the
 * supervisor sets beside the cgroup's coarse peak. Since the keeper is
 * under its own filter, it and the program before exec end with exit(2)
 * (sb_box_exit), never exit_group.
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
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sandbox/internal.h"
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif
/* The program's side runs on the keeper's static stack and never returns
 * (exec or _exit): AddressSanitizer's no-return handling misreads that
 * stack switch, so these few functions are not instrumented. */
#define NOT_ASAN __attribute__((no_sanitize_address))

static const char *const path_dirs[] = {"/usr/local/bin", "/usr/bin", "/bin"};

static void report(int fd, char kind, int value, const char *msg, uint64_t rss_kib)
{
    struct sb_report r;
    memset(&r, 0, sizeof r);
    r.kind = kind;
    r.value = value;
    r.rss_kib = rss_kib;
    if (msg)
        for (size_t i = 0; msg[i] && i + 1 < sizeof r.msg; i++)
            r.msg[i] = msg[i];
    (void)!write(fd, &r, sizeof r);
}

void sb_report_send(int fd, char kind, int value, const char *msg)
{
    report(fd, kind, value, msg, 0);
}

_Noreturn void sb_box_exit(int code)
{
    for (;;)
        syscall(SYS_exit, code);
}

static NOT_ASAN _Noreturn void fail(int st_w, const char *msg)
{
    sb_report_send(st_w, 'E', 0, msg);
    sb_box_exit(127);
}

/* One run, as the program sees it before exec. */
struct program {
    const struct sb_launch *l;
    int fd[4];                /* stdin, stdout, stderr, status (close-on-exec) */
};

static NOT_ASAN _Noreturn void program_main(struct program *p)
{
    char err[SB_MSG_MAX];
    const struct sb_launch *l = p->l;
    int st = p->fd[3];

    if (sb_user_program(err, sizeof err) < 0)
        fail(st, err);
    /* stdio: move the three fds out of the way first so they cannot clobber
     * each other, then into place (dup2 clears close-on-exec). */
    int tmp[3];
    for (int i = 0; i < 3; i++)
        if ((tmp[i] = fcntl(p->fd[i], F_DUPFD_CLOEXEC, 10)) < 0)
            fail(st, "duplicating stdio");
    for (int i = 0; i < 3; i++)
        if (dup2(tmp[i], i) < 0)
            fail(st, "setting up stdio");
    /* Only 0-2 survive exec; the rest of this fd table (a copy of the
     * keeper's) is close-on-exec, the status pipe included. */
    if (sb_rlimits_apply(&l->lim, err, sizeof err) < 0)
        fail(st, err);
    const char *cwd = l->cwd ? l->cwd : "/box";
    if (chdir(cwd) < 0) {
        sb_errmsg(err, sizeof err, cwd, errno);
        fail(st, err);
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
            for (const char *q = path_dirs[i]; *q && n < sizeof path - 2; q++)
                path[n++] = *q;
            path[n++] = '/';
            for (const char *q = prog; *q && n < sizeof path - 1; q++)
                path[n++] = *q;
            path[n] = 0;
            execve(path, l->argv, l->envp);
            if (errno != ENOENT)
                e = errno;
        }
    }
    char what[SB_MSG_MAX];
    size_t n = 0;
    for (const char *q = "execve "; *q; q++)
        what[n++] = *q;
    for (const char *q = prog; *q && n + 1 < sizeof what - 64; q++)
        what[n++] = *q;
    what[n] = 0;
    sb_errmsg(err, sizeof err, what, e);
    fail(st, err);
}

static NOT_ASAN int program_entry(void *arg)
{
    program_main(arg);
}

/* Kill every process in the box but ourselves, and reap them all. As PID
 * 1 we inherit every orphan, so once waitpid says ECHILD and kill finds
 * no one, the box is empty. A fork racing with the kill is safe: the
 * parent's pending SIGKILL makes the fork fail. Usually the program left
 * nothing: then no child is left either, and the two scans of the whole
 * task list that kill(-1) costs are skipped. */
static void empty_box(long *maxrss)
{
    struct rusage ru;
    pid_t w = wait4(-1, NULL, WNOHANG | __WALL, &ru);
    if (w < 0 && errno == ECHILD)
        return;
    if (w > 0 && ru.ru_maxrss > *maxrss)
        *maxrss = ru.ru_maxrss;
    do {
        kill(-1, SIGKILL);
        while ((w = wait4(-1, NULL, __WALL, &ru)) > 0 || errno == EINTR)
            if (w > 0 && ru.ru_maxrss > *maxrss)
                *maxrss = ru.ru_maxrss;
    } while (kill(-1, 0) == 0);
}

/* The run's peak resident set, in KiB: the largest resident set of its
 * processes as they called exit_group (seccomp.c reads it before they
 * go), or the largest ru_maxrss (the high-water mark) of those reaped
 * when that is larger and above floor_kib. Why the floor: exec folds the
 * old address space's high-water mark into ru_maxrss, and the program's
 * old address space is ours (CLONE_VM), which holds what the launcher
 * inherited from its caller (a server's libraries' relocated data, its
 * heap: megabytes). So an ru_maxrss at or below our own high-water mark
 * says nothing about the program; one above it is some process's own. */
static uint64_t run_rss_kib(uint64_t exit_rss_kib, long maxrss, uint64_t floor_kib)
{
    uint64_t m = maxrss > 0 ? (uint64_t)maxrss : 0;
    return m > floor_kib && m > exit_rss_kib ? m : exit_rss_kib;
}

/* The run is over and the box empty. A run that came through the
 * launcher is handed back to it ('D'), which still holds the status pipe
 * and cleans up. A direct run is over when we close the status pipe,
 * unless it left something in /tmp: then the launcher gets the pipe with
 * the 'D' and closes it once /tmp is fresh. */
static void run_done(int sock, int status, bool direct)
{
    bool dirty = !sb_rootfs_tmp_is_fresh();
    if ((!direct || dirty) && sb_msg_send(sock, 'D', 0, &status, direct ? 1 : 0) < 0)
        sb_box_exit(1);
    close(status);
}

/* The keeper's set-up process: a fork of the launcher, still host root.
 * It joins what the host made for the slot (its network namespace, the
 * root template), resets the OOM score while privileged (which also
 * resets the floor programs could lower theirs to: the launcher is
 * OOM-immune), drops to the keeper uid and makes the keeper in new user,
 * PID, UTS, IPC, mount and cgroup namespaces at once, so that the user
 * namespace owns all the others. The keeper is the launcher's child
 * (CLONE_PARENT); this process tells the launcher who to map ('U' with
 * the keeper's pidfd) and ends. Returns in the keeper. */
static void keeper_make(struct sb_launch *l, int sock, int st)
{
    char err[SB_MSG_MAX];
    if (setns(l->fd[SB_FD_NETNS], CLONE_NEWNET) < 0) {
        sb_errmsg(err, sizeof err, "joining the slot network namespace", errno);
        fail(st, err);
    }
    if (setns(l->fd[SB_FD_MNTNS], CLONE_NEWNS) < 0) {
        sb_errmsg(err, sizeof err, "joining the box root template", errno);
        fail(st, err);
    }
    close(l->fd[SB_FD_NETNS]);
    close(l->fd[SB_FD_MNTNS]);
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1)
        fail(st, "resetting oom_score_adj");
    close(fd);
    if (sb_user_drop(l->keeper_uid, err, sizeof err) < 0)
        fail(st, err);
    int pidfd = -1;
    struct clone_args ca;
    memset(&ca, 0, sizeof ca);
    ca.flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS |
               CLONE_NEWCGROUP | CLONE_PARENT | CLONE_PIDFD;
    ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
    pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
    if (pid == 0)
        return; /* the keeper */
    if (pid < 0) {
        sb_errmsg(err, sizeof err, "starting the box keeper", errno);
        fail(st, err);
    }
    _exit(sb_msg_send(sock, 'U', pid, &pidfd, 1) < 0);
}

/* The keeper, just born: PID 1, root of its user namespace once mapped. */
static void keeper_setup(struct sb_launch *l, int sock, int st)
{
    char err[SB_MSG_MAX];
    /* If the launcher dies, the box dies (and with it the namespace). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* A session of its own, with no controlling terminal: no program can
     * reach the caller's terminal as its own (TIOCSTI, job control), even
     * given a tty fd (sb_run refuses those too). */
    if (setsid() < 0)
        fail(st, "starting a new session");
    if (sb_user_keeper(sock, err, sizeof err) < 0)
        fail(st, err);
    if (sethostname("nsjudge", 7) < 0 || setdomainname("nsjudge", 7) < 0)
        fail(st, "setting the hostname");
    if (sb_rootfs_keeper_mounts(l->run.tmp_opts, err, sizeof err) < 0)
        fail(st, err);
    /* The credential changes cleared this; set it again. */
    prctl(PR_SET_DUMPABLE, 0);
}

/* The PID counter of the box's namespace survives between runs: a run
 * could fork K times and the next read K back from its own pid. Before
 * every run the keeper (whose user namespace owns the PID namespace, so
 * it may) moves the counter to a random place. Kernels without
 * CONFIG_CHECKPOINT_RESTORE have no ns_last_pid: then fd is -1. */
static void scramble_pids(int fd, unsigned pid_max)
{
    unsigned r = 0;
    if (fd < 0 || syscall(SYS_getrandom, &r, sizeof r, 0) != sizeof r)
        return;
    unsigned span = pid_max > 4096 ? pid_max - 2048 : pid_max / 2;
    char buf[16];
    int n = 0;
    unsigned v = 300 + r % span, d = 1;
    while (v / d >= 10)
        d *= 10;
    for (; d; d /= 10)
        buf[n++] = (char)('0' + v / d % 10);
    (void)!pwrite(fd, buf, (size_t)n, 0);
}

static unsigned read_pid_max(void)
{
    char buf[16] = "";
    int fd = open("/proc/sys/kernel/pid_max", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    unsigned v = 0;
    for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
        v = v * 10 + (unsigned)(buf[i] - '0');
    return v > 1024 ? v : 32768;
}

_Noreturn void sb_keeper_main(struct sb_launch *l, int sock)
{
    int st = l->fd[SB_FD_STATUS], rsock = l->fd[SB_FD_RUNSOCK];
    /* Keep only what the keeper needs, nothing else the launcher holds. */
    int keep[5] = {sock, st, l->fd[SB_FD_NETNS], l->fd[SB_FD_MNTNS], rsock};
    sb_close_fds_except(keep, 5);
    /* No handler or ignored signal of the launcher's may reach programs. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_NAME, "nsjudge-keeper");

    keeper_make(l, sock, st);
    keeper_setup(l, sock, st);
    int last_pid = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
    unsigned pid_max = read_pid_max();
    scramble_pids(last_pid, pid_max);
    /* The launch area is the supervisor's and the launcher's word to us:
     * read-only in this process (and so in each program until its exec). */
    mprotect(l, SB_LAUNCH_SIZE, PROT_READ);
    int listener = -1;
    if (!l->no_seccomp) {
        listener = sb_filter_load(&l->filter);
        if (listener < 0) {
            char err[SB_MSG_MAX];
            sb_errmsg(err, sizeof err, "loading the seccomp filter", -listener);
            fail(st, err);
        }
    }
    close(st);
    if (sb_msg_send(sock, 'A', 0, NULL, 0) < 0)
        sb_box_exit(1);

    /* vfork-style start (shared memory, the keeper sleeps until exec): no
     * copy of page tables. The stack is a static buffer of this process. */
    static char stack[64 * 1024] __attribute__((aligned(16)));
    static struct program prog;
    prog.l = l;
    pid_t child = 0;
    int child_fd = -1;
    bool blocked = false, direct = false;
    int retire = 0;
    uint64_t exit_rss_kib = 0, floor_kib = 0; /* this run's (run_rss_kib) */
    long maxrss = 0;
    for (;;) {
        struct pollfd p[4] = {{.fd = sock, .events = POLLIN}, {.fd = listener, .events = POLLIN},
                              {.fd = child_fd, .events = POLLIN}, {.fd = rsock, .events = POLLIN}};
        if (poll(p, 4, child > 0 ? 200 : -1) < 0 && errno != EINTR)
            sb_box_exit(1);
        if (p[1].revents & POLLIN) {
            int passed, nr = sb_filter_answer(listener, &passed, &exit_rss_kib);
            if (nr >= 0 && child > 0 && !blocked) {
                blocked = true;
                sb_report_send(prog.fd[3], 'S', nr, NULL);
            }
            if (passed == __NR_shmget || passed == __NR_msgget || passed == __NR_semget)
                retire |= SB_RETIRE_IPC;
            else if (passed == __NR_socket)
                retire |= SB_RETIRE_NET;
        } else if (p[1].revents)
            listener = -1; /* cannot happen while we use the filter ourselves */
        if (child > 0) {
            /* Reap orphans as they end, and notice the program's end. */
            int status;
            pid_t w;
            struct rusage ru;
            while ((w = wait4(-1, &status, WNOHANG | __WALL, &ru)) > 0) {
                if (ru.ru_maxrss > maxrss)
                    maxrss = ru.ru_maxrss;
                if (w == child) {
                    uint64_t rss = run_rss_kib(exit_rss_kib, maxrss, floor_kib);
                    report(prog.fd[3], 'W', status, NULL, rss);
                    empty_box(&maxrss);
                    if (run_rss_kib(exit_rss_kib, maxrss, floor_kib) > rss)
                        report(prog.fd[3], 'M', 0, NULL, run_rss_kib(exit_rss_kib, maxrss, floor_kib));
                    /* SysV IPC ids and the network statistics come from
                     * counters of the namespaces that no one can reset:
                     * after a run that made a SysV object or an IP socket,
                     * this keeper (and with it the IPC namespace and every
                     * object in it) goes, and the next run gets a new one,
                     * in a new network namespace after an IP socket.
                     * Judged programs hardly ever use either. */
                    if (retire)
                        sb_report_send(prog.fd[3], 'Q', retire, NULL);
                    close(child_fd);
                    child = 0;
                    child_fd = -1;
                    run_done(sock, prog.fd[3], direct);
                    if (retire)
                        sb_box_exit(0);
                    scramble_pids(last_pid, pid_max); /* off the run's clock */
                    break;
                }
            }
            continue;
        }
        if (p[0].revents & (POLLHUP | POLLERR))
            sb_box_exit(0); /* the launcher is gone */
        direct = !(p[0].revents & POLLIN);
        if (direct && !p[3].revents)
            continue;
        char kind = 0;
        int value, n = sb_msg_recv(direct ? rsock : sock, &kind, &value, prog.fd, 4);
        if (n < 0 && !direct)
            sb_box_exit(0); /* the launcher is gone */
        if (n < 0) {
            rsock = -1; /* the supervisor dropped its end: launcher runs only */
            continue;
        }
        if (kind != 'R' || n != 4) {
            for (int i = 0; i < n; i++)
                close(prog.fd[i]);
            continue;
        }
        blocked = false;
        exit_rss_kib = 0;
        maxrss = 0;
#ifdef __SANITIZE_ADDRESS__
        /* the last program never returned from its frames on this stack */
        __asan_unpoison_memory_region(stack, sizeof stack);
#endif
        child = clone(program_entry, stack + sizeof stack,
                      CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &prog, &child_fd);
        for (int i = 0; i < 3; i++)
            close(prog.fd[i]);
        /* the program has exec'd (or failed): its ru_maxrss starts here */
        struct rusage self;
        floor_kib = getrusage(RUSAGE_SELF, &self) == 0 ? (uint64_t)self.ru_maxrss : 0;
        if (child < 0) {
            char err[SB_MSG_MAX];
            sb_errmsg(err, sizeof err, "starting the program", errno);
            sb_report_send(prog.fd[3], 'E', 0, err);
            child = 0;
            child_fd = -1;
            run_done(sock, prog.fd[3], direct);
        }
    }
}
