/* box.c - the judge's one door into the sandbox. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "judge/internal.h"

void jd_box_run_init(struct jd_box_run *r)
{
    memset(r, 0, sizeof *r);
    r->stdin_fd = r->stdout_fd = r->stderr_fd = -1;
}

int jd_box(struct sb_slot *slot, const struct jd_box_run *r, struct sb_result *res)
{
    struct sb_config cfg;
    sb_config_init(&cfg);
    cfg.argv = r->argv;
    cfg.box_dir = r->box_dir;
    cfg.box_writable = r->box_writable;
    cfg.mounts = r->mounts;
    cfg.n_mounts = r->n_mounts;
    cfg.stdin_fd = r->stdin_fd;
    cfg.stdout_fd = r->stdout_fd;
    cfg.stderr_fd = r->stderr_fd;
    cfg.limits = r->limits;
    cfg.loopback_up = r->loopback_up;
    memset(res, 0, sizeof *res);
    int rc = sb_run(slot, &cfg, res);
    if (rc < 0 && res->status != SB_XX) {
        res->status = SB_XX;
        if (!res->message[0])
            snprintf(res->message, sizeof res->message, "sb_run: %s", strerror(-rc));
    }
    return rc;
}

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

void jd_limits_add_extra(struct sb_limits *l, const struct sb_limits *x)
{
    if (x->procs > l->procs)
        l->procs = x->procs;
    if (x->nofile > l->nofile)
        l->nofile = x->nofile;
    l->as_kib = x->as_kib ? max64(l->as_kib, x->as_kib) : l->as_kib;
    l->stack_kib = x->stack_kib ? max64(l->stack_kib, x->stack_kib) : l->stack_kib;
    l->tmp_kib = x->tmp_kib ? max64(l->tmp_kib, x->tmp_kib) : l->tmp_kib;
    /* Extra memory for a runtime (e.g. JVM overhead) is added, not maxed. */
    if (x->mem_kib && l->mem_kib)
        l->mem_kib += x->mem_kib;
}
