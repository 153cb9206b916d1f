/* status.c - status names, config defaults, error-message helpers. */
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

/* Async-signal-safe: used between fork and exec. */
void sb_errmsg(char *buf, size_t len, const char *what, int err)
{
    if (!len)
        return;
    size_t n = 0;
    const char *parts[3] = {what, ": ", strerrordesc_np(err)};
    if (!parts[2])
        parts[2] = "unknown error";
    for (int i = 0; i < 3; i++)
        for (const char *p = parts[i]; *p && n + 1 < len; p++)
            buf[n++] = *p;
    buf[n] = 0;
}

void sb_setmsg(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

int sb_host_probe(struct sb_host_info *info)
{
    struct sb_cg_layout lay;
    char err[SB_MSG_MAX];
    memset(info, 0, sizeof *info);
    if (sb_cg_detect(NULL, &lay, err, sizeof err) < 0) {
        sb_setmsg(info->cgroup_detail, sizeof info->cgroup_detail, "none usable: %s", err);
        return -ENOENT;
    }
    info->cgroup_version = lay.version;
    if (lay.version == 2)
        sb_setmsg(info->cgroup_detail, sizeof info->cgroup_detail, "v2 at %s", lay.root[0]);
    else
        sb_setmsg(info->cgroup_detail, sizeof info->cgroup_detail,
                  "v1 (memory %s, pids %s, cpuacct %s)", lay.root[SB_CG_MEM],
                  lay.root[SB_CG_PIDS], lay.root[SB_CG_CPU]);
    return 0;
}

/* Box side / forked helpers: close every fd but the listed ones. Needed
 * because another thread of the caller may have pipes open at the moment
 * we fork; a copy of its pipe's write end held here would keep its reader
 * from ever seeing EOF. Async-signal-safe. */
void sb_close_fds_except(const int *keep, int n)
{
    int k[48];
    if (n > 48)
        n = 48;
    for (int i = 0; i < n; i++) {
        int v = keep[i], j = i;
        while (j > 0 && k[j - 1] > v) {
            k[j] = k[j - 1];
            j--;
        }
        k[j] = v;
    }
    unsigned lo = 0;
    for (int i = 0; i < n; i++) {
        if (k[i] < 0)
            continue;
        if ((unsigned)k[i] > lo)
            close_range(lo, (unsigned)k[i] - 1, 0);
        lo = (unsigned)k[i] + 1;
    }
    close_range(lo, ~0U, 0);
}
