/*
 * checker_kattis.c - run a Kattis-style output validator in a box:
 *   validator input answer feedback_dir [flags] < team_output
 * Exit 42 = accepted, 43 = rejected, anything else = judging error.
 * judgemessage.txt / teammessage.txt explain; score.txt scores the test.
 * Inside the box: /judge/input, /judge/answer, /judge/feedback/ (writable).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "judge/internal.h"
#include "judge/number.h"

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

/* work/feedback/, kept across the passes of a multi-pass test (work is
 * fresh for every test). */
int jd_feedback_dir(const char *work, char **out)
{
    char *fb = jd_path_join(work, "feedback");
    if (!fb)
        return -ENOMEM;
    if ((mkdir(fb, 0777) < 0 && errno != EEXIST) || chmod(fb, 0777) < 0) {
        int e = -errno;
        free(fb);
        return e;
    }
    *out = fb;
    return 0;
}

const char *jd_answer_for_box(const struct jd_test *t, const char *work, char **tmp)
{
    *tmp = NULL;
    if (t->ans_path[0])
        return t->ans_path;
    *tmp = jd_path_join(work, "empty.ans");
    if (!*tmp || jd_write_file(*tmp, "", 0, 0644) < 0)
        return t->in_path;   /* still a readable file; never a device */
    return *tmp;
}

static void first_line(const char *text, char *dst, size_t dstlen)
{
    size_t n = strcspn(text, "\n");
    while (n && (text[n - 1] == '\r' || text[n - 1] == ' '))
        n--;
    snprintf(dst, dstlen, "%.*s", (int)(n < 400 ? n : 400), text);
}

void jd_feedback_message(const char *fbdir, char *msg, size_t msglen)
{
    static const char *const files[] = {"judgemessage.txt", "teammessage.txt"};
    for (int i = 0; i < 2; i++) {
        char *path = jd_path_join(fbdir, files[i]), *text = NULL;
        if (path && jd_read_file(path, 4096, &text, NULL) == 0 && text[0]) {
            first_line(text, msg, msglen);
            free(text);
            free(path);
            return;
        }
        free(text);
        free(path);
    }
}

int jd_read_score(const char *fbdir, double *score, char *msg, size_t msglen)
{
    char *path = jd_path_join(fbdir, "score.txt"), *text = NULL;
    int rc = 0;
    if (!path)
        return -ENOMEM;
    if (jd_read_file(path, 256, &text, NULL) == 0) {
        /* one number, maybe followed by a line end; spaces around it are
         * the validator's, not part of the score */
        char *t = text;
        while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
            t++;
        size_t n = strlen(t);
        while (n && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\n' || t[n - 1] == '\r'))
            t[--n] = 0;
        rc = jd_parse_real(t, 0, JD_SCORE_MAX, score) == 0 ? 1 : -EINVAL;
        if (rc < 0)
            snprintf(msg, msglen, "the validator's score.txt is not a number from 0 to %g: '%.40s'",
                     JD_SCORE_MAX, t);
    }
    free(text);
    free(path);
    return rc;
}

int jd_check_kattis(const struct jd_check_ctx *c, const char *team_out, struct jd_check_result *r)
{
    memset(r, 0, sizeof *r);
    char *fb = NULL;
    char **argv = NULL, **more = NULL;
    int in = -1, rc = jd_feedback_dir(c->work, &fb);
    if (rc < 0)
        goto fail;
    static const char *const fixed[] = {"/judge/input", "/judge/answer", "/judge/feedback/"};
    more = calloc(1, sizeof *more);
    for (int i = 0; more && i < 3; i++)
        if (jd_strv_push(&more, fixed[i]) < 0)
            goto nomem;
    for (size_t i = 0; more && c->flags && c->flags[i]; i++)
        if (jd_strv_push(&more, c->flags[i]) < 0)
            goto nomem;
    if (!more || !(argv = jd_program_argv(c->checker, more, 0)))
        goto nomem;
    if ((in = open(team_out, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
        rc = -errno;
        goto fail;
    }
    char *empty = NULL;
    struct sb_mount m[SB_MAX_MOUNTS] = {
        {.host = c->test->in_path, .box = "/judge/input"},
        {.host = jd_answer_for_box(c->test, c->work, &empty), .box = "/judge/answer"},
        {.host = fb, .box = "/judge/feedback", .writable = true},
    };
    struct jd_box_run br;
    jd_box_run_helper(&br, c->p, c->checker, argv, m, 3);
    br.stdin_fd = in;
    struct sb_result res;
    rc = jd_box(c->slot, &br, &res);
    free(empty);
    close(in);
    in = -1;
    if (res.status == SB_RE && (res.exit_code == 42 || res.exit_code == 43)) {
        r->verdict = res.exit_code == 42 ? JD_AC : JD_WA;
        jd_feedback_message(fb, r->message, sizeof r->message);
        char bad[JD_MSG_MAX];
        int sc = jd_read_score(fb, &r->score, bad, sizeof bad);
        r->has_score = sc == 1;
        if (sc < 0 && c->p->scoring) {   /* a pass-fail problem never reads it */
            r->verdict = JD_JE;
            snprintf(r->message, sizeof r->message, "%s", bad);
        }
    } else {
        r->verdict = JD_JE;
        char why[JD_MSG_MAX];
        if (res.status == SB_OK || res.status == SB_RE)
            snprintf(why, sizeof why, "exit code %d (expected 42 or 43)", res.exit_code);
        else
            snprintf(why, sizeof why, "%s: %s", sb_status_name(res.status), res.message);
        char fbm[256] = "";
        jd_feedback_message(fb, fbm, sizeof fbm);
        snprintf(r->message, sizeof r->message, "output validator failed: %.250s%s%.200s", why,
                 fbm[0] ? "; " : "", fbm);
    }
    rc = 0;
    goto out;
nomem:
    rc = -ENOMEM;
fail:
    r->verdict = JD_JE;
    snprintf(r->message, sizeof r->message, "running the output validator: %s", strerror(-rc));
    rc = 0;
out:
    if (in >= 0)
        close(in);
    jd_strv_free(argv);
    jd_strv_free(more);
    free(fb);
    return rc;
}
