/*
 * rlimits.c - per-process limits set in the box before exec. The cgroup
 * limits the box as a whole; these cover what cgroups do not: the stack,
 * the size of any file written (the output limit), open files, no core
 * dumps, and a CPU-time backstop in case the supervisor's timer is late.
 */
#include <errno.h>
#include <sys/resource.h>
#include "sandbox/internal.h"

static rlim_t kib(uint64_t k)
{
    return k == UINT64_MAX ? RLIM_INFINITY : (rlim_t)k * 1024;
}

int sb_rlimits_apply(const struct sb_limits *l, char *err, size_t errlen)
{
    struct { int res; rlim_t val; const char *name; } set[] = {
        {RLIMIT_STACK, kib(l->stack_kib), "RLIMIT_STACK"},
        {RLIMIT_FSIZE, kib(l->fsize_kib), "RLIMIT_FSIZE"},
        {RLIMIT_NOFILE, l->nofile, "RLIMIT_NOFILE"},
        {RLIMIT_CORE, 0, "RLIMIT_CORE"},
        {RLIMIT_MEMLOCK, 0, "RLIMIT_MEMLOCK"},
        {RLIMIT_MSGQUEUE, 0, "RLIMIT_MSGQUEUE"},
        /* whole seconds, rounded up, plus one: the supervisor acts first */
        {RLIMIT_CPU, l->cpu_s > 0 ? (rlim_t)(l->cpu_s + l->cpu_extra_s) + 2 : RLIM_INFINITY, "RLIMIT_CPU"},
        {RLIMIT_AS, l->as_kib ? kib(l->as_kib) : RLIM_INFINITY, "RLIMIT_AS"},
    };
    for (size_t i = 0; i < sizeof set / sizeof *set; i++) {
        struct rlimit rl = {set[i].val, set[i].val};
        if (setrlimit(set[i].res, &rl) < 0) {
            sb_errmsg(err, errlen, set[i].name, errno);
            return -errno;
        }
    }
    return 0;
}
