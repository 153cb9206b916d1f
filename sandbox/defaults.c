/* defaults.c - what a run's statuses are called, and what a run gets
 * when its caller leaves a config field or a limit unset. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "sandbox/internal.h"

static const char *const codes[] = {"OK", "RE", "SG", "TO", "ML", "OL", "XX"};
static const char *const names[] = {
    "exited normally", "exited with a non-zero code", "killed by a signal",
    "time limit exceeded", "memory limit exceeded", "output limit exceeded",
    "sandbox error",
};

const char *sb_status_code(sb_status s)
{
    return (unsigned)s < sizeof codes / sizeof *codes ? codes[s] : "??";
}

const char *sb_status_name(sb_status s)
{
    return (unsigned)s < sizeof names / sizeof *names ? names[s] : "unknown";
}

const char *const sb_default_env[] = {
    "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp",
    "LANG=C.UTF-8", NULL,
};

void sb_config_init(struct sb_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->stdin_fd = cfg->stdout_fd = cfg->stderr_fd = cfg->cancel_fd = -1;
}

void sb_limits_fill_defaults(struct sb_limits *out, const struct sb_limits *in)
{
    *out = *in;
    if (out->wall_s <= 0 && out->cpu_s > 0)
        out->wall_s = 2 * out->cpu_s + 1;
    if (!out->stack_kib)
        out->stack_kib = 8 * 1024;
    if (!out->fsize_kib)
        out->fsize_kib = 64 * 1024;
    if (!out->procs)
        out->procs = 64;
    if (!out->nofile)
        out->nofile = 64;
    if (!out->tmp_kib)
        out->tmp_kib = 64 * 1024;
}
