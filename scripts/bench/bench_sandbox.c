/*
 * bench_sandbox.c - launch cost of the sandbox against the fork+exec floor,
 * all measured in the same run (this VM is noisy: compare ratios, not
 * absolute numbers). Usage: bench_sandbox BOXDIR NSJUDGE_BIN [RUNS]
 * BOXDIR holds static `noop`, `burn` and `touch` programs.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "sandbox/sandbox.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct stats { double median, p99, mean; };

static struct stats summarize(double *v, int n)
{
    struct stats s = {0, 0, 0};
    qsort(v, n, sizeof *v, cmp);
    for (int i = 0; i < n; i++)
        s.mean += v[i] / n;
    s.median = v[n / 2];
    s.p99 = v[(int)(n * 0.99) < n ? (int)(n * 0.99) : n - 1];
    return s;
}

static void bare(const char *prog, double *t, int n)
{
    for (int i = 0; i < n; i++) {
        double t0 = now();
        pid_t p = fork();
        if (p == 0) {
            execl(prog, prog, (char *)NULL);
            _exit(127);
        }
        waitpid(p, NULL, 0);
        t[i] = now() - t0;
    }
}

/* `nsjudge run` as a whole process; keep: with --keep (a kept slot). */
static void cli(const char *bin, const char *box, bool keep, double *t, int n)
{
    for (int i = 0; i < n; i++) {
        double t0 = now();
        pid_t p = fork();
        if (p == 0) {
            int devnull = open("/dev/null", O_WRONLY);
            dup2(devnull, 2); /* nsjudge run's own status line */
            if (keep)
                execl(bin, bin, "run", "--keep=5", "--box", box, "--", "/box/noop", (char *)NULL);
            else
                execl(bin, bin, "run", "--box", box, "--", "/box/noop", (char *)NULL);
            _exit(127);
        }
        int st;
        waitpid(p, &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st)) {
            fprintf(stderr, "nsjudge run failed\n");
            exit(1);
        }
        t[i] = now() - t0;
    }
}

struct loop_arg { const char *box; int id, n; double *t; int fail; double start, end; struct sb_slot *slot; };

/* n runs of the no-op in a->slot, or in a slot of its own (id) when NULL. */
static void *lib_loop(void *p)
{
    struct loop_arg *a = p;
    struct sb_slot *slot = a->slot;
    char err[SB_MSG_MAX];
    struct sb_slot_options o = {.id = a->id};
    if (!slot && sb_slot_open(&o, &slot, err, sizeof err) < 0) {
        fprintf(stderr, "slot: %s\n", err);
        a->fail = 1;
        return NULL;
    }
    struct sb_config cfg;
    sb_config_init(&cfg);
    const char *argv[] = {"/box/noop", NULL};
    cfg.argv = argv;
    cfg.box_dir = a->box;
    cfg.limits.cpu_s = 1;
    cfg.limits.mem_kib = 64 * 1024;
    struct sb_result r;
    a->start = now(); /* after the slot is open: runs only */
    for (int i = 0; i < a->n; i++) {
        double t0 = now();
        if (sb_run(slot, &cfg, &r) < 0 || r.status != SB_OK) {
            fprintf(stderr, "run: %s\n", r.message);
            a->fail = 1;
            break;
        }
        a->t[i] = now() - t0;
    }
    a->end = now();
    if (!a->slot)
        sb_slot_close(slot);
    return NULL;
}

static int cmp_double(const void *x, const void *y)
{
    return cmp(x, y);
}

/* Runs/s of one slot and of two slots in parallel, measured back to back
 * on the same two (warm) slots, three times; the medians (the VM is noisy). */
static int parallel(const char *box, int n, double *t, double *t2, double *one, double *two)
{
    struct sb_slot *s1, *s2;
    char err[SB_MSG_MAX];
    struct sb_slot_options o1 = {.id = 92}, o2 = {.id = 93};
    if (sb_slot_open(&o1, &s1, err, sizeof err) < 0 || sb_slot_open(&o2, &s2, err, sizeof err) < 0) {
        fprintf(stderr, "slot: %s\n", err);
        return -1;
    }
    double r1[3], r2[3];
    for (int k = 0; k < 3; k++) {
        struct loop_arg a = {.box = box, .n = n, .t = t, .slot = s1};
        lib_loop(&a);
        struct loop_arg a1 = {.box = box, .n = n, .t = t, .slot = s1}, a2 = {.box = box, .n = n, .t = t2, .slot = s2};
        pthread_t th1, th2;
        pthread_create(&th1, NULL, lib_loop, &a1);
        pthread_create(&th2, NULL, lib_loop, &a2);
        pthread_join(th1, NULL);
        pthread_join(th2, NULL);
        if (a.fail || a1.fail || a2.fail)
            return -1;
        r1[k] = n / (a.end - a.start);
        /* from the first run to the last, both loops together */
        r2[k] = 2.0 * n / ((a1.end > a2.end ? a1.end : a2.end) - (a1.start < a2.start ? a1.start : a2.start));
    }
    qsort(r1, 3, sizeof *r1, cmp_double);
    qsort(r2, 3, sizeof *r2, cmp_double);
    *one = r1[1];
    *two = r2[1];
    sb_slot_close(s1);
    sb_slot_close(s2);
    return 0;
}

static void accuracy(const char *box)
{
    struct sb_slot *slot;
    char err[SB_MSG_MAX];
    struct sb_slot_options o = {.id = 90};
    if (sb_slot_open(&o, &slot, err, sizeof err) < 0) {
        fprintf(stderr, "slot: %s\n", err);
        return;
    }
    char out[] = "/tmp/nsjudge-bench-XXXXXX";
    int fd = mkstemp(out);
    unlink(out);
    struct sb_config cfg;
    sb_config_init(&cfg);
    const char *burn[] = {"/box/burn", "0.5", NULL};
    cfg.argv = burn;
    cfg.box_dir = box;
    cfg.stdout_fd = fd;
    cfg.limits.cpu_s = 5;
    double err_sum = 0, err_min = 1e9, err_max = -1e9;
    const int N = 20;
    struct sb_result r;
    for (int i = 0; i < N; i++) {
        if (ftruncate(fd, 0) < 0) {
            perror("ftruncate");
            break;
        }
        sb_run(slot, &cfg, &r);
        char buf[64] = "";
        ssize_t k = pread(fd, buf, sizeof buf - 1, 0);
        buf[k > 0 ? k : 0] = 0;
        double own = atof(buf);
        double e = own > 0 ? (r.cpu_s - own) / own * 100 : 0;
        err_sum += e;
        if (e < err_min) err_min = e;
        if (e > err_max) err_max = e;
    }
    printf("cpu accuracy   burn 0.5 s x%d: mean error %+.2f%%, spread %+.2f%% .. %+.2f%%\n",
           N, err_sum / N, err_min, err_max);
    const char *touch[] = {"/box/touch", "64", NULL};
    cfg.argv = touch;
    cfg.limits.mem_kib = 256 * 1024;
    sb_run(slot, &cfg, &r);
    printf("memory         touch 64 MiB: reported %llu KiB (%+lld KiB)\n",
           (unsigned long long)r.mem_kib, (long long)r.mem_kib - 65536);
    close(fd);
    sb_slot_close(slot);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_sandbox BOXDIR NSJUDGE_BIN [RUNS]\n");
        return 2;
    }
    const char *box = argv[1], *bin = argv[2];
    int n = argc > 3 ? atoi(argv[3]) : 500;
    char prog[4096];
    snprintf(prog, sizeof prog, "%s/noop", box);
    double *t = calloc(n, sizeof *t), *t2 = calloc(n, sizeof *t2);

    struct utsname u;
    uname(&u);
    struct sb_host_info hi;
    sb_host_probe(&hi);
    printf("machine: %ld cores, kernel %s, cgroups %s\n", sysconf(_SC_NPROCESSORS_ONLN),
           u.release, hi.cgroup_detail);
    printf("%d runs each of a static no-op program\n\n", n);
    printf("%-38s %10s %10s %8s\n", "launch", "median ms", "p99 ms", "x floor");

    bare(prog, t, n);
    struct stats floor = summarize(t, n);
    printf("%-38s %10.3f %10.3f %8.2f\n", "1. fork+exec+wait (floor)", floor.median * 1e3, floor.p99 * 1e3, 1.0);

    int ncli = n / 5 > 20 ? n / 5 : 20;
    cli(bin, box, true, t, 1); /* the first --keep run makes the kept slot */
    double first = t[0];
    cli(bin, box, true, t, n);
    struct stats c = summarize(t, n);
    printf("%-38s %10.3f %10.3f %8.2f\n", "2. nsjudge run --keep (whole process)", c.median * 1e3, c.p99 * 1e3, c.median / floor.median);
    cli(bin, box, false, t, ncli);
    c = summarize(t, ncli);
    printf("%-38s %10.3f %10.3f %8.2f\n", "   nsjudge run, one-shot slot", c.median * 1e3, c.p99 * 1e3, c.median / floor.median);
    printf("%-38s %10.3f\n", "   first nsjudge run --keep", first * 1e3);

    struct loop_arg a = {.box = box, .id = 91, .n = n, .t = t};
    lib_loop(&a);
    if (a.fail)
        return 1;
    struct stats l = summarize(t, n);
    printf("%-38s %10.3f %10.3f %8.2f\n", "3. sb_run loop, 1 slot", l.median * 1e3, l.p99 * 1e3, l.median / floor.median);

    /* the same loop from a caller holding 512 MiB: launching must not grow with it */
    size_t big = (size_t)512 << 20;
    char *ballast = malloc(big);
    if (ballast) {
        memset(ballast, 1, big);
        struct loop_arg b = {.box = box, .id = 94, .n = n, .t = t};
        lib_loop(&b);
        if (b.fail)
            return 1;
        struct stats lb = summarize(t, n);
        printf("%-38s %10.3f %10.3f %8.2f\n", "   the same, caller holding 512 MiB", lb.median * 1e3, lb.p99 * 1e3,
               lb.median / floor.median);
        free(ballast);
    }

    double one_rps, two_rps;
    if (parallel(box, n, t, t2, &one_rps, &two_rps) < 0)
        return 1;
    printf("%-38s %10s %10s %8s\n", "4. sb_run loop, 2 slots in parallel", "", "", "");
    printf("   runs/s (median of 3, back to back): 1 slot %.0f, 2 slots %.0f (%.2fx)\n\n", one_rps, two_rps,
           two_rps / one_rps);
    accuracy(box);
    return 0;
}
