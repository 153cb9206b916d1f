/*
 * feedback.c - the feedback policy: what a reader of a problem submission
 * sees of the secret tests (full / samples / verdict).
 *
 * A program that prints its own input would otherwise get the secret
 * inputs and answers back, quoted by the checker ("expected X, got Y"), by
 * an output validator's judgemessage, or in a broken validator's compiler
 * error. Contest systems show contestants only verdicts on secret data; so
 * do we, unless the server, the problem or the jury says otherwise.
 *
 *             | sample tests | secret tests                                  | top level
 *   full      | everything   | everything                                    | everything
 *   samples   | everything   | name, sample, verdict, status, time,          | message only from a sample
 *             |              | wall_time, memory, score (exit code, signal    | test (else "test NAME: Verdict"),
 *             |              | and message null)                             | no stdout/stderr
 *   verdict   | everything   | not listed                                    | message only from a sample test
 *
 * compile_output is the submission's own compiler output and is shown at
 * every level; time, memory, score, verdict and status too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "server/service/feedback.h"

static const char judge_error_text[] = "judging error (the jury can see the details)";

jd_feedback feedback_level(const struct config *cfg, jd_feedback problem, struct fb_view v)
{
    jd_feedback policy = problem != JD_FEEDBACK_UNSET ? problem : cfg->feedback;
    if (policy == JD_FEEDBACK_UNSET)
        policy = JD_FEEDBACK_SAMPLES;
    if (v.asked == JD_FEEDBACK_UNSET)
        return policy;
    if (v.jury)
        return v.asked;
    return v.asked < policy ? v.asked : policy;
}

static bool is_sample(json_t *t)
{
    return json_is_true(json_object_get(t, "sample"));
}

/* The problem's own level, recorded with each of its tests when judged. */
static jd_feedback problem_level(json_t *tests)
{
    jd_feedback f = JD_FEEDBACK_UNSET;
    json_t *t = json_array_get(tests, 0);
    const char *name = json_string_value(json_object_get(t, "_feedback"));
    if (name && jd_feedback_parse(name, &f))
        f = JD_FEEDBACK_VERDICT; /* unreadable: the least */
    return f;
}

/* What a secret test shows at `samples`: an allow-list, so a key added to
 * the stored shape later stays hidden until it is added here. The stored
 * key order is kept, so sample and secret tests look alike. */
static json_t *secret_summary(json_t *t)
{
    static const char *const keep[] = {"name", "sample", "verdict", "status", "time",
                                       "wall_time", "memory", "score"};
    static const char *const blank[] = {"exit_code", "exit_signal", "message"};
    json_t *o = json_object();
    if (!o)
        return NULL;
    const char *k;
    json_t *v;
    json_object_foreach(t, k, v) {
        for (size_t i = 0; i < sizeof keep / sizeof *keep; i++)
            if (!strcmp(k, keep[i]) && json_object_set(o, k, v))
                goto fail;
        for (size_t i = 0; i < sizeof blank / sizeof *blank; i++)
            if (!strcmp(k, blank[i]) && json_object_set_new(o, k, json_null()))
                goto fail;
    }
    for (size_t i = 0; i < sizeof blank / sizeof *blank; i++)
        if (!json_object_get(o, blank[i]) && json_object_set_new(o, blank[i], json_null()))
            goto fail;
    return o;
fail:
    json_decref(o);
    return NULL;
}

/* The top-level message of a problem submission below `full`. The judge
 * writes "test NAME: <that test's message>" for the first test (in problem
 * order) with the overall verdict; only a sample test's may stay. */
static int top_message(const struct submission *s, json_t *stored, jd_feedback level, char **out)
{
    *out = NULL;
    jd_verdict v;
    if (!s->message || !s->verdict || jd_verdict_parse(s->verdict, &v))
        return 0;                           /* nothing yet, or nothing to judge by */
    if (v == JD_AC || v == JD_CE)           /* compiling sees no test data */
        return (*out = strdup(s->message)) ? 0 : -ENOMEM;
    size_t i;
    json_t *t;
    json_array_foreach(stored, i, t) {
        const char *tv = json_string_value(json_object_get(t, "verdict"));
        if (!tv || strcmp(tv, s->verdict))
            continue;
        if (is_sample(t))
            return (*out = strdup(s->message)) ? 0 : -ENOMEM;
        if (level < JD_FEEDBACK_SAMPLES)
            return v == JD_JE && !(*out = strdup(judge_error_text)) ? -ENOMEM : 0;
        const char *name = json_string_value(json_object_get(t, "name"));
        if (asprintf(out, "test %s: %s", name ? name : "?", jd_verdict_name(v)) < 0) {
            *out = NULL;
            return -ENOMEM;
        }
        return 0;
    }
    /* not from a test: the judge or a validator failed (its message may
     * quote the validator's compiler output or server paths) */
    if (v == JD_JE)
        return (*out = strdup(judge_error_text)) ? 0 : -ENOMEM;
    return 0;
}

int feedback_redact(const struct config *cfg, const struct submission *s, struct fb_view v,
                    struct fb_redacted *out)
{
    memset(out, 0, sizeof *out);
    out->s = *s;
    out->s.message = NULL;
    json_t *stored = s->tests ? json_loads(s->tests, 0, NULL) : NULL;
    if (stored && !json_is_array(stored)) {
        json_decref(stored);
        stored = NULL;
    }
    jd_feedback level = JD_FEEDBACK_FULL;   /* single runs: the input is the submitter's own */
    if (s->problem_id) {
        if (!stored && !(stored = json_array()))
            goto nomem;
        level = feedback_level(cfg, problem_level(stored), v);
    }
    if (level >= JD_FEEDBACK_FULL) {
        out->tests = stored;
        stored = NULL;
        if (s->message && !(out->message = strdup(s->message)))
            goto nomem;
        out->s.message = out->message;
        return 0;
    }

    if (!(out->tests = json_array()))
        goto nomem;
    size_t i;
    json_t *t;
    json_array_foreach(stored, i, t) {
        json_t *shown = NULL;
        if (is_sample(t))
            shown = json_incref(t);
        else if (level == JD_FEEDBACK_SAMPLES && !(shown = secret_summary(t)))
            goto nomem;
        if (shown && json_array_append_new(out->tests, shown))
            goto nomem;
    }
    if (top_message(s, stored, level, &out->message))
        goto nomem;
    out->s.message = out->message;
    /* a problem run keeps no output today; should one ever be stored, it
     * came from a test */
    out->s.stdout_data = (struct bytes){0};
    out->s.stderr_data = (struct bytes){0};
    out->s.exit_code = -1;
    out->s.exit_signal = -1;
    json_decref(stored);
    return 0;
nomem:
    json_decref(stored);
    feedback_redacted_clear(out);
    return -ENOMEM;
}

void feedback_redacted_clear(struct fb_redacted *r)
{
    if (r->tests != NULL)
        json_decref(r->tests);
    free(r->message);
    memset(r, 0, sizeof *r);
}
