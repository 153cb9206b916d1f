/*
 * run_tests.c - run the submission on one test in a fresh box, then check
 * its output with the problem's checker.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "judge/internal.h"

static int check_output(const struct jd_run_ctx *c, const struct jd_test *t, const char *work,
                        const char *out_path, struct jd_test_result *tr)
{
    const struct jd_group *g = &c->p->groups[t->group];
    struct jd_check_result cr;
    struct jd_check_ctx cc = {
        .slot = c->slot, .p = c->p, .checker = c->checker, .test = t,
        .flags = g->validator_flags, .work = work,
    };
    if (!c->checker || c->p->checker == JD_CHECK_DEFAULT)
        jd_check_default_files(out_path, t->ans_path, g->validator_flags, &cr);
    else if (c->p->checker == JD_CHECK_TESTLIB)
        jd_check_testlib(&cc, out_path, &cr);
    else
        jd_check_kattis(&cc, out_path, &cr);
    tr->verdict = cr.verdict;
    tr->score = cr.has_score ? cr.score : NAN;
    snprintf(tr->message, sizeof tr->message, "%s", cr.message);
    return 0;
}

/* One pass: the submission on t->in_path, then the checker. */
static int run_pass(const struct jd_run_ctx *c, const struct jd_test *t, const char *work,
                    struct jd_test_result *tr)
{
    char *out_path = jd_path_join(work, "output");
    char **argv = NULL;
    int in = -1, out = -1, rc = 0;
    if (!out_path || !(argv = jd_program_argv(c->sub, NULL, c->p->mem_kib))) {
        rc = -ENOMEM;
        goto fail;
    }
    if ((in = open(t->in_path, O_RDONLY | O_CLOEXEC)) < 0 ||
        (out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0) {
        rc = -errno;
        goto fail;
    }
    struct sb_mount m[SB_MAX_MOUNTS];
    struct jd_box_run br;
    jd_box_run_init(&br);
    br.argv = (const char *const *)argv;
    br.box_dir = c->sub->dir;
    br.mounts = m;
    br.n_mounts = jd_lang_mounts(c->sub->lang, m, SB_MAX_MOUNTS);
    br.stdin_fd = in;
    br.stdout_fd = out;
    br.limits = jd_submission_limits(c);
    struct sb_result res;
    jd_box(c->slot, &br, &res);
    close(in);
    close(out);
    in = out = -1;
    tr->time_s = res.cpu_s;
    tr->wall_s = res.wall_s;
    tr->mem_kib = res.mem_kib;
    tr->exit_code = res.exit_code;
    tr->signal = res.signal;
    if (res.status != SB_OK)
        tr->verdict = jd_verdict_from_sb(&res, tr->message, sizeof tr->message);
    else
        rc = check_output(c, t, work, out_path, tr);
    goto out;
fail:
    tr->verdict = JD_JE;
    snprintf(tr->message, sizeof tr->message, "judging test %s: %s", t->name, strerror(-rc));
    rc = 0;
out:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    jd_strv_free(argv);
    free(out_path);
    return rc;
}

/* Multi-pass problems: after an accepted pass the validator may leave
 * nextpass.in in the feedback dir; the submission then runs again on it.
 * Returns the next input's path, NULL when there is none. The validator's
 * box has ended, so what we check is what we move: a regular file only. */
static char *next_pass_input(const char *work, int pass)
{
    char *src = jd_asprintf("%s/feedback/nextpass.in", work);
    char *dst = jd_asprintf("%s/pass%d.in", work, pass);
    struct stat st;
    if (!src || !dst || lstat(src, &st) < 0 || !S_ISREG(st.st_mode) || rename(src, dst) < 0) {
        free(dst);
        dst = NULL;
    }
    free(src);
    return dst;
}

/* The start of what the program printed on a sample test (the last pass).
 * Best effort: without it the test simply shows no output. */
static void keep_sample_output(const char *work, struct jd_test_result *tr)
{
    char *path = jd_path_join(work, "output");
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
    free(path);
    if (fd < 0)
        return;
    char *buf = malloc(JD_SAMPLE_OUTPUT_MAX + 1);
    ssize_t n = 0, k;
    while (buf && n <= JD_SAMPLE_OUTPUT_MAX &&
           (k = read(fd, buf + n, (size_t)(JD_SAMPLE_OUTPUT_MAX + 1 - n))) > 0)
        n += k;
    close(fd);
    if (!buf)
        return;
    tr->output_cut = n > JD_SAMPLE_OUTPUT_MAX;
    tr->output_len = tr->output_cut ? JD_SAMPLE_OUTPUT_MAX : (size_t)n;
    buf[tr->output_len] = 0;
    tr->output = buf;
}

int jd_run_test(const struct jd_run_ctx *c, size_t ti, struct jd_test_result *tr)
{
    const struct jd_test *t = &c->p->tests[ti];
    memset(tr, 0, sizeof *tr);
    tr->score = NAN;
    tr->sample = c->p->groups[t->group].is_sample;
    tr->name = strdup(t->name);
    char *work = jd_asprintf("%s/t%zu", c->scratch, ti);
    char *input = NULL;
    int rc = 0;
    if (!tr->name || !work) {
        rc = -ENOMEM;
        goto fail;
    }
    sb_rm_rf(work);
    if (mkdir(work, 0755) < 0) {
        rc = -errno;
        goto fail;
    }
    struct jd_test pass = *t;   /* later passes replace the input */
    int max_passes = c->p->multipass ? c->p->validation_passes : 1;
    for (int k = 1;; k++) {
        struct jd_test_result one;
        memset(&one, 0, sizeof one);
        one.score = NAN;
        rc = c->p->interactive ? jd_run_interactive(c, &pass, work, &one)
                               : run_pass(c, &pass, work, &one);
        tr->verdict = one.verdict;
        tr->score = one.score;
        tr->exit_code = one.exit_code;
        tr->signal = one.signal;
        memcpy(tr->message, one.message, sizeof tr->message);
        if (one.time_s > tr->time_s)
            tr->time_s = one.time_s;
        if (one.mem_kib > tr->mem_kib)
            tr->mem_kib = one.mem_kib;
        tr->wall_s += one.wall_s;
        if (rc < 0 || !c->p->multipass || one.verdict != JD_AC)
            break;
        free(input);
        if (!(input = next_pass_input(work, k + 1)))
            break;   /* accepted, and no further pass asked for */
        if (k == max_passes) {
            tr->verdict = JD_JE;
            snprintf(tr->message, sizeof tr->message,
                     "the validator asked for pass %d, but validation_passes is %d", k + 1, max_passes);
            break;
        }
        pass.in_path = input;
    }
    if (tr->sample && !c->p->interactive)
        keep_sample_output(work, tr);
    goto out;
fail:
    tr->verdict = JD_JE;
    snprintf(tr->message, sizeof tr->message, "judging test %s: %s", t->name, strerror(-rc));
    rc = 0;
out:
    if (work)
        sb_rm_rf(work);
    free(work);
    free(input);
    return rc;
}
