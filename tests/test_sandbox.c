/*
 * test_sandbox.c - the sandbox's limits and measurements: every limit
 * flag proves its limit, and CPU time and peak memory are accurate.
 * (Isolation against hostile programs: test_sandbox_hostile*.c.)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <math.h>
#include <signal.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "tests/test_sandbox_util.h"

TestSuite(sandbox_limits, .timeout = 60);

Test(sandbox_limits, echo_ok)
{
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    char out[64];
    const char *argv[] = {"/bin/echo", "hi", NULL};
    run_program(slot, NULL, argv, &res, out, sizeof out);
    cr_assert_eq(res.status, SB_OK, "%s: %s", sb_status_code(res.status), res.message);
    cr_assert_str_eq(out, "hi\n");
    sb_slot_close(slot);
}

Test(sandbox_limits, exit_code_and_signal)
{
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    const char *a1[] = {"/box/exitcode", "7", NULL};
    run_program(slot, NULL, a1, &res, NULL, 0);
    cr_assert_eq(res.status, SB_RE);
    cr_assert_eq(res.exit_code, 7);
    const char *a2[] = {"/box/exitcode", "0", "6", NULL}; /* SIGABRT */
    run_program(slot, NULL, a2, &res, NULL, 0);
    cr_assert_eq(res.status, SB_SG, "%s", res.message);
    cr_assert_eq(res.signal, SIGABRT);
    sb_slot_close(slot);
}

Test(sandbox_limits, missing_program_is_sandbox_error)
{
    struct sb_slot *slot = open_slot();
    struct sb_config cfg;
    struct sb_result res;
    sb_config_init(&cfg);
    const char *argv[] = {"/box/no-such-program", NULL};
    cfg.argv = argv;
    cr_assert_lt(sb_run(slot, &cfg, &res), 0);
    cr_assert_eq(res.status, SB_XX);
    cr_assert(strstr(res.message, "no-such-program"), "%s", res.message);
    sb_slot_close(slot);
}

Test(sandbox_limits, cpu_limit_is_prompt)
{
    skip_if_emulated("a kill within 30 ms of CPU");
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    struct sb_limits lim = {.cpu_s = 0.3, .wall_s = 10};
    const char *argv[] = {"/box/burn", "5", NULL};
    run_program(slot, &lim, argv, &res, NULL, 0);
    cr_assert_eq(res.status, SB_TO, "%s", res.message);
    cr_assert_geq(res.cpu_s, 0.3);
    /* killed within a few ms of CPU past the limit, not a 100 ms poll */
    cr_assert_lt(res.cpu_s, 0.3 + 0.03, "cpu %.4f", res.cpu_s);
    sb_slot_close(slot);
}

Test(sandbox_limits, cpu_of_threads_is_counted)
{
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    struct sb_limits lim = {.cpu_s = 0.4, .wall_s = 10};
    const char *argv[] = {"/box/burn", "5", "4", NULL};
    run_program(slot, &lim, argv, &res, NULL, 0);
    cr_assert_eq(res.status, SB_TO, "%s", res.message);
    cr_assert_geq(res.cpu_s, 0.4);
    sb_slot_close(slot);
}

Test(sandbox_limits, wall_limit)
{
    skip_if_emulated("under 0.2 s of CPU for starting sleep");
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    struct sb_limits lim = {.cpu_s = 5, .wall_s = 0.3};
    const char *argv[] = {"/bin/sleep", "30", NULL};
    run_program(slot, &lim, argv, &res, NULL, 0);
    cr_assert_eq(res.status, SB_TO, "%s", res.message);
    cr_assert(strstr(res.message, "wall"), "%s", res.message);
    cr_assert_lt(res.cpu_s, 0.2);
    sb_slot_close(slot);
}

Test(sandbox_limits, extra_time_still_reports_TO)
{
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    /* finishes at 0.3 s of CPU: inside the grace, still over the limit */
    struct sb_limits lim = {.cpu_s = 0.2, .cpu_extra_s = 0.5, .wall_s = 10};
    const char *argv[] = {"/box/burn", "0.3", NULL};
    run_program(slot, &lim, argv, &res, NULL, 0);
    cr_assert_eq(res.status, SB_TO, "%s %s", sb_status_code(res.status), res.message);
    cr_assert_geq(res.cpu_s, 0.3);
    sb_slot_close(slot);
}

Test(sandbox_limits, memory_limit)
{
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    struct sb_limits lim = {.cpu_s = 5, .mem_kib = 32 * 1024};
    const char *argv[] = {"/box/touch", "256", NULL};
    run_program(slot, &lim, argv, &res, NULL, 0);
    cr_assert_eq(res.status, SB_ML, "%s %s", sb_status_code(res.status), res.message);
    cr_assert_leq(res.mem_kib, 32 * 1024 + 64);
    /* under the limit: fine */
    const char *ok[] = {"/box/touch", "8", NULL};
    run_program(slot, &lim, ok, &res, NULL, 0);
    cr_assert_eq(res.status, SB_OK, "%s %s", sb_status_code(res.status), res.message);
    sb_slot_close(slot);
}

/* Reading a file bigger than the memory limit fills the box's cgroup with
 * page cache, which the kernel reclaims at the limit: the program
 * survives and exits 0, but it reached its limit, so the verdict is ML
 * every time rather than whatever the reclaim allowed. */
Test(sandbox_limits, reaching_the_limit_and_surviving_is_ML)
{
    struct sb_slot *slot = open_slot();
    /* a disk file system: tmpfs pages are not page cache the box could
     * be charged for (the cgroup v2 VM has a tmpfs /var/tmp) */
    char dir[64], big[128];
    struct statfs fs;
    const char *base = statfs("/var/tmp", &fs) == 0 && fs.f_type != TMPFS_MAGIC ? "/var/tmp" : "/tmp";
    if (statfs(base, &fs) < 0 || fs.f_type == TMPFS_MAGIC)
        cr_skip_test("needs a disk file system in /var/tmp or /tmp (both are tmpfs here)");
    snprintf(dir, sizeof dir, "%s/nsjudge-test-pagecache-XXXXXX", base);
    cr_assert(mkdtemp(dir));
    chmod(dir, 0755);
    snprintf(big, sizeof big, "%s/big", dir);
    int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(fd >= 0);
    static char block[1 << 20];
    memset(block, 'x', sizeof block);
    for (int i = 0; i < 64; i++)
        cr_assert_eq(write(fd, block, sizeof block), (ssize_t)sizeof block);
    /* out of the page cache, so the box's own reads are charged to it */
    fdatasync(fd);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
    struct sb_config cfg;
    struct sb_result res;
    const char *argv[] = {"/bin/cat", "/box/big", NULL};
    sb_config_init(&cfg);
    cfg.argv = argv;
    cfg.box_dir = dir;
    cfg.limits.cpu_s = 5;
    cfg.limits.mem_kib = 16 * 1024;
    cr_assert_eq(sb_run(slot, &cfg, &res), 0, "%s", res.message);
    unlink(big);
    rmdir(dir);
    cr_assert_eq(res.status, SB_ML, "%s exit %d, %llu KiB: %s", sb_status_code(res.status), res.exit_code,
                 (unsigned long long)res.mem_kib, res.message);
    sb_slot_close(slot);
}

Test(sandbox_limits, output_limit)
{
    struct sb_slot *slot = open_slot();
    char path[] = "/tmp/nsjudge-test-flood-XXXXXX";
    int fd = mkostemp(path, O_CLOEXEC);
    cr_assert(fd >= 0);
    unlink(path);
    struct sb_config cfg;
    struct sb_result res;
    sb_config_init(&cfg);
    const char *argv[] = {"/box/flood", "32", NULL};
    cfg.argv = argv;
    cfg.box_dir = programs_dir();
    cfg.stdout_fd = fd;
    cfg.limits.fsize_kib = 1024;
    cr_assert_eq(sb_run(slot, &cfg, &res), 0, "%s", res.message);
    cr_assert_eq(res.status, SB_OL, "%s %s", sb_status_code(res.status), res.message);
    struct stat st;
    fstat(fd, &st);
    cr_assert_leq(st.st_size, 1024 * 1024, "host file grew to %lld", (long long)st.st_size);
    close(fd);
    sb_slot_close(slot);
}

Test(sandbox_limits, process_limit)
{
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    char out[32];
    struct sb_limits lim = {.cpu_s = 2, .procs = 10};
    const char *argv[] = {"/box/forker", "50", NULL};
    run_program(slot, &lim, argv, &res, out, sizeof out);
    cr_assert_eq(res.status, SB_OK, "%s", res.message);
    int started = atoi(out);
    cr_assert_lt(started, 10, "started %d children with a limit of 10", started);
    cr_assert_gt(started, 0);
    sb_slot_close(slot);
}

Test(sandbox_limits, stack_limit)
{
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    const char *argv[] = {"/box/recurse", "32", NULL};
    struct sb_limits small = {.cpu_s = 2, .stack_kib = 4 * 1024};
    run_program(slot, &small, argv, &res, NULL, 0);
    cr_assert_eq(res.status, SB_SG, "%s %s", sb_status_code(res.status), res.message);
    cr_assert_eq(res.signal, SIGSEGV);
    struct sb_limits big = {.cpu_s = 2, .stack_kib = 128 * 1024};
    run_program(slot, &big, argv, &res, NULL, 0);
    cr_assert_eq(res.status, SB_OK, "%s %s", sb_status_code(res.status), res.message);
    sb_slot_close(slot);
}

Test(sandbox_limits, cpu_time_accuracy)
{
    skip_if_emulated("CPU time precision");
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    char out[64];
    struct sb_limits lim = {.cpu_s = 5};
    const char *argv[] = {"/box/burn", "0.5", NULL};
    run_program(slot, &lim, argv, &res, out, sizeof out);
    cr_assert_eq(res.status, SB_OK, "%s", res.message);
    double own = atof(out);
    cr_assert_geq(own, 0.5);
    /* 2%, plus 10 ms for what the program's own clock cannot see: its exec
     * and its exit (under a loaded ASan run that alone reached 2.05%) */
    cr_assert_lt(fabs(res.cpu_s - own), 0.02 * own + 0.010, "reported %.4f, program measured %.4f",
                 res.cpu_s, own);
    sb_slot_close(slot);
}

Test(sandbox_limits, peak_memory_accuracy)
{
#ifdef __SANITIZE_ADDRESS__
    /* ASan's shadow pages in the launcher and box init (same cgroup) add
     * ~2 MiB; accuracy is a property of the real build, tested there. */
    cr_skip_test("peak memory accuracy is tested in the non-sanitizer build");
#endif
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    struct sb_limits lim = {.cpu_s = 5, .mem_kib = 512 * 1024};
    const char *argv[] = {"/box/touch", "64", NULL};
    run_program(slot, &lim, argv, &res, NULL, 0);
    cr_assert_eq(res.status, SB_OK, "%s", res.message);
    long diff = (long)res.mem_kib - 64 * 1024;
    cr_assert_lt(labs(diff), 2048, "reported %llu KiB for 64 MiB", (unsigned long long)res.mem_kib);
    sb_slot_close(slot);
}

/* The cgroup charges memory in per-CPU batches of 64 pages, so on its
 * own it put a hello world at 0 KiB in some runs and 256 KiB in others.
 * The peak resident set read at exit is the program's own: every run the
 * same, within what address-space randomisation moves. */
Test(sandbox_limits, small_program_peak_is_steady)
{
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    struct sb_limits lim = {.cpu_s = 5, .mem_kib = 256 * 1024};
    const char *argv[] = {"/box/hello", NULL};
    uint64_t lo = UINT64_MAX, hi = 0;
    char seen[20 * 12] = "";
    /* The first run of a slot also makes its box init, in the box's
     * cgroup: its pages are in that run's cgroup peak (a few hundred KiB,
     * megabytes under ASan, whose shadow it touches). */
    run_program(slot, &lim, argv, &res, NULL, 0);
    cr_assert_eq(res.status, SB_OK, "%s", res.message);
    for (int i = 0; i < 20; i++) {
        char out[16];
        run_program(slot, &lim, argv, &res, out, sizeof out);
        cr_assert_eq(res.status, SB_OK, "%s", res.message);
        cr_assert_str_eq(out, "hello\n");
        cr_assert_geq(res.mem_kib, 100, "run %d: peak %llu KiB", i, (unsigned long long)res.mem_kib);
        cr_assert_leq(res.mem_kib, 8 * 1024, "run %d: peak %llu KiB", i, (unsigned long long)res.mem_kib);
        cr_assert_geq(res.mem_kib, res.mem_cgroup_kib);
        cr_assert_geq(res.mem_kib, res.mem_rss_kib);
        lo = res.mem_kib < lo ? res.mem_kib : lo;
        hi = res.mem_kib > hi ? res.mem_kib : hi;
        size_t k = strlen(seen);
        snprintf(seen + k, sizeof seen - k, " %llu", (unsigned long long)res.mem_kib);
    }
    cr_assert_leq(hi - lo, 512, "peaks (KiB) over 20 runs:%s", seen);
    sb_slot_close(slot);
}

/* A program killed by a signal never calls exit_group: its peak comes
 * from its ru_maxrss, which is its own once above the box init's. */
Test(sandbox_limits, killed_program_peak_counts_its_memory)
{
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    struct sb_limits lim = {.cpu_s = 5, .mem_kib = 256 * 1024};
    const char *argv[] = {"/box/hello", "24", "11", NULL}; /* 24 MiB, SIGSEGV */
    run_program(slot, &lim, argv, &res, NULL, 0);
    cr_assert_eq(res.status, SB_SG, "%s %s", sb_status_code(res.status), res.message);
    cr_assert_eq(res.signal, SIGSEGV);
    cr_assert_geq(res.mem_rss_kib, 24 * 1024, "resident peak %llu KiB",
                  (unsigned long long)res.mem_rss_kib);
    cr_assert_lt(res.mem_kib, 24 * 1024 + 4096, "peak %llu KiB", (unsigned long long)res.mem_kib);
    sb_slot_close(slot);
}

/* The resident set read at exit is the program's to shrink: giving its
 * memory back first must not hide it (the cgroup's peak and ru_maxrss
 * still hold it). */
Test(sandbox_limits, memory_freed_before_exit_still_counts)
{
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    struct sb_limits lim = {.cpu_s = 5, .mem_kib = 256 * 1024};
    const char *argv[] = {"/box/hello", "24", "0", NULL};
    run_program(slot, &lim, argv, &res, NULL, 0);
    cr_assert_eq(res.status, SB_OK, "%s %s", sb_status_code(res.status), res.message);
    cr_assert_geq(res.mem_kib, 24 * 1024, "peak %llu KiB (cgroup %llu, resident %llu)",
                  (unsigned long long)res.mem_kib, (unsigned long long)res.mem_cgroup_kib,
                  (unsigned long long)res.mem_rss_kib);
    sb_slot_close(slot);
}

Test(sandbox_limits, tmp_size_limit)
{
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    struct sb_limits lim = {.cpu_s = 5, .tmp_kib = 1024};
    const char *argv[] = {"/bin/sh", "-c", "head -c 4000000 /dev/zero > /tmp/f; echo $?", NULL};
    char out[32];
    run_program(slot, &lim, argv, &res, out, sizeof out);
    cr_assert_eq(res.status, SB_OK, "%s", res.message);
    cr_assert_neq(atoi(out), 0, "a 4 MB file fit in a 1 MiB /tmp");
    sb_slot_close(slot);
}

/* A slot opener killed while it had its mount-point directory leaves it
 * behind; the next slot opened removes it. */
Test(sandbox_limits, stale_root_dirs_are_removed)
{
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    waitpid(dead, NULL, 0);
    char stale[128];
    mkdir("/run/nsjudge", 0700);
    snprintf(stale, sizeof stale, "/run/nsjudge/root-%d-test", (int)dead);
    cr_assert(mkdir(stale, 0700) == 0, "%s: %s", stale, strerror(errno));
    struct sb_slot *slot = open_slot();
    struct stat st;
    cr_assert(stat(stale, &st) < 0, "%s is still there", stale);
    sb_slot_close(slot);
}

Test(sandbox_limits, runs_in_one_slot_share_nothing)
{
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    char out[128];
    const char *w[] = {"/bin/sh", "-c", "echo x > /tmp/left; echo y > /dev/shm/left; "
                       "(sleep 30 &) ; echo ok", NULL};
    run_program(slot, NULL, w, &res, out, sizeof out);
    cr_assert_eq(res.status, SB_OK, "%s", res.message);
    const char *r[] = {"/bin/sh", "-c", "ls /tmp /dev/shm; ls /proc | grep -c '^[0-9]'", NULL};
    run_program(slot, NULL, r, &res, out, sizeof out);
    cr_assert_eq(res.status, SB_OK, "%s", res.message);
    cr_assert_null(strstr(out, "left"), "a file survived into the next run: %s", out);
    /* the same again, now that the slot's keeper takes the runs directly
     * (the first run of a slot goes through its launcher) */
    for (int i = 0; i < 2; i++) {
        run_program(slot, NULL, w, &res, out, sizeof out);
        cr_assert_eq(res.status, SB_OK, "%s", res.message);
        run_program(slot, NULL, r, &res, out, sizeof out);
        cr_assert_eq(res.status, SB_OK, "%s", res.message);
        cr_assert_null(strstr(out, "left"), "a file survived into the next run: %s", out);
    }
    sb_slot_close(slot);
}

Test(sandbox_limits, blocked_syscall_is_named)
{
    struct sb_slot *slot = open_slot();
    struct sb_result res;
    const char *argv[] = {"/usr/bin/unshare", "-U", "/bin/true", NULL};
    run_program(slot, NULL, argv, &res, NULL, 0);
    cr_assert_eq(res.status, SB_RE, "%s: %s", sb_status_code(res.status), res.message);
    cr_assert(strstr(res.message, "blocked system call: unshare"), "%s", res.message);
    const char *ok[] = {"/bin/echo", "x", NULL};
    run_program(slot, NULL, ok, &res, NULL, 0);
    cr_assert_eq(res.status, SB_OK);
    cr_assert_null(strstr(res.message, "blocked"), "%s", res.message);
    sb_slot_close(slot);
}

/* ---- slot ids are the sandbox's ----------------------------------------- */

struct any_open { struct sb_slot *slot; int rc; char err[256]; };

static void *open_any(void *arg)
{
    struct any_open *a = arg;
    struct sb_slot_options o = {.id = SB_SLOT_ANY};
    a->rc = sb_slot_open(&o, &a->slot, a->err, sizeof a->err);
    return NULL;
}

/* Slots opened at once from several threads get distinct ids and box
 * uids; an id in use, in this process or another, is refused (it was
 * shared silently before: two boxes with one uid). */
Test(sandbox_slots, ids_are_held_host_wide, .timeout = 120)
{
    test_need_root();
    struct any_open a[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, open_any, &a[i]), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(a[i].rc, 0, "%s", a[i].err);
        for (int k = 0; k < i; k++) {
            cr_expect_neq(sb_slot_id(a[i].slot), sb_slot_id(a[k].slot));
            cr_expect_neq(sb_slot_box_uid(a[i].slot), sb_slot_box_uid(a[k].slot));
        }
    }
    /* the same id again, from this process and from another */
    int taken = sb_slot_id(a[0].slot);
    struct sb_slot_options o = {.id = taken};
    struct sb_slot *dup = NULL;
    char err[256];
    cr_assert_eq(sb_slot_open(&o, &dup, err, sizeof err), -EBUSY);
    cr_assert(strstr(err, "held"), "%s", err);
    pid_t pid = fork();
    if (pid == 0) {
        struct sb_slot *c = NULL;
        char e[256];
        _exit(sb_slot_open(&o, &c, e, sizeof e) == -EBUSY ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "another process got a held id");
    /* an id 100000 further on gives the same box uid: held as well */
    struct sb_slot_options alias = {.id = taken + 100000};
    cr_assert_eq(sb_slot_open(&alias, &dup, err, sizeof err), -EBUSY, "two slots with one uid");
    /* closed, it is free again */
    sb_slot_close(a[0].slot);
    cr_assert_eq(sb_slot_open(&o, &dup, err, sizeof err), 0, "%s", err);
    cr_assert_eq(sb_slot_id(dup), taken);
    sb_slot_close(dup);
    for (int i = 1; i < 4; i++)
        sb_slot_close(a[i].slot);
}

/* A pinned slot's boxes run on its CPU (they inherit it from the slot's
 * launcher and keeper), an unpinned slot's wherever this process may. */
Test(sandbox_slots, pinned_slot_runs_its_boxes_on_its_cpu, .timeout = 60)
{
    test_need_root();
    cpu_set_t ours;
    cr_assert_eq(sched_getaffinity(0, sizeof ours, &ours), 0);
    int last = -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &ours))
            last = c;
    struct sb_slot *slot = NULL;
    char err[SB_MSG_MAX], out[256], want[64];
    struct sb_slot_options o = {.id = SB_SLOT_ANY, .pin_cpu = true, .cpu = last};
    cr_assert_eq(sb_slot_open(&o, &slot, err, sizeof err), 0, "%s", err);
    const char *argv[] = {"/bin/grep", "Cpus_allowed_list", "/proc/self/status", NULL};
    struct sb_result res;
    for (int run = 0; run < 2; run++) { /* the first run starts the keeper, the second reuses it */
        run_program(slot, NULL, argv, &res, out, sizeof out);
        cr_assert_eq(res.status, SB_OK, "%s", res.message);
        snprintf(want, sizeof want, "Cpus_allowed_list:\t%d\n", last);
        cr_assert_str_eq(out, want, "run %d", run);
    }
    sb_slot_close(slot);
    if (CPU_COUNT(&ours) < 2)
        return;
    slot = open_slot();
    run_program(slot, NULL, argv, &res, out, sizeof out);
    cr_assert_eq(res.status, SB_OK, "%s", res.message);
    cr_assert_str_neq(out, want, "an unpinned slot is not pinned");
    sb_slot_close(slot);
}

/* ---- a slot opened by a threaded process ---------------------------------- */

/* malloc_stats() writes to stderr while it holds malloc's main-arena
 * lock: with stderr a full pipe, the holder thread keeps that lock until
 * the drainer reads the pipe. The other threads exist (and have their own
 * arenas) before it takes the lock. */
static atomic_int holder_tid, holder_done, go, opening;
static int held_pipe[2];

static void *hold_malloc_lock(void *arg)
{
    atomic_store(&holder_tid, (int)syscall(SYS_gettid));
    malloc_stats();
    atomic_store(&holder_done, 1);
    return NULL;
}

static void *drain_when_opening(void *arg)
{
    while (!atomic_load(&opening))
        usleep(1000);
    sleep(1); /* long enough for the slot's launcher to be born while the lock is held */
    char buf[4096];
    fcntl(held_pipe[0], F_SETFL, O_NONBLOCK);
    while (!atomic_load(&holder_done)) {
        while (read(held_pipe[0], buf, sizeof buf) > 0)
            ;
        usleep(1000);
    }
    return NULL;
}

/* The holder blocked in write(2), i.e. inside malloc_stats with the lock. */
static bool holder_in_write(void)
{
    char path[64], buf[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", atomic_load(&holder_tid));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    return atoi(buf) == SYS_write && strchr(buf, ' ');
}

struct open_run {
    int rc;
    char err[SB_MSG_MAX], out[64];
    struct sb_result res;
};

/* Opens the slot and runs in it: the slot's processes die with the
 * thread that opened it. */
static void *open_slot_thread(void *arg)
{
    struct open_run *o = arg;
    free(malloc(100000)); /* this thread's own arena, before the lock is taken */
    while (!atomic_load(&go))
        usleep(1000);
    struct sb_slot_options opt = {.id = SB_SLOT_ANY};
    struct sb_slot *slot = NULL;
    atomic_store(&opening, 1);
    if ((o->rc = sb_slot_open(&opt, &slot, o->err, sizeof o->err)))
        return NULL;
    while (!atomic_load(&holder_done))
        usleep(1000);
    /* with the lock inherited, this run never ends (the test's timeout) */
    const char *argv[] = {"/bin/echo", "alive", NULL};
    o->rc = run_capture(slot, NULL, NULL, argv, &o->res, o->out, sizeof o->out);
    sb_slot_close(slot);
    return NULL;
}

/* The slot's launcher is born while another thread of this process holds
 * a malloc lock. A raw clone() (cgroup v2's CLONE_INTO_CGROUP) skips the
 * fork handlers that release it in the child, and the launcher then hung
 * in its first fork() for good: serve's worker waited forever on its first
 * job. The slot is opened on a thread of its own, whose allocations use
 * another arena, so only the launcher's fork meets the held lock. */
Test(sandbox_slots, launcher_born_while_malloc_is_locked_runs, .timeout = 120)
{
    test_need_root();
    cr_assert_eq(pipe2(held_pipe, O_CLOEXEC), 0);
    char buf[4096];
    memset(buf, 'x', sizeof buf);
    fcntl(held_pipe[1], F_SETFL, O_NONBLOCK);
    while (write(held_pipe[1], buf, sizeof buf) > 0)
        ;
    fcntl(held_pipe[1], F_SETFL, 0);
    pthread_t holder, drainer, opener;
    struct open_run o = {0};
    cr_assert_eq(pthread_create(&drainer, NULL, drain_when_opening, NULL), 0);
    cr_assert_eq(pthread_create(&opener, NULL, open_slot_thread, &o), 0);
    int saved_stderr = dup(2);
    cr_assert_geq(saved_stderr, 0);
    dup2(held_pipe[1], 2);
    if (pthread_create(&holder, NULL, hold_malloc_lock, NULL)) {
        dup2(saved_stderr, 2);
        cr_assert_fail("no holder thread");
    }
    /* from here on this thread allocates nothing until the holder is done */
    for (int i = 0; i < 5000 && !holder_in_write(); i++)
        usleep(1000);
    bool held = holder_in_write();
    atomic_store(&go, 1);
    pthread_join(opener, NULL);
    pthread_join(holder, NULL);
    pthread_join(drainer, NULL);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    close(held_pipe[0]);
    close(held_pipe[1]);
    cr_assert(held, "malloc_stats did not block in write(2): the test proves nothing");
    cr_assert_eq(o.rc, 0, "%s %s", o.err, o.res.message);
    cr_assert_eq(o.res.status, SB_OK, "%s: %s", sb_status_code(o.res.status), o.res.message);
    cr_assert_str_eq(o.out, "alive\n");
}

/* This process's child named nsjudge-launch (the one slot's launcher), or -1. */
static pid_t find_launcher(void)
{
    DIR *d = opendir("/proc");
    cr_assert(d);
    struct dirent *e;
    pid_t found = -1;
    while ((e = readdir(d))) {
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        char *close_paren = strrchr(buf, ')');
        long ppid = 0;
        if (strstr(buf, "(nsjudge-launch)") && close_paren &&
            sscanf(close_paren + 2, "%*c %ld", &ppid) == 1 && ppid == getpid())
            found = (pid_t)atoi(e->d_name);
    }
    closedir(d);
    return found;
}

/* A launcher that stops answering (hung, as one was on a lock it
 * inherited) is killed after the slot's launcher timeout and replaced:
 * the run goes on in a new one instead of waiting forever. */
Test(sandbox_slots, hung_launcher_is_replaced, .timeout = 120)
{
    test_need_root();
    struct sb_slot_options o = {.id = SB_SLOT_ANY, .launcher_timeout_s = 1};
    struct sb_slot *slot = NULL;
    char err[SB_MSG_MAX], out[64];
    cr_assert_eq(sb_slot_open(&o, &slot, err, sizeof err), 0, "%s", err);
    struct sb_result res;
    const char *echo[] = {"/bin/echo", "one", NULL};
    run_program(slot, NULL, echo, &res, out, sizeof out);
    cr_assert_eq(res.status, SB_OK, "%s", res.message);
    pid_t old = find_launcher();
    cr_assert_gt(old, 0, "no launcher found");
    cr_assert_eq(kill(old, SIGSTOP), 0);
    /* another /box: a remount, which only the launcher does */
    char dir[] = "/tmp/nsjudge-test-box-XXXXXX";
    cr_assert(mkdtemp(dir));
    chmod(dir, 0755);
    const char *two[] = {"/bin/echo", "two", NULL};
    int r = run_capture(slot, NULL, dir, two, &res, out, sizeof out);
    rmdir(dir);
    cr_assert_eq(r, 0, "sb_run: %s", res.message);
    cr_assert_eq(res.status, SB_OK, "%s", res.message);
    cr_assert_str_eq(out, "two\n");
    cr_assert(kill(old, 0) < 0 && errno == ESRCH, "the hung launcher %d is still there", (int)old);
    pid_t now = find_launcher();
    cr_assert(now > 0 && now != old, "no new launcher");
    sb_slot_close(slot);
}
