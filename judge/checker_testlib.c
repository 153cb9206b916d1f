/*
 * checker_testlib.c - run a testlib-style checker in a box:
 *   checker input output answer
 * Exit 0 = OK, 1 = wrong answer, 2 = presentation error, 3 = checker
 * failure (judging error), 7 = partial points (the score is the first number
 * the checker printed, after an optional word "points"). Its stderr (or
 * stdout) is the message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "judge/internal.h"
#include "judge/number.h"

bool jd_testlib_points(const char *text, double *score)
{
    const char *s = text;
    while (*s == ' ' || *s == '\n')
        s++;
    if (!strncmp(s, "points", 6))
        s += 6;
    char *end;
    double v = strtod(s, &end);
    if (end == s || jd_num_real(v, 0, JD_SCORE_MAX))   /* nan, inf, negative: no points */
        return false;
    *score = v;
    return true;
}

int jd_check_testlib(const struct jd_check_ctx *c, const char *team_out, struct jd_check_result *r)
{
    memset(r, 0, sizeof *r);
    static const char *const fixed[] = {"/judge/input", "/judge/output", "/judge/answer", NULL};
    char **argv = jd_program_argv(c->checker, (char *const *)fixed, 0);
    char *logp = jd_path_join(c->work, "checker.log");
    int fd = -1, rc = 0;
    if (!argv || !logp) {
        rc = -ENOMEM;
        goto fail;
    }
    if ((fd = open(logp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0) {
        rc = -errno;
        goto fail;
    }
    struct sb_mount m[SB_MAX_MOUNTS] = {
        {.host = c->test->in_path, .box = "/judge/input"},
        {.host = team_out, .box = "/judge/output"},
        {.host = c->test->ans_path, .box = "/judge/answer"},
    };
    struct jd_box_run br;
    jd_box_run_helper(&br, c->p, c->checker, argv, m, 3);
    br.stdout_fd = br.stderr_fd = fd;
    struct sb_result res;
    jd_box(c->slot, &br, &res);
    close(fd);
    fd = -1;
    char *text = NULL;
    if (jd_read_file(logp, 4096, &text, NULL) < 0)
        text = NULL;
    char line[JD_MSG_MAX] = "";
    if (text)
        sb_first_line(text, 400, line, sizeof line);
    int code = res.status == SB_OK ? 0 : res.status == SB_RE ? res.exit_code : -1;
    switch (code) {
    case 0: r->verdict = JD_AC; break;
    case 1: case 4: r->verdict = JD_WA; break;
    case 2: case 8: r->verdict = JD_PE; break;
    case 7:
        r->verdict = JD_AC;
        r->has_score = text && jd_testlib_points(text, &r->score);
        if (!r->has_score)
            r->verdict = JD_JE;
        break;
    default: r->verdict = JD_JE; break;
    }
    if (r->verdict == JD_JE) {
        if (code >= 0)
            snprintf(r->message, sizeof r->message, "checker failed (exit code %d): %.470s", code, line);
        else
            snprintf(r->message, sizeof r->message, "checker failed: %s: %s",
                     sb_status_name(res.status), res.message);
    } else {
        snprintf(r->message, sizeof r->message, "%s", line);
    }
    free(text);
    goto out;
fail:
    r->verdict = JD_JE;
    snprintf(r->message, sizeof r->message, "running the checker: %s", strerror(-rc));
out:
    if (fd >= 0)
        close(fd);
    jd_strv_free(argv);
    free(logp);
    return 0;
}
