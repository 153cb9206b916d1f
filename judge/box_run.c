/*
 * box_run.c - the judge's one door into the sandbox, and the limits and
 * mounts of each kind of box it opens: a submission's run, and the
 * problem's own programs (validators, checkers, interactors).
 */
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

struct sb_limits jd_submission_limits(const struct jd_run_ctx *c)
{
    struct sb_limits l = {0};
    l.cpu_s = c->time_limit_s;
    l.wall_s = 2 * c->time_limit_s + 2;   /* generous: a loaded host must not turn AC into TLE */
    l.mem_kib = c->p->mem_kib;
    l.fsize_kib = c->p->output_kib;
    l.stack_kib = UINT64_MAX;   /* judges give the whole memory limit to the stack */
    jd_limits_add_extra(&l, &c->sub->lang->run_extra);
    return l;
}

struct sb_limits jd_checker_limits(const struct jd_problem *p)
{
    struct sb_limits l = {0};
    l.cpu_s = p->validation_time_s;
    l.wall_s = 2 * p->validation_time_s + 5;
    l.mem_kib = p->validation_mem_kib;
    l.fsize_kib = 64 * 1024;
    return l;
}

void jd_box_run_helper(struct jd_box_run *r, const struct jd_problem *p, const struct jd_program *prog,
                       char **argv, struct sb_mount *m, int nfixed)
{
    jd_box_run_init(r);
    r->argv = (const char *const *)argv;
    r->box_dir = prog->dir;
    r->mounts = m;
    r->n_mounts = nfixed + jd_lang_mounts(prog->lang, m + nfixed, SB_MAX_MOUNTS - nfixed);
    r->limits = jd_checker_limits(p);
    jd_limits_add_extra(&r->limits, &prog->lang->run_extra);
}

void jd_scratch_unmount(const char *dir)
{
    sb_scratch_umount_under(dir);
}
