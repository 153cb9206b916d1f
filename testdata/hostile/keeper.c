/*
 * keeper attack|check: the box's PID 1 is the slot's keeper, which
 * outlives this run and starts the next one, so changing it would reach
 * the next (another user's) program.
 *   attack: try to kill, stop, renice, re-schedule, pin, limit and read
 *           PID 1 and every process of its uid; then spoil our own
 *           nice/affinity/limits (which must not be inherited by the
 *           next run).
 *   check [NICE]: this run must start like any first run: the judge's nice
 *           (NICE, default 0), every CPU,
 *           SCHED_OTHER, the default limits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static int escaped;

static void try(const char *what, long r)
{
    if (r >= 0) {
        printf("ESCAPED: %s succeeded\n", what);
        escaped++;
    } else
        printf("ok: %s: %s\n", what, strerror(errno));
}

static int attack(void)
{
    try("kill(1, SIGKILL)", kill(1, SIGKILL));
    try("kill(1, SIGSTOP)", kill(1, SIGSTOP));
    try("kill(1, SIGTERM)", kill(1, SIGTERM));
    try("setpriority(PRIO_PROCESS, 1, 19)", setpriority(PRIO_PROCESS, 1, 19));
    /* (PRIO_USER cannot name the keeper: who=0 means our own uid) */
    try("setpriority(PRIO_PGRP, 1, 19)", setpriority(PRIO_PGRP, 1, 19));
    struct rlimit one = {1, 1};
    try("prlimit(1, RLIMIT_NOFILE)", prlimit(1, RLIMIT_NOFILE, &one, NULL));
    try("prlimit(1, RLIMIT_NPROC)", prlimit(1, RLIMIT_NPROC, &one, NULL));
    try("prlimit(1, RLIMIT_CPU)", prlimit(1, RLIMIT_CPU, &one, NULL));
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    try("sched_setaffinity(1)", sched_setaffinity(1, sizeof set, &set));
    struct sched_param sp = {0};
    try("sched_setscheduler(1, SCHED_IDLE)", sched_setscheduler(1, SCHED_IDLE, &sp));
    /* IOPRIO_WHO_PROCESS = 1, class idle (3) << 13 */
    try("ioprio_set(1)", syscall(SYS_ioprio_set, 1, 1, 3 << 13));
    const char *files[] = {"/proc/1/mem", "/proc/1/environ", "/proc/1/status", "/proc/1/fd/0",
                           "/proc/1/root/.", "/proc/1/maps"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char what[64];
        snprintf(what, sizeof what, "open %s", files[i]);
        int fd = open(files[i], O_RDONLY);
        try(what, fd);
        if (fd >= 0)
            close(fd);
    }
    /* our own settings: must stay with this run */
    setpriority(PRIO_PROCESS, 0, 19);
    sched_setaffinity(0, sizeof set, &set);
    sched_setscheduler(0, SCHED_IDLE, &sp);
    setrlimit(RLIMIT_NOFILE, &(struct rlimit){5, 5});
    if (fork() == 0) { /* a child that would like to stay */
        setsid();
        pause();
        _exit(0);
    }
    printf("%s\n", escaped ? "ESCAPED: the keeper was changed" : "BLOCKED: the keeper is out of reach");
    return 0;
}

static int check(int want_nice)
{
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, 0);
    cpu_set_t set;
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof set, &set);
    struct rlimit nofile;
    getrlimit(RLIMIT_NOFILE, &nofile);
    int policy = sched_getscheduler(0);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    printf("nice %d, cpus %d of %ld, policy %d, nofile %llu\n", nice, CPU_COUNT(&set), cpus, policy,
           (unsigned long long)nofile.rlim_cur);
    int bad = nice != want_nice || CPU_COUNT(&set) != cpus || policy != SCHED_OTHER || nofile.rlim_cur < 16;
    printf("%s\n", bad ? "ESCAPED: this run inherited an earlier run's settings"
                       : "BLOCKED: a clean start");
    return 0;
}

int main(int argc, char **argv)
{
    setlinebuf(stdout);
    if (argc > 1 && !strcmp(argv[1], "attack"))
        return attack();
    if (argc > 1 && !strcmp(argv[1], "check"))
        return check(argc > 2 ? atoi(argv[2]) : 0);   /* the judge's own nice */
    printf("ERROR: usage: keeper attack|check\n");
    return 2;
}
