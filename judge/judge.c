/*
 * judge.c - judge one submission against a problem: compile it, build the
 * problem's validator, run the tests (in parallel boxes when asked), score,
 * and report.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "judge/internal.h"

void jd_report_free(struct jd_report *rep)
{
    if (!rep)
        return;
    free(rep->compile_output);
    for (size_t i = 0; i < rep->n_tests; i++) {
        free(rep->tests[i].name);
        free(rep->tests[i].output);
    }
    free(rep->tests);
    memset(rep, 0, sizeof *rep);
}

struct run_state {
    pthread_mutex_t lock;
    const struct jd_problem *p;
    const struct jd_judge_options *opt;
    struct jd_run_ctx base;
    struct jd_test_result *results;   /* by test index; JD_PENDING = not done */
    bool *started, *needed;
    struct jd_report *partial;        /* completed tests in completion order */
    size_t n_done;
    int error;
};

/* Next test to run, or SIZE_MAX; called with the lock held. */
static size_t pick(struct run_state *s)
{
    jd_tests_needed(s->p, s->results, s->opt->run_all, s->needed);
    for (size_t i = 0; i < s->p->n_tests; i++)
        if (!s->started[i] && s->needed[i]) {
            s->started[i] = true;
            return i;
        }
    return SIZE_MAX;
}

struct worker { struct run_state *s; struct sb_slot *slot, *slot2; pthread_t th; };

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct run_state *s = w->s;
    struct jd_run_ctx ctx = s->base;
    ctx.slot = w->slot;
    ctx.slot2 = w->slot2;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        size_t i = pick(s);
        pthread_mutex_unlock(&s->lock);
        if (i == SIZE_MAX)
            break;
        struct jd_test_result tr;
        jd_run_test(&ctx, i, &tr);
        if (tr.verdict == JD_PENDING)
            tr.verdict = JD_JE;
        tr.score = jd_test_score(s->p, i, &tr);
        pthread_mutex_lock(&s->lock);
        s->results[i] = tr;
        s->partial->tests[s->partial->n_tests++] = tr;
        if (tr.time_s > s->partial->max_time_s)
            s->partial->max_time_s = tr.time_s;
        if (tr.mem_kib > s->partial->max_mem_kib)
            s->partial->max_mem_kib = tr.mem_kib;
        if (s->opt->progress)
            s->opt->progress(s->opt->progress_ctx, s->partial, i, s->p->n_tests);
        pthread_mutex_unlock(&s->lock);
    }
    return NULL;
}

/* The line of compiler output worth showing: the first that mentions an
 * error, else the first. */
static void error_line(const char *text, char *dst, size_t dstlen)
{
    const char *line = text ? text : "";
    for (const char *p = line; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        size_t n = strcspn(p, "\n");
        if (memmem(p, n, "error", 5) || memmem(p, n, "Error", 5)) {
            line = p;
            break;
        }
    }
    sb_first_line(line, 300, dst, dstlen);
}

/* The best score a submission could get (for reports that end early). */
static double best_score(const struct jd_problem *p)
{
    struct jd_test_result *r = calloc(p->n_tests ? p->n_tests : 1, sizeof *r);
    struct jd_report tmp = {0};
    if (!r)
        return 0;
    for (size_t i = 0; i < p->n_tests; i++)
        r[i].score = NAN;
    jd_score(p, r, true, &tmp);
    free(r);
    return tmp.max_score;
}

int jd_judge(const struct jd_problem *p, const struct jd_lang *lang,
             const char *source_path, const struct jd_judge_options *opt,
             struct jd_report *rep, char *err, size_t errlen)
{
    if (!p || !lang || !source_path || !opt || !opt->slots || !opt->slots[0] || !rep) {
        snprintf(err, errlen, "jd_judge: missing argument");
        return -EINVAL;
    }
    memset(rep, 0, sizeof *rep);
    char *work = NULL;
    struct jd_program sub = {0};
    const struct jd_program *checker = NULL, *post_checker = NULL;
    struct jd_test_result *results = NULL;
    bool *started = NULL, *needed = NULL;
    int rc = jd_mkdtemp(opt->scratch_dir, "nsjudge-judge", &work);
    if (rc < 0) {
        snprintf(err, errlen, "scratch dir under %s: %s", opt->scratch_dir ? opt->scratch_dir : "$TMPDIR",
                 strerror(-rc));
        return rc;
    }
    chmod(work, 0755);

    struct stat st;
    if (stat(source_path, &st) < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", source_path, strerror(errno));
        goto out;
    }
    if (p->code_kib && !S_ISDIR(st.st_mode) && (uint64_t)st.st_size > p->code_kib * 1024) {
        rep->verdict = JD_CE;
        snprintf(rep->message, sizeof rep->message, "source is %lld bytes, the code limit is %llu KiB",
                 (long long)st.st_size, (unsigned long long)p->code_kib);
        goto out;
    }

    bool ok;
    char msg[JD_MSG_MAX];
    size_t outlen = 0;
    struct sb_result cres;
    /* limits.compilation_time / compilation_memory of the package win over
     * the language's own compile limits (the copy lives as long as sub) */
    struct jd_lang sublang = *lang;
    if (p->compile_time_s > 0) {
        sublang.compile_limits.cpu_s = p->compile_time_s;
        sublang.compile_limits.wall_s = 2 * p->compile_time_s + 5;
    }
    if (p->compile_mem_kib)
        sublang.compile_limits.mem_kib = p->compile_mem_kib;
    rc = jd_program_build(opt->slots[0], &sublang, source_path, work, "sub", opt->compiler_options, false,
                          &sub, &ok, &rep->compile_output, &outlen, &cres, msg, sizeof msg);
    if (rc < 0) {
        rep->verdict = JD_JE;
        snprintf(rep->message, sizeof rep->message, "%s", msg);
        rc = 0;
        goto out;
    }
    if (!ok) {
        rep->verdict = JD_CE;
        error_line(rep->compile_output, msg, sizeof msg);
        snprintf(rep->message, sizeof rep->message, "compilation failed%s%.480s", msg[0] ? ": " : "", msg);
        if (opt->progress)
            opt->progress(opt->progress_ctx, rep, (size_t)-1, p->n_tests);
        goto out;
    }
    if (opt->progress)
        opt->progress(opt->progress_ctx, rep, (size_t)-1, p->n_tests);

    if (jd_checker_get(p, opt->langs, opt->slots[0], &checker, msg, sizeof msg) < 0 ||
        jd_post_checker_get(p, opt->langs, opt->slots[0], &post_checker, msg, sizeof msg) < 0) {
        rep->verdict = JD_JE;
        snprintf(rep->message, sizeof rep->message, "%s", msg);
        goto out;
    }

    size_t n = p->n_tests;
    results = calloc(n, sizeof *results);
    started = calloc(n, sizeof *started);
    needed = calloc(n, sizeof *needed);
    rep->tests = calloc(n, sizeof *rep->tests);
    if (!results || !started || !needed || !rep->tests) {
        rc = -ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        results[i].score = NAN;

    struct run_state s = {
        .p = p, .opt = opt, .results = results, .started = started, .needed = needed,
        .partial = rep,
        .base = {.p = p, .sub = &sub, .checker = checker, .post_checker = post_checker,
                 .time_limit_s = opt->time_limit_s > 0 ? opt->time_limit_s : p->time_limit_s,
                 .scratch = work},
    };
    pthread_mutex_init(&s.lock, NULL);
    size_t n_slots = opt->n_slots ? opt->n_slots : (size_t)(opt->parallel > 1 ? opt->parallel : 1);
    size_t nw = (size_t)(opt->parallel > 1 ? opt->parallel : 1);
    if (p->interactive)
        nw = n_slots >= 2 ? (nw < n_slots / 2 ? nw : n_slots / 2) : 1;
    else if (nw > n_slots)
        nw = n_slots;
    if (nw > n)
        nw = n;
    struct worker *ws = calloc(nw ? nw : 1, sizeof *ws);
    size_t started_threads = 0;
    if (!ws) {
        pthread_mutex_destroy(&s.lock);
        rc = -ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t k = 0; k < nw; k++) {
        ws[k].s = &s;
        if (p->interactive) {
            ws[k].slot = opt->slots[2 * k];
            ws[k].slot2 = n_slots >= 2 ? opt->slots[2 * k + 1] : NULL;
        } else {
            ws[k].slot = opt->slots[k];
            ws[k].slot2 = NULL;
        }
        if (k == 0)
            continue;  /* worker 0 is this thread */
        if (pthread_create(&ws[k].th, NULL, worker_main, &ws[k]) == 0)
            started_threads = k;
        else
            break;
    }
    worker_main(&ws[0]);
    for (size_t k = 1; k <= started_threads; k++)
        pthread_join(ws[k].th, NULL);
    pthread_mutex_destroy(&s.lock);
    free(ws);

    /* The final list: tests that count, in problem order. Tests that ran in
     * parallel after a rejection that stops them are dropped. */
    jd_tests_needed(p, results, opt->run_all, needed);
    rep->n_tests = 0;
    rep->max_time_s = 0;
    rep->max_mem_kib = 0;
    for (size_t i = 0; i < n; i++) {
        if (needed[i] && results[i].verdict != JD_PENDING) {
            rep->tests[rep->n_tests++] = results[i];
            if (results[i].time_s > rep->max_time_s)
                rep->max_time_s = results[i].time_s;
            if (results[i].mem_kib > rep->max_mem_kib)
                rep->max_mem_kib = results[i].mem_kib;
        } else {
            free(results[i].name);
            free(results[i].output);
        }
    }
    jd_score(p, results, opt->run_all, rep);
    if (rep->verdict != JD_AC) {
        for (size_t i = 0; i < rep->n_tests; i++)
            if (rep->tests[i].verdict == rep->verdict) {
                snprintf(rep->message, sizeof rep->message, "test %.150s: %.340s", rep->tests[i].name,
                         rep->tests[i].message[0] ? rep->tests[i].message : jd_verdict_name(rep->verdict));
                break;
            }
    }
    rc = 0;
out:
    if (rep->verdict != JD_PENDING && !rep->max_score)
        rep->max_score = best_score(p);
    free(results);
    free(started);
    free(needed);
    jd_program_free(&sub);
    sb_rm_rf(work);
    free(work);
    if (rc < 0) {
        jd_report_free(rep);
        rep->verdict = JD_JE;
        snprintf(rep->message, sizeof rep->message, "%s", err);
    }
    return rc;
}
