/*
 * interactive.c - an interactive test: the output validator and the
 * submission each run in their own box at the same time, the validator's
 * stdout piped to the submission's stdin and the other way round.
 *
 *   validator /judge/input /judge/answer /judge/feedback/ [flags]
 *
 * The "pipes" are one AF_UNIX stream socket pair: each side reads and
 * writes its own end. When one side ends we shutdown() its end, so the
 * other side sees EOF (or EPIPE) at once instead of waiting for its wall
 * clock limit. Closing a pipe end would not do: every box started while
 * the pipe existed may hold a copy of it (its init process inherits the
 * judge's fds), and EOF only comes when the last copy is closed; shutdown()
 * acts on the socket itself, whoever holds it.
 */
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "judge/internal.h"

struct side {
    struct sb_slot *slot;
    struct jd_box_run br;
    int end;                   /* this side's socket end */
    int shut;                  /* how to hang up when it ends */
    struct sb_result res;
    struct timespec ended;     /* when its box returned, before the hang-up */
};

static void *run_side(void *arg)
{
    struct side *s = arg;
    jd_box(s->slot, &s->br, &s->res);
    /* Stamped before the hang-up: the other side can only see EOF after
     * it, so the order of the stamps is the order of the exits. */
    clock_gettime(CLOCK_MONOTONIC, &s->ended);
    shutdown(s->end, s->shut);   /* the other side now sees EOF / EPIPE */
    return NULL;
}

/*
 * The verdict of an interactive test, from both sides' results:
 *  - the validator must exit 42 or 43, else it is a judging error;
 *  - the submission's own limits (time, memory, output) come first: the
 *    validator's rejection was only the consequence of its silence;
 *  - a crash counts when the validator accepted, or when it was not a
 *    SIGPIPE / an error exit after a rejection (that is the validator
 *    hanging up early: a wrong answer); an error exit before the
 *    validator ended is a run-time error (Kattis: the submission that
 *    exits first decides; the validator's rejection was the EOF it got);
 *  - otherwise the validator decides.
 */
jd_verdict jd_interactive_verdict(const struct sb_result *sub, const struct sb_result *val,
                                  bool sub_ended_first, const char *feedback, char *msg,
                                  size_t msglen)
{
    bool val_ok = val->status == SB_RE && (val->exit_code == 42 || val->exit_code == 43);
    bool accepted = val_ok && val->exit_code == 42;
    snprintf(msg, msglen, "%s", "");
    if (sub->status == SB_XX) {
        snprintf(msg, msglen, "sandbox failure: %s", sub->message);
        return JD_JE;
    }
    if (!val_ok) {
        if (val->status == SB_OK || val->status == SB_RE)
            snprintf(msg, msglen, "output validator failed: exit code %d (expected 42 or 43)%s%s",
                     val->exit_code, feedback[0] ? "; " : "", feedback);
        else
            snprintf(msg, msglen, "output validator failed: %s: %s", sb_status_name(val->status),
                     val->message);
        return JD_JE;
    }
    if (sub->status == SB_TO || sub->status == SB_ML || sub->status == SB_OL)
        return jd_verdict_from_sb(sub, msg, msglen);
    if ((sub->status == SB_SG && (accepted || sub->signal != SIGPIPE)) ||
        (sub->status == SB_RE && (accepted || sub_ended_first)))
        return jd_verdict_from_sb(sub, msg, msglen);
    snprintf(msg, msglen, "%s", feedback);
    return accepted ? JD_AC : JD_WA;
}

int jd_run_interactive(const struct jd_run_ctx *c, const struct jd_test *t, const char *work,
                       struct jd_test_result *tr)
{
    const struct jd_group *g = &c->p->groups[t->group];
    char *fb = NULL, *empty = NULL, *logp = NULL;
    int logfd = -1;
    char **sub_argv = NULL, **val_argv = NULL, **more = NULL;
    int sv[2] = {-1, -1};       /* sv[0]: the validator's end, sv[1]: the submission's */
    int rc;

    if (!c->slot2) {
        tr->verdict = JD_JE;
        snprintf(tr->message, sizeof tr->message,
                 "interactive problems need two box slots (submission + validator)");
        return 0;
    }
    if ((rc = jd_feedback_dir(work, &fb)) < 0)
        goto fail;
    /* Kattis: validator input answer feedback_dir [flags]; a Polygon
     * testlib interactor: interactor input output answer (its output file
     * lands in the feedback dir) */
    bool testlib = c->p->checker == JD_CHECK_TESTLIB;
    static const char *const fixed[] = {"/judge/input", "/judge/answer", "/judge/feedback/"};
    static const char *const fixed_testlib[] = {"/judge/input", "/judge/feedback/interactor.out",
                                                "/judge/answer"};
    rc = -ENOMEM;
    if (!(more = calloc(1, sizeof *more)))
        goto fail;
    for (int i = 0; i < 3; i++)
        if (jd_strv_push(&more, testlib ? fixed_testlib[i] : fixed[i]) < 0)
            goto fail;
    for (size_t i = 0; !testlib && g->validator_flags && g->validator_flags[i]; i++)
        if (jd_strv_push(&more, g->validator_flags[i]) < 0)
            goto fail;
    if (!(val_argv = jd_program_argv(c->checker, more, 0)) ||
        !(sub_argv = jd_program_argv(c->sub, NULL, c->p->mem_kib)))
        goto fail;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        rc = -errno;
        goto fail;
    }

    /* A submission that ended only stops writing: the validator reads EOF
     * and decides (WA), where a full hang-up would kill it with SIGPIPE on
     * its next reply (JE for a submission's fault). What it still writes
     * waits in the socket buffer; a validator that fills it blocks until
     * its wall limit, as one that never ends does. A validator that ended
     * hangs up fully: the submission's writes fail (SIGPIPE: WA, above). */
    struct side sub = {.slot = c->slot, .end = sv[1], .shut = SHUT_WR};
    struct side val = {.slot = c->slot2, .end = sv[0], .shut = SHUT_RDWR};
    struct sb_mount sm[SB_MAX_MOUNTS], vm[SB_MAX_MOUNTS] = {
        {.host = t->in_path, .box = "/judge/input"},
        {.host = jd_answer_for_box(t, work, &empty), .box = "/judge/answer"},
        {.host = fb, .box = "/judge/feedback", .writable = true},
    };
    jd_box_run_init(&sub.br);
    sub.br.argv = (const char *const *)sub_argv;
    sub.br.box_dir = c->sub->dir;
    sub.br.mounts = sm;
    sub.br.n_mounts = jd_lang_mounts(c->sub->lang, sm, SB_MAX_MOUNTS);
    sub.br.stdin_fd = sv[1];
    sub.br.stdout_fd = sv[1];
    sub.br.limits = jd_submission_limits(c);

    jd_box_run_helper(&val.br, c->p, c->checker, val_argv, vm, 3);
    val.br.stdin_fd = sv[0];
    val.br.stdout_fd = sv[0];
    if (testlib) {
        /* testlib reports on stderr: that is the message */
        if (!(logp = jd_path_join(work, "interactor.log"))) {
            rc = -ENOMEM;
            goto fail;
        }
        if ((logfd = open(logp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0) {
            rc = -errno;
            goto fail;
        }
        val.br.stderr_fd = logfd;
    }
    /* The validator only waits on the submission, which ends (and so sends
     * EOF) within its own wall limit: a little more is enough. */
    val.br.limits.wall_s = sub.br.limits.wall_s + 5;
    if (val.br.limits.cpu_s > val.br.limits.wall_s)
        val.br.limits.cpu_s = val.br.limits.wall_s;

    pthread_t th;
    int e = pthread_create(&th, NULL, run_side, &val);
    if (e) {
        rc = -e;
        goto fail;
    }
    run_side(&sub);
    pthread_join(th, NULL);

    tr->time_s = sub.res.cpu_s;
    tr->wall_s = sub.res.wall_s;
    tr->mem_kib = sub.res.mem_kib;
    tr->exit_code = sub.res.exit_code;
    tr->signal = sub.res.signal;

    char fbm[JD_MSG_MAX] = "";
    jd_feedback_message(fb, fbm, sizeof fbm);
    bool testlib_pe = false, testlib_points = false;
    double points = 0;
    if (testlib) {
        char *text = NULL;
        if (jd_read_file(logp, 4096, &text, NULL) == 0 && text)
            sb_first_line(text, 400, fbm, sizeof fbm);
        /* testlib's exit codes, mapped onto the Kattis ones the rules below
         * read: 0 OK -> 42; 1 WA, 2 PE -> 43; 7 points -> 42 with a score;
         * 3 FAIL and anything else stay what they are: a judging error */
        int code = val.res.status == SB_OK ? 0 : val.res.status == SB_RE ? val.res.exit_code : -1;
        if (code == 0 || code == 1 || code == 2 || code == 4 || code == 8 || code == 7) {
            testlib_pe = code == 2 || code == 8;
            if (code == 7)
                testlib_points = jd_testlib_points(text ? text : "", &points);
            val.res.status = SB_RE;
            val.res.exit_code = code == 0 || (code == 7 && testlib_points) ? 42 : code == 7 ? 3 : 43;
        }
        free(text);
    }
    bool sub_first = sub.ended.tv_sec < val.ended.tv_sec ||
                     (sub.ended.tv_sec == val.ended.tv_sec && sub.ended.tv_nsec < val.ended.tv_nsec);
    tr->verdict = jd_interactive_verdict(&sub.res, &val.res, sub_first, fbm, tr->message,
                                         sizeof tr->message);
    if (tr->verdict == JD_WA && testlib_pe)
        tr->verdict = JD_PE;
    if (tr->verdict == JD_AC && testlib_points)
        tr->score = points;
    if (tr->verdict == JD_AC && testlib && c->post_checker) {
        /* Polygon: the checker judges what the interactor wrote to its
         * output file (checker input interactor.out answer) */
        char *iout = jd_path_join(fb, "interactor.out");
        struct jd_check_ctx cc = {.slot = c->slot, .p = c->p, .checker = c->post_checker,
                                  .test = t, .work = work};
        struct jd_check_result cr;
        struct stat st;
        if (!iout) {
            rc = -ENOMEM;
            goto fail;
        }
        /* the interactor's box wrote this dir and has ended: a symlink here
         * would mount a host file into the checker's box */
        if (lstat(iout, &st) < 0 || !S_ISREG(st.st_mode)) {
            tr->verdict = JD_JE;
            snprintf(tr->message, sizeof tr->message,
                     "the interactor left no output file (a regular file) for the checker");
            free(iout);
            rc = 0;
            goto out;
        }
        jd_check_testlib(&cc, iout, &cr);
        free(iout);
        tr->verdict = cr.verdict;
        if (cr.has_score)
            tr->score = cr.score;
        snprintf(tr->message, sizeof tr->message, "%s", cr.message);
    }
    if (tr->verdict == JD_AC) {
        double sc;
        char bad[JD_MSG_MAX];
        int got = jd_read_score(fb, &sc, bad, sizeof bad);
        if (got == 1)
            tr->score = sc;
        else if (got < 0 && c->p->scoring) {
            tr->verdict = JD_JE;
            snprintf(tr->message, sizeof tr->message, "%s", bad);
        }
    }
    rc = 0;
    goto out;
fail:
    tr->verdict = JD_JE;
    snprintf(tr->message, sizeof tr->message, "interactive run: %s", strerror(-rc));
    rc = 0;
out:
    for (int i = 0; i < 2; i++)
        if (sv[i] >= 0)
            close(sv[i]);
    free(empty);
    free(logp);
    if (logfd >= 0)
        close(logfd);
    jd_strv_free(more);
    jd_strv_free(val_argv);
    jd_strv_free(sub_argv);
    free(fb);
    return rc;
}
