/*
 * bench_sandbox.c - launch cost of the sandbox against the fork+exec floor,
 * all measured in the same run (this VM is noisy: compare ratios, not
 * absolute numbers). Usage: bench_sandbox BOXDIR NSJUDGE_BIN [RUNS]
 * BOXDIR holds static `noop`, `burn` and `touch` programs.
 *
 * bench_sandbox loop KIND THREADS SECONDS SLOT_BASE DIR: the bare loop that
 * make bench-service compares the service with: THREADS threads, each with
 * its own kept slot (as the service's workers), doing what a job of KIND
 * runs, with no HTTP, store or judge around it. KIND: text (`cat
 * main.txt`), bash (`bash main.sh`), c (gcc main.c, then ./main) or
 * problem100 (gcc once, then 100 runs on DIR/tests/NNN.in compared with
 * NNN.ans). DIR/tK is thread K's box (sources in it). Prints
 * "jobs/s p50_ms p99_ms" of whole jobs.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
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

/* ---- the bare loop of one job kind (make bench-service) ---- */

struct job_loop {
    const char *kind, *dir;
    int id, cpu;
    double secs;
    double *t;
    int n, cap, fail;
    double start, end;
};

static int box_run(struct sb_slot *slot, const char *box, bool writable, const char *const *argv,
                   int in, int out, double cpu_s, uint64_t mem_kib)
{
    struct sb_config cfg;
    sb_config_init(&cfg);
    cfg.argv = argv;
    cfg.box_dir = box;
    cfg.box_writable = writable;
    cfg.stdin_fd = in;
    cfg.stdout_fd = cfg.stderr_fd = out;
    cfg.limits.cpu_s = cpu_s;
    cfg.limits.mem_kib = mem_kib;
    struct sb_result r;
    if (sb_run(slot, &cfg, &r) < 0 || r.status != SB_OK) {
        char msg[512] = "";
        ssize_t k = out >= 0 ? pread(out, msg, sizeof msg - 1, 0) : 0;
        msg[k > 0 ? k : 0] = 0;
        fprintf(stderr, "%s: %s\n%s", argv[0], r.message, msg);
        return -1;
    }
    return 0;
}

/* the whole output of fd equals the file want (what the judge's compare does, bytewise) */
static bool same_output(int fd, const char *want)
{
    char a[4096], b[4096];
    ssize_t na = pread(fd, a, sizeof a, 0);
    int w = open(want, O_RDONLY | O_CLOEXEC);
    ssize_t nb = w >= 0 ? read(w, b, sizeof b) : -1;
    if (w >= 0)
        close(w);
    return na >= 0 && na == nb && !memcmp(a, b, (size_t)na);
}

static int one_job(struct sb_slot *slot, const char *kind, const char *box, const char *dir, int out)
{
    /* the box writes at the file's offset: back to 0 as well */
    if (ftruncate(out, 0) < 0 || lseek(out, 0, SEEK_SET) < 0)
        return -1;
    if (!strcmp(kind, "text")) {
        const char *argv[] = {"cat", "/box/main.txt", NULL};
        return box_run(slot, box, false, argv, -1, out, 5, 256 * 1024);
    }
    if (!strcmp(kind, "bash")) {
        const char *argv[] = {"bash", "/box/main.sh", NULL};
        return box_run(slot, box, false, argv, -1, out, 5, 256 * 1024);
    }
    /* the judge's C compile command (configs/languages.json) and limits */
    const char *cc[] = {"gcc", "-O2", "-std=gnu11", "-pipe", "-static", "-fmax-errors=50",
                        "-o", "main", "main.c", "-lm", NULL};
    if (box_run(slot, box, true, cc, -1, out, 10, 1024 * 1024) < 0)
        return -1;
    const char *run[] = {"./main", NULL};
    if (!strcmp(kind, "c"))
        return box_run(slot, box, false, run, -1, out, 5, 256 * 1024);
    for (int i = 0; i < 100; i++) {
        char in_path[4200], ans[4200];
        snprintf(in_path, sizeof in_path, "%s/tests/%03d.in", dir, i);
        snprintf(ans, sizeof ans, "%s/tests/%03d.ans", dir, i);
        int in = open(in_path, O_RDONLY | O_CLOEXEC);
        if (in < 0 || ftruncate(out, 0) < 0 || lseek(out, 0, SEEK_SET) < 0)
            return -1;
        int rc = box_run(slot, box, false, run, in, out, 1, 256 * 1024);
        close(in);
        if (rc < 0 || !same_output(out, ans)) {
            fprintf(stderr, "test %03d: %s\n", i, rc < 0 ? "run failed" : "wrong output");
            return -1;
        }
    }
    return 0;
}

static void *job_loop_main(void *p)
{
    struct job_loop *a = p;
    struct sb_slot *slot;
    char err[SB_MSG_MAX], box[4200], outp[4200];
    /* PIN=1: thread i's boxes on our i-th CPU, as the service pins worker
     * i's (pin_workers) */
    struct sb_slot_options o = {.id = a->id, .pin_cpu = a->cpu >= 0, .cpu = a->cpu};
    snprintf(box, sizeof box, "%s/t%d", a->dir, a->id % 2);
    snprintf(outp, sizeof outp, "%s/out%d", a->dir, a->id % 2);
    int out = open(outp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0 || sb_slot_open(&o, &slot, err, sizeof err) < 0) {
        fprintf(stderr, "slot: %s\n", out < 0 ? strerror(errno) : err);
        a->fail = 1;
        return NULL;
    }
    one_job(slot, a->kind, box, a->dir, out); /* warm-up, as the service's is */
    a->start = now();
    double end = a->start + a->secs;
    while (now() < end && a->n < a->cap) {
        double t0 = now();
        if (one_job(slot, a->kind, box, a->dir, out) < 0) {
            a->fail = 1;
            break;
        }
        a->t[a->n++] = now() - t0;
    }
    a->end = now();
    sb_slot_close(slot);
    close(out);
    return NULL;
}

static int job_loop(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: bench_sandbox loop KIND THREADS SECONDS SLOT_BASE DIR\n");
        return 2;
    }
    int threads = atoi(argv[3]);
    if (threads < 1 || threads > 2)
        threads = 2;
    struct job_loop a[2];
    pthread_t th[2];
    int cap = 1 << 20;
    /* PIN=1 (bench-service.sh): our CPUs, the first ones taken in order */
    int cpus[2] = {-1, -1}, n_cpus = 0;
    cpu_set_t ours;
    if (getenv("PIN") && !strcmp(getenv("PIN"), "1") && sched_getaffinity(0, sizeof ours, &ours) == 0)
        for (int c = 0; c < CPU_SETSIZE && n_cpus < 2; c++)
            if (CPU_ISSET(c, &ours))
                cpus[n_cpus++] = c;
    for (int i = 0; i < threads; i++) {
        a[i] = (struct job_loop){.kind = argv[2], .dir = argv[6], .id = atoi(argv[5]) + i,
                                 .cpu = threads <= n_cpus ? cpus[i] : -1,
                                 .secs = atof(argv[4]), .cap = cap};
        a[i].t = calloc((size_t)cap, sizeof(double));
        pthread_create(&th[i], NULL, job_loop_main, &a[i]);
    }
    int total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        if (a[i].fail)
            return 1;
        total += a[i].n;
    }
    double first = a[0].start, last = a[0].end;
    for (int i = 1; i < threads; i++) {
        first = a[i].start < first ? a[i].start : first;
        last = a[i].end > last ? a[i].end : last;
    }
    double el = last - first; /* the warm-up jobs are not counted */
    double *all = calloc((size_t)total + 1, sizeof(double));
    int k = 0;
    for (int i = 0; i < threads; i++)
        for (int j = 0; j < a[i].n; j++)
            all[k++] = a[i].t[j];
    if (!total)
        return 1;
    qsort(all, (size_t)total, sizeof *all, cmp_double);
    printf("%.1f %.2f %.2f\n", total / el, all[total / 2] * 1e3, all[(int)(total * 0.99)] * 1e3);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "loop"))
        return job_loop(argc, argv);
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
