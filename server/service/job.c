/*
 * job.c - judging one job: a Judge0 single run (jd_run_single) or a
 * submission against a registered problem (jd_judge, publishing per-test
 * results as they complete), and the mapping of the judge's result onto
 * the stored Judge0 fields.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "server/service/codec.h"
#include "server/service/job.h"
#include "server/service/judge0_json.h"
#include "server/service/problems.h"
#include "sandbox/util.h"

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void set_message(struct submission *res, const char *msg)
{
    free(res->message);
    res->message = msg && *msg ? strdup(msg) : NULL;
}

void job_internal_error(struct submission *res, const char *msg)
{
    res->status_id = J0_INTERNAL_ERROR;
    free(res->verdict);
    res->verdict = strdup("JE");
    set_message(res, msg);
}

/* Judge0 words for a runtime error when the judge gave no message */
static void default_message(struct submission *res, jd_verdict v, int sig, int code)
{
    char buf[96];
    if (res->message)
        return;
    if (v == JD_RTE && sig > 0)
        snprintf(buf, sizeof buf, "Caught fatal signal %d", sig);
    else if (v == JD_RTE)
        snprintf(buf, sizeof buf, "Exited with error status %d", code);
    else if (v == JD_TLE)
        snprintf(buf, sizeof buf, "Time limit exceeded");
    else if (v == JD_MLE)
        snprintf(buf, sizeof buf, "Memory limit exceeded");
    else if (v == JD_OLE)
        snprintf(buf, sizeof buf, "Output limit exceeded");
    else
        return;
    set_message(res, buf);
}

/* Judge0 shows empty outputs as null */
static void take_bytes(struct bytes *dst, char **p, size_t n)
{
    if (n) {
        dst->p = *p;
        dst->n = n;
        *p = NULL;
    }
}

/* ---- a Judge0 single run ---------------------------------------------------- */

static void run_single(struct app *app, struct sb_slot *slot, const char *scratch,
                       const struct submission *s, struct submission *res)
{
    const struct jd_lang *lang = jd_lang_by_judge0(app->langs, s->language_id);
    if (!lang || !lang->available) {
        job_internal_error(res, "language is not available on this host");
        return;
    }
    struct jd_single_request req;
    memset(&req, 0, sizeof req);
    req.lang = lang;
    req.source = s->source_code.p;
    req.source_len = s->source_code.n;
    req.stdin_data = s->stdin_data.p;
    req.stdin_len = s->stdin_data.n;
    req.expected = s->expected_output.p;
    req.expected_len = s->expected_output.n;
    req.compiler_options = s->compiler_options;
    req.command_line_arguments = s->command_line_arguments;
    req.limits.cpu_s = s->cpu_time_limit;
    req.limits.wall_s = s->wall_time_limit;
    req.limits.cpu_extra_s = s->cpu_extra_time; /* isolate semantics: kill later, still TLE */
    req.limits.mem_kib = s->memory_limit > 0 ? (uint64_t)s->memory_limit : 0;
    req.limits.stack_kib = s->stack_limit > 0 ? (uint64_t)s->stack_limit : 0;
    req.limits.fsize_kib = s->max_file_size > 0 ? (uint64_t)s->max_file_size : 0;
    req.limits.procs = s->max_processes_and_or_threads > 0 ? (uint32_t)s->max_processes_and_or_threads : 0;
    req.redirect_stderr_to_stdout = s->redirect_stderr_to_stdout;
    req.enable_network = s->enable_network;
    req.number_of_runs = s->number_of_runs > 0 ? (int)s->number_of_runs : 1;
    req.additional_files_zip = s->additional_files.p;
    req.additional_files_len = s->additional_files.n;
    req.output_cap = app->cfg.max_output_bytes;

    struct jd_single_result r;
    memset(&r, 0, sizeof r);
    int rc = jd_run_single(slot, &req, scratch, &r);
    if (rc) {
        char msg[JD_MSG_MAX + 64];
        snprintf(msg, sizeof msg, "judge failed: %s%s%s", strerror(-rc), r.message[0] ? ": " : "",
                 r.message);
        job_internal_error(res, msg);
        jd_single_result_free(&r);
        return;
    }
    if (r.status == SB_XX || r.verdict == JD_JE)
        atomic_fetch_add(&app->metrics.sandbox_failures, 1);
    res->verdict = xstrdup(jd_verdict_code(r.verdict));
    res->status_id = j0_status_for(r.verdict, r.signal, r.exit_code);
    take_bytes(&res->stdout_data, &r.stdout_data, r.stdout_len);
    take_bytes(&res->stderr_data, &r.stderr_data, r.stderr_len);
    take_bytes(&res->compile_output, &r.compile_output, r.compile_output_len);
    set_message(res, r.message);
    if (r.verdict != JD_CE && r.verdict != JD_JE) {
        res->time = r.time_s;
        res->wall_time = r.wall_s;
        res->memory = (long)r.mem_kib;
        res->exit_code = r.signal > 0 ? -1 : r.exit_code;
        res->exit_signal = r.signal > 0 ? r.signal : -1;
    }
    default_message(res, r.verdict, r.signal, r.exit_code);
    jd_single_result_free(&r);
}

/* ---- judging against a problem ------------------------------------------------ */

struct progress_ctx {
    struct app *app;
    const char *token;
    jd_feedback feedback;   /* the problem's own level (UNSET: the service's) */
    double last;            /* when the tests so far were last stored */
};

/* Fast tests are stored in batches: at most this often (the whole list
 * so far is written each time, so one write per test of a 100-test
 * problem cost more than its runs). The final list is written by finish. */
#define PROGRESS_MIN_INTERVAL_S 0.1

static double job_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A test's message: a string when it is UTF-8, else base64 in _message_b64
 * (a checker may quote the team's bytes), so that no message is lost. */
static int set_test_message(json_t *o, const char *msg)
{
    size_t n = strlen(msg);
    if (!n)
        return json_object_set_new(o, "message", json_null());
    if (jd_utf8_valid(msg, n))
        return json_object_set_new(o, "message", json_stringn(msg, n));
    char *b = b64_encode(msg, n);
    int rc = b ? json_object_set_new(o, "message", json_null()) ||
                 json_object_set_new(o, "_message_b64", json_string(b))
               : -1;
    free(b);
    return rc;
}

/* A sample test's output: "output" when it is UTF-8, else base64 in
 * _output_b64 (judge0_json.c renders both like the other text fields);
 * "output_cut" when the program printed more than was kept. */
static int set_test_output(json_t *o, const struct jd_test_result *t)
{
    if (!t->output)
        return 0;
    if (json_object_set_new(o, "output_cut", json_boolean(t->output_cut)))
        return -ENOMEM;
    if (jd_utf8_valid(t->output, t->output_len))
        return json_object_set_new(o, "output", json_stringn(t->output, t->output_len));
    char *b = b64_encode(t->output, t->output_len);
    int rc = b ? json_object_set_new(o, "_output_b64", json_string(b)) : -1;
    free(b);
    return rc;
}

/* The stored per-test list. It is stored whole: server/service/feedback.c decides
 * what each reader sees, by "sample" and the problem's "_feedback". */
static json_t *tests_json(const struct jd_report *rep, jd_feedback feedback)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < rep->n_tests; i++) {
        const struct jd_test_result *t = &rep->tests[i];
        if (t->verdict == JD_PENDING)
            continue;
        char tbuf[32], wbuf[32];
        snprintf(tbuf, sizeof tbuf, "%.3f", t->time_s);
        snprintf(wbuf, sizeof wbuf, "%.3f", t->wall_s);
        json_t *o = json_pack("{s:s, s:s, s:o, s:s, s:s, s:I, s:f}",
                              "name", t->name ? t->name : "",
                              "verdict", jd_verdict_code(t->verdict),
                              "status", j0_status_json(j0_status_for(t->verdict, t->signal, t->exit_code)),
                              "time", tbuf, "wall_time", wbuf,
                              "memory", (json_int_t)t->mem_kib, "score", t->score);
        if (!o)
            continue;
        const char *fb = jd_feedback_name(feedback);
        /* a test is stored whole or not at all: without its "sample" or
         * "_feedback" marker a reader could be shown more than allowed */
        if (json_object_set_new(o, "exit_code", t->signal > 0 ? json_null() : json_integer(t->exit_code)) ||
            json_object_set_new(o, "exit_signal", t->signal > 0 ? json_integer(t->signal) : json_null()) ||
            json_object_set_new(o, "sample", json_boolean(t->sample)) ||
            (fb && json_object_set_new(o, "_feedback", json_string(fb))) ||
            set_test_message(o, t->message) || set_test_output(o, t)) {
            json_decref(o);
            continue;
        }
        json_array_append_new(a, o);
    }
    return a;
}

static void on_progress(void *ctx, const struct jd_report *partial, size_t idx, size_t total)
{
    struct progress_ctx *pc = ctx;
    double now = job_clock();
    /* the compile (idx -1) is always told: the job is seen to start */
    if (idx != (size_t)-1 && now - pc->last < PROGRESS_MIN_INTERVAL_S)
        return;
    pc->last = now;
    json_t *a = tests_json(partial, pc->feedback);
    char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    if (s)
        pc->app->store->ops->progress(pc->app->store, pc->token, pc->app->owner, s, (long)total,
                                      partial->score, partial->max_score);
    free(s);
}

static void run_problem(struct app *app, struct sb_slot **slots, size_t n_slots, const char *scratch,
                        const struct submission *s, struct submission *res)
{
    char err[512] = "";
    const struct jd_lang *lang = jd_lang_by_judge0(app->langs, s->language_id);
    if (!lang || !lang->available) {
        job_internal_error(res, "language is not available on this host");
        return;
    }
    struct problem_ref *pr;
    if (problems_acquire(app, s->problem_id, &pr, err, sizeof err)) {
        job_internal_error(res, err);
        return;
    }
    char srcdir[600], src[800], jdir[600];
    snprintf(srcdir, sizeof srcdir, "%s/src", scratch);
    snprintf(jdir, sizeof jdir, "%s/judge", scratch);
    snprintf(src, sizeof src, "%s/%s", srcdir, lang->source_file ? lang->source_file : "main");
    jd_scratch_unmount(scratch); /* left by a killed earlier run */
    sb_rm_rf(srcdir);
    sb_rm_rf(jdir);
    FILE *f = NULL;
    if (sb_mkdir_p(srcdir, 0755) || sb_mkdir_p(jdir, 0755) || !(f = fopen(src, "we")) ||
        fwrite(s->source_code.p, 1, s->source_code.n, f) != s->source_code.n) {
        if (f)
            fclose(f);
        job_internal_error(res, "cannot write the source file to the scratch directory");
        problems_release(app, pr);
        return;
    }
    fclose(f);

    struct progress_ctx pctx = {app, s->token, jd_problem_feedback(problems_get(pr)), 0};
    struct jd_judge_options opt;
    memset(&opt, 0, sizeof opt);
    opt.run_all = true;
    opt.parallel = 1;
    opt.slots = slots;
    opt.n_slots = n_slots;  /* 2: interactive tests need a box for the validator */
    opt.langs = app->langs; /* validators may be in any configured language */
    opt.scratch_dir = jdir;
    opt.progress = on_progress;
    opt.progress_ctx = &pctx;
    struct jd_report rep;
    memset(&rep, 0, sizeof rep);
    int rc = jd_judge(problems_get(pr), lang, src, &opt, &rep, err, sizeof err);
    problems_release(app, pr);
    if (rc) {
        job_internal_error(res, err[0] ? err : strerror(-rc));
        jd_report_free(&rep);
        return;
    }
    int sig = 0, code = 0;
    for (size_t i = 0; i < rep.n_tests; i++)
        if (rep.tests[i].verdict == rep.verdict) {
            sig = rep.tests[i].signal;
            code = rep.tests[i].exit_code;
            break;
        }
    if (rep.verdict == JD_JE)
        atomic_fetch_add(&app->metrics.sandbox_failures, 1);
    res->verdict = xstrdup(jd_verdict_code(rep.verdict));
    res->status_id = j0_status_for(rep.verdict, sig, code);
    if (rep.compile_output && rep.compile_output[0]) {
        res->compile_output.n = strlen(rep.compile_output);
        res->compile_output.p = rep.compile_output;
        rep.compile_output = NULL;
    }
    set_message(res, rep.message);
    if (rep.verdict != JD_CE) {
        res->time = rep.max_time_s;
        res->memory = (long)rep.max_mem_kib;
    }
    res->score = rep.score;
    res->max_score = rep.max_score;
    json_t *a = tests_json(&rep, pctx.feedback);
    res->tests = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    res->tests_total = (long)rep.n_tests;
    default_message(res, rep.verdict, sig, code);
    jd_report_free(&rep);
}

void job_judge(struct app *app, struct sb_slot **slots, size_t n_slots, const char *scratch,
               const struct submission *s, struct submission *res)
{
    if (s->problem_id)
        run_problem(app, slots, n_slots, scratch, s, res);
    else
        run_single(app, slots[0], scratch, s, res);
}
