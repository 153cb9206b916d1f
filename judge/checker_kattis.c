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
