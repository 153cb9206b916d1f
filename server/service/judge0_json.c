/* judge0_json.c - Judge0 request parsing/validation and response rendering. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "judge/number.h"
#include "server/service/callback_guard.h"
#include "server/service/codec.h"
#include "server/service/judge0_json.h"
#include "server/service/problems.h"
#include "server/service/problem_id.h"

/* ---- statuses -------------------------------------------------------------- */

static const char *const status_names[] = {
    NULL, "In Queue", "Processing", "Accepted", "Wrong Answer", "Time Limit Exceeded",
    "Compilation Error", "Runtime Error (SIGSEGV)", "Runtime Error (SIGXFSZ)",
    "Runtime Error (SIGFPE)", "Runtime Error (SIGABRT)", "Runtime Error (NZEC)",
    "Runtime Error (Other)", "Internal Error", "Exec Format Error",
};

const char *j0_status_name(int id)
{
    return id >= 1 && id <= J0_STATUS_MAX ? status_names[id] : "Unknown";
}

json_t *j0_status_json(int id)
{
    return json_pack("{s:i, s:s}", "id", id, "description", j0_status_name(id));
}

json_t *j0_statuses_json(void)
{
    json_t *a = json_array();
    for (int i = 1; a && i <= J0_STATUS_MAX; i++)
        json_array_append_new(a, j0_status_json(i));
    return a;
}

int j0_status_for(jd_verdict v, int signal, int exit_code)
{
    switch (v) {
    case JD_PENDING: return J0_IN_QUEUE;
    case JD_AC: return J0_ACCEPTED;
    case JD_WA:
    case JD_PE: return J0_WRONG_ANSWER;
    case JD_TLE: return J0_TLE;
    case JD_CE: return J0_COMPILATION_ERROR;
    case JD_OLE: return J0_RE_SIGXFSZ;     /* isolate reports a file size overrun this way */
    case JD_MLE: return J0_RE_OTHER;       /* Judge0 has no MLE: the box is killed */
    case JD_RTE:
        switch (signal) {
        case 11: return J0_RE_SIGSEGV;
        case 25: return J0_RE_SIGXFSZ;
        case 8: return J0_RE_SIGFPE;
        case 6: return J0_RE_SIGABRT;
        case 0:
        case -1: return exit_code != 0 ? J0_RE_NZEC : J0_RE_OTHER;
        default: return J0_RE_OTHER;
        }
    case JD_JE:
    default: return J0_INTERNAL_ERROR;
    }
}

/* ---- fields ------------------------------------------------------------------ */

enum field {
    F_SOURCE_CODE, F_LANGUAGE_ID, F_STDIN, F_EXPECTED_OUTPUT, F_STDOUT, F_STATUS_ID,
    F_CREATED_AT, F_FINISHED_AT, F_TIME, F_MEMORY, F_STDERR, F_TOKEN, F_NUMBER_OF_RUNS,
    F_CPU_TIME_LIMIT, F_CPU_EXTRA_TIME, F_WALL_TIME_LIMIT, F_MEMORY_LIMIT, F_STACK_LIMIT,
    F_MAX_PROCESSES, F_PER_PROC_TIME, F_PER_PROC_MEM, F_MAX_FILE_SIZE, F_COMPILE_OUTPUT,
    F_EXIT_CODE, F_EXIT_SIGNAL, F_MESSAGE, F_WALL_TIME, F_COMPILER_OPTIONS,
    F_COMMAND_LINE_ARGUMENTS, F_REDIRECT, F_CALLBACK_URL, F_ADDITIONAL_FILES,
    F_ENABLE_NETWORK, F_STATUS, F_LANGUAGE,
    /* beyond Judge0 */
    F_VERDICT, F_PROBLEM_ID, F_SCORE, F_MAX_SCORE, F_TESTS, F_TESTS_TOTAL,
    F_COUNT
};

static const char *const field_names[F_COUNT] = {
    "source_code", "language_id", "stdin", "expected_output", "stdout", "status_id",
    "created_at", "finished_at", "time", "memory", "stderr", "token", "number_of_runs",
    "cpu_time_limit", "cpu_extra_time", "wall_time_limit", "memory_limit", "stack_limit",
    "max_processes_and_or_threads", "enable_per_process_and_thread_time_limit",
    "enable_per_process_and_thread_memory_limit", "max_file_size", "compile_output",
    "exit_code", "exit_signal", "message", "wall_time", "compiler_options",
    "command_line_arguments", "redirect_stderr_to_stdout", "callback_url",
    "additional_files", "enable_network", "status", "language",
    "verdict", "problem_id", "score", "max_score", "tests", "tests_total",
};

#define BIT(f) ((j0_fields)1 << (f))
/* Judge0's default fields and its "*". Strict clients (the official Python
 * SDK sets every returned key on a closed model) break on unknown keys, so
 * our extra fields (verdict, problem results) appear only when asked for by
 * name ("fields=*,verdict"), or on problem submissions, which only
 * nsjudge-aware clients create. */
static const j0_fields default_fields = BIT(F_TOKEN) | BIT(F_TIME) | BIT(F_MEMORY) |
    BIT(F_STDOUT) | BIT(F_STDERR) | BIT(F_COMPILE_OUTPUT) | BIT(F_MESSAGE) | BIT(F_STATUS);
static const j0_fields judge0_all = BIT(F_LANGUAGE + 1) - 1;
static const j0_fields problem_fields = BIT(F_VERDICT) | BIT(F_PROBLEM_ID) | BIT(F_SCORE) |
    BIT(F_MAX_SCORE) | BIT(F_TESTS) | BIT(F_TESTS_TOTAL);
#define DEFAULT_MARK ((j0_fields)1 << 63)  /* defaults or "*": add problem fields */

j0_fields j0_fields_token_only(void)
{
    return BIT(F_TOKEN);
}

int j0_fields_parse(const char *spec, j0_fields *out, char *err, size_t errlen)
{
    if (!spec || !*spec) {
        *out = default_fields | DEFAULT_MARK;
        return 0;
    }
    j0_fields m = 0;
    char bad[512] = "";
    size_t nbad = 0;
    const char *p = spec;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && *p == ' ') {
            p++;
            n--;
        }
        while (n && p[n - 1] == ' ')
            n--;
        if (n == 1 && *p == '*') {
            m |= judge0_all | DEFAULT_MARK;
        } else if (n) {
            int f = -1;
            for (int i = 0; i < F_COUNT; i++)
                if (strlen(field_names[i]) == n && !strncmp(field_names[i], p, n))
                    f = i;
            if (f < 0) {
                size_t l = strlen(bad);
                /* the error is a JSON string: a name that is not UTF-8 is not echoed */
                if (jd_utf8_valid(p, n))
                    snprintf(bad + l, sizeof bad - l, "%s%.*s", nbad ? ", " : "", (int)n, p);
                else
                    snprintf(bad + l, sizeof bad - l, "%s(not UTF-8)", nbad ? ", " : "");
                nbad++;
            } else {
                m |= BIT(f);
            }
        }
        if (!e)
            break;
        p = e + 1;
    }
    if (nbad) {
        /* truncation may have cut a character in two */
        for (size_t l = strlen(bad); l && !jd_utf8_valid(bad, l); l--)
            bad[l - 1] = 0;
        snprintf(err, errlen, "invalid fields: [%s]", bad);
        return -EINVAL;
    }
    *out = m ? m : default_fields | DEFAULT_MARK;
    return 0;
}

/* ---- parsing ------------------------------------------------------------------ */

static void add_err(json_t *errors, const char *field, const char *msg)
{
    json_t *a = json_object_get(errors, field);
    if (!a) {
        a = json_array();
        json_object_set_new(errors, field, a);
    }
    json_array_append_new(a, json_string(msg));
}

static bool absent(json_t *v)
{
    return !v || json_is_null(v);
}

/* A JSON number or a numeric string (Rails casts both). 1 = present, 0 = absent, -1 = error */
static int get_number(json_t *obj, const char *key, double *out, json_t *errors)
{
    json_t *v = json_object_get(obj, key);
    if (absent(v))
        return 0;
    if (json_is_number(v)) {
        *out = json_number_value(v);
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        if (!*s)
            return 0;
        *out = strtod(s, &end);
        if (*end || end == s)
            goto bad;
    } else {
        goto bad;
    }
    if (!isfinite(*out))
        goto bad;
    return 1;
bad:
    add_err(errors, key, "is not a number");
    return -1;
}

static void get_limit(json_t *obj, const char *key, double *dst, double def, double max,
                      json_t *errors)
{
    double v;
    int r = get_number(obj, key, &v, errors);
    *dst = def;
    if (r <= 0)
        return;
    char msg[96];
    if (v <= 0) {
        add_err(errors, key, "must be greater than 0");
        return;
    }
    if (v > max) {
        snprintf(msg, sizeof msg, "must be less than or equal to %g", max);
        add_err(errors, key, msg);
        return;
    }
    *dst = v;
}

/* An integer limit, in [1, max]. A fraction is cast down as Rails does,
 * but never to 0: memory_limit 0.5 must not become "no limit". */
static void get_ilimit(json_t *obj, const char *key, long *dst, long def, long max, json_t *errors)
{
    double v;
    int r = get_number(obj, key, &v, errors);
    *dst = def;
    if (r <= 0)
        return;
    int64_t n;
    int bad = jd_num_int(v, 1, max, false, &n);
    if (bad) {
        char msg[96];
        if (v <= 0)
            snprintf(msg, sizeof msg, "must be greater than 0");
        else if (v < 1)
            snprintf(msg, sizeof msg, "must be at least 1");
        else
            snprintf(msg, sizeof msg, "must be less than or equal to %ld", max);
        add_err(errors, key, msg);
        return;
    }
    *dst = (long)n;
}

static void get_bool(json_t *obj, const char *key, bool *dst, bool def, bool allowed,
                     json_t *errors)
{
    json_t *v = json_object_get(obj, key);
    *dst = def;
    if (absent(v))
        return;
    bool b;
    if (json_is_boolean(v)) {
        b = json_is_true(v);
    } else if (json_is_string(v) && !strcmp(json_string_value(v), "true")) {
        b = true;
    } else if (json_is_string(v) && !strcmp(json_string_value(v), "false")) {
        b = false;
    } else if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
        b = json_integer_value(v) == 1;
    } else {
        add_err(errors, key, "must be true or false");
        return;
    }
    if (b && !allowed && !def) {
        add_err(errors, key, "this option cannot be enabled");
        return;
    }
    *dst = b;
}

/* A text field: a string (base64-decoded if asked). 1 present, 0 absent, -1 error, -ENOMEM */
static int get_text(json_t *obj, const char *key, bool base64, size_t max, struct bytes *dst,
                    json_t *errors)
{
    json_t *v = json_object_get(obj, key);
    dst->p = NULL;
    dst->n = 0;
    if (absent(v))
        return 0;
    if (!json_is_string(v)) {
        add_err(errors, key, "must be a string");
        return -1;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (base64) {
        int rc = b64_decode(s, n, &dst->p, &dst->n);
        if (rc == -ENOMEM)
            return -ENOMEM;
        if (rc) {
            add_err(errors, key, "is not valid base64");
            return -1;
        }
    } else {
        if (!(dst->p = malloc(n + 1)))
            return -ENOMEM;
        memcpy(dst->p, s, n + 1);
        dst->n = n;
    }
    if (dst->n > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "is too long (maximum is %zu bytes)", max);
        add_err(errors, key, msg);
        free(dst->p);
        dst->p = NULL;
        return -1;
    }
    return 1;
}

static int get_short_string(json_t *obj, const char *key, size_t max, bool allowed,
                            const char *not_allowed, char **dst, json_t *errors)
{
    json_t *v = json_object_get(obj, key);
    *dst = NULL;
    if (absent(v))
        return 0;
    if (!json_is_string(v)) {
        add_err(errors, key, "must be a string");
        return -1;
    }
    if (!json_string_length(v))
        return 0;
    if (!allowed) {
        add_err(errors, key, not_allowed);
        return -1;
    }
    if (json_string_length(v) > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "is too long (maximum is %zu characters)", max);
        add_err(errors, key, msg);
        return -1;
    }
    if (memchr(json_string_value(v), 0, json_string_length(v))) {
        add_err(errors, key, "must not contain NUL characters");
        return -1;
    }
    /* a form body can carry any bytes; these fields are shown as JSON strings */
    if (!jd_utf8_valid(json_string_value(v), json_string_length(v))) {
        add_err(errors, key, "must be valid UTF-8");
        return -1;
    }
    return (*dst = strdup(json_string_value(v))) ? 1 : -ENOMEM;
}

int j0_parse_submission(const struct app *app, json_t *obj, bool base64,
                        struct submission *sub, json_t **errors_out)
{
    const struct config *c = &app->cfg;
    json_t *errors = json_object();
    if (!errors)
        return -ENOMEM;
    submission_init(sub);
    *errors_out = NULL;
    int rc = 0;
    if (!json_is_object(obj)) {
        add_err(errors, "submission", "must be a JSON object");
        goto out;
    }

    /* source_code */
    rc = get_text(obj, "source_code", base64, c->max_source_bytes, &sub->source_code, errors);
    if (rc == -ENOMEM)
        goto out;
    if (rc == 0 || (rc == 1 && sub->source_code.n == 0))
        add_err(errors, "source_code", "can't be blank");

    /* language_id */
    double lid;
    const struct jd_lang *lang = NULL;
    int r = get_number(obj, "language_id", &lid, errors);
    if (r == 0) {
        add_err(errors, "language_id", "can't be blank");
    } else if (r == 1) {
        int64_t id = 0;
        /* the range before the cast: (int)1e10 is undefined behaviour */
        bool in_range = jd_num_int(lid, 1, INT_MAX, true, &id) == 0;
        if (in_range) {
            sub->language_id = (int)id;
            lang = app->langs ? jd_lang_by_judge0(app->langs, sub->language_id) : NULL;
        }
        if (!in_range) {
            add_err(errors, "language_id", "must be a whole number from 1 to 2147483647");
        } else if (!lang || !lang->available) {
            char msg[96];
            snprintf(msg, sizeof msg, "language with id %d doesn't exist", sub->language_id);
            add_err(errors, "language_id", msg);
            lang = NULL;
        }
    }

    if ((rc = get_short_string(obj, "compiler_options", 512, c->enable_compiler_options,
                               "setting compiler options is not allowed",
                               &sub->compiler_options, errors)) == -ENOMEM)
        goto out;
    if (sub->compiler_options && lang && !lang->compile_argv)
        add_err(errors, "compiler_options",
                "setting compiler options is only allowed for compiled languages");
    if ((rc = get_short_string(obj, "command_line_arguments", 512,
                               c->enable_command_line_arguments,
                               "setting command line arguments is not allowed",
                               &sub->command_line_arguments, errors)) == -ENOMEM)
        goto out;
    if ((rc = get_short_string(obj, "callback_url", 2048, c->enable_callbacks,
                               "setting callback url is not allowed", &sub->callback_url,
                               errors)) == -ENOMEM)
        goto out;
    char why[160];
    if (sub->callback_url && strncmp(sub->callback_url, "http://", 7) &&
        strncmp(sub->callback_url, "https://", 8))
        add_err(errors, "callback_url", "is not a valid URL");
    else if (sub->callback_url && callback_url_check(app ? app->callback_allow : NULL, sub->callback_url, why, sizeof why))
        add_err(errors, "callback_url", why);

    if ((rc = get_text(obj, "stdin", base64, c->max_stdin_bytes, &sub->stdin_data, errors)) == -ENOMEM)
        goto out;
    if ((rc = get_text(obj, "expected_output", base64, c->max_stdin_bytes,
                       &sub->expected_output, errors)) == -ENOMEM)
        goto out;
    /* additional_files is base64 in every mode, as Judge0 has it */
    if ((rc = get_text(obj, "additional_files", true, c->max_extract_bytes,
                       &sub->additional_files, errors)) == -ENOMEM)
        goto out;
    if (sub->additional_files.p && !c->enable_additional_files)
        add_err(errors, "additional_files", "setting additional files is not allowed");

    get_limit(obj, "cpu_time_limit", &sub->cpu_time_limit, c->cpu_time_limit,
              c->max_cpu_time_limit, errors);
    get_limit(obj, "cpu_extra_time", &sub->cpu_extra_time, c->cpu_extra_time,
              c->max_cpu_extra_time, errors);
    get_limit(obj, "wall_time_limit", &sub->wall_time_limit, c->wall_time_limit,
              c->max_wall_time_limit, errors);
    get_ilimit(obj, "memory_limit", &sub->memory_limit, c->memory_limit, c->max_memory_limit, errors);
    get_ilimit(obj, "stack_limit", &sub->stack_limit, c->stack_limit, c->max_stack_limit, errors);
    get_ilimit(obj, "max_processes_and_or_threads", &sub->max_processes_and_or_threads,
               c->max_processes_and_or_threads, c->max_max_processes_and_or_threads, errors);
    get_ilimit(obj, "max_file_size", &sub->max_file_size, c->max_file_size, c->max_max_file_size,
               errors);
    get_ilimit(obj, "number_of_runs", &sub->number_of_runs, c->number_of_runs,
               c->max_number_of_runs, errors);
    get_bool(obj, "enable_per_process_and_thread_time_limit", &sub->per_process_time,
             c->enable_per_process_and_thread_time_limit,
             c->allow_enable_per_process_and_thread_time_limit, errors);
    get_bool(obj, "enable_per_process_and_thread_memory_limit", &sub->per_process_memory,
             c->enable_per_process_and_thread_memory_limit,
             c->allow_enable_per_process_and_thread_memory_limit, errors);
    get_bool(obj, "redirect_stderr_to_stdout", &sub->redirect_stderr_to_stdout,
             c->redirect_stderr_to_stdout, true, errors);
    get_bool(obj, "enable_network", &sub->enable_network, c->enable_network,
             c->allow_enable_network, errors);

    /* problem_id: judge against a registered problem instead of stdin */
    json_t *pid = json_object_get(obj, "problem_id");
    if (!absent(pid)) {
        if (!json_is_string(pid) || strlen(json_string_value(pid)) != json_string_length(pid) ||
            !problem_id_valid(json_string_value(pid))) {
            add_err(errors, "problem_id", "must be a problem id (letters, digits, '_', '-', '.')");
        } else {
            struct problem_rec pr;
            int pr_rc = app->store->ops->problem_get(app->store, json_string_value(pid), &pr);
            if (pr_rc == 0) {
                problem_rec_clear(&pr);
                if (!(sub->problem_id = strdup(json_string_value(pid)))) {
                    rc = -ENOMEM;
                    goto out;
                }
            } else {
                char msg[200];
                snprintf(msg, sizeof msg, "problem with id %s doesn't exist", json_string_value(pid));
                add_err(errors, "problem_id", msg);
            }
        }
    }
    rc = 0;
out:
    if (rc == -ENOMEM) {
        json_decref(errors);
        submission_clear(sub);
        return -ENOMEM;
    }
    if (json_object_size(errors)) {
        *errors_out = errors;
        submission_clear(sub);
        return -EINVAL;
    }
    json_decref(errors);
    return 0;
}

/* ---- rendering ------------------------------------------------------------------ */

static json_t *text_json(const struct bytes *b, bool base64, bool *not_utf8)
{
    if (!b->p)
        return json_null();
    (void)base64; /* plain text only: text_json_owned() does base64 */
    if (!jd_utf8_valid(b->p, b->n)) {
        *not_utf8 = true;
        return json_null();
    }
    return json_stringn(b->p, b->n);
}

static json_t *text_json_owned(const struct bytes *b, bool base64, bool *not_utf8)
{
    if (b->p && base64) {
        char *e = b64_encode(b->p, b->n);
        if (!e)
            return NULL;
        json_t *j = json_string_nocheck(e);
        free(e);
        return j;
    }
    return text_json(b, false, not_utf8);
}

static json_t *cstr_json(const char *s, bool base64, bool *not_utf8)
{
    struct bytes b = {(char *)s, s ? strlen(s) : 0};
    return text_json_owned(&b, base64, not_utf8);
}

static json_t *dbl_str(double v)
{
    if (v < 0)
        return json_null();
    char buf[32];
    snprintf(buf, sizeof buf, "%.3f", v);
    return json_string(buf);
}

static json_t *num_or_null(long v)
{
    return v < 0 ? json_null() : json_integer(v);
}

_Static_assert(F_COUNT <= J0_FIELDS_SPARE_SHIFT, "the fields reach the spare bits");

/* A test's text key (message, output) encoded like every other text
 * field; it is stored as a string, or as base64 in _KEY_b64 when it is not
 * UTF-8. A missing output stays missing (only sample tests have one). */
static int test_text(json_t *t, json_t *o, const char *key, bool base64, bool *not_utf8)
{
    char bkey[32];
    snprintf(bkey, sizeof bkey, "_%s_b64", key);
    struct bytes txt = {0};
    json_t *m = json_object_get(t, key), *mb = json_object_get(t, bkey);
    if (!m && !mb && strcmp(key, "message"))
        return 0;
    if (json_is_string(m)) {
        txt.p = strdup(json_string_value(m));
        txt.n = json_string_length(m);
        if (!txt.p)
            return -1;
    } else if (json_is_string(mb) &&
               b64_decode(json_string_value(mb), json_string_length(mb), &txt.p, &txt.n)) {
        return -1;
    }
    json_t *j = text_json_owned(&txt, base64, not_utf8);
    free(txt.p);
    return j && !json_object_set_new(o, key, j) ? 0 : -1;
}

/* The per-test list as shown: the server's own keys ('_') dropped, the
 * message and a sample's output encoded like every other text field. */
static json_t *tests_render(json_t *tests, bool base64, bool *not_utf8)
{
    json_t *a = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(tests, i, t) {
        json_t *o = json_object();
        if (!o || json_array_append_new(a, o))
            goto fail;
        const char *k;
        json_t *v;
        json_object_foreach(t, k, v)
            if (k[0] != '_' && strcmp(k, "message") && strcmp(k, "output") && json_object_set(o, k, v))
                goto fail;
        if (test_text(t, o, "message", base64, not_utf8) || test_text(t, o, "output", base64, not_utf8))
            goto fail;
    }
    return a;
fail:
    json_decref(a);
    return NULL;
}

json_t *j0_render_submission(const struct app *app, const struct submission *sub,
                             j0_fields fields, bool base64, struct fb_view view, bool *not_utf8)
{
    *not_utf8 = false;
    /* the one way a stored result is shown: through the feedback policy */
    struct fb_redacted red;
    if (feedback_redact(&app->cfg, sub, view, &red))
        return NULL;
    const struct submission *s = &red.s;
    if ((fields & DEFAULT_MARK) && s->problem_id)
        fields |= problem_fields;
    json_t *o = json_object();
    if (!o) {
        feedback_redacted_clear(&red);
        return NULL;
    }
    const struct jd_lang *lang = app->langs ? jd_lang_by_judge0(app->langs, s->language_id) : NULL;
    for (int f = 0; f < F_COUNT; f++) {
        if (!(fields & BIT(f)))
            continue;
        json_t *v = NULL;
        switch ((enum field)f) {
        case F_SOURCE_CODE: v = text_json_owned(&s->source_code, base64, not_utf8); break;
        case F_LANGUAGE_ID: v = json_integer(s->language_id); break;
        case F_STDIN: v = text_json_owned(&s->stdin_data, base64, not_utf8); break;
        case F_EXPECTED_OUTPUT: v = text_json_owned(&s->expected_output, base64, not_utf8); break;
        case F_STDOUT: v = text_json_owned(&s->stdout_data, base64, not_utf8); break;
        case F_STATUS_ID: v = json_integer(s->status_id); break;
        case F_CREATED_AT: v = s->created_at[0] ? json_string(s->created_at) : json_null(); break;
        case F_FINISHED_AT: v = s->finished_at[0] ? json_string(s->finished_at) : json_null(); break;
        case F_TIME: v = dbl_str(s->time); break;
        case F_MEMORY: v = num_or_null(s->memory); break;
        case F_STDERR: v = text_json_owned(&s->stderr_data, base64, not_utf8); break;
        case F_TOKEN: v = json_string(s->token); break;
        case F_NUMBER_OF_RUNS: v = num_or_null(s->number_of_runs); break;
        case F_CPU_TIME_LIMIT: v = dbl_str(s->cpu_time_limit); break;
        case F_CPU_EXTRA_TIME: v = dbl_str(s->cpu_extra_time); break;
        case F_WALL_TIME_LIMIT: v = dbl_str(s->wall_time_limit); break;
        case F_MEMORY_LIMIT: v = num_or_null(s->memory_limit); break;
        case F_STACK_LIMIT: v = num_or_null(s->stack_limit); break;
        case F_MAX_PROCESSES: v = num_or_null(s->max_processes_and_or_threads); break;
        case F_PER_PROC_TIME: v = json_boolean(s->per_process_time); break;
        case F_PER_PROC_MEM: v = json_boolean(s->per_process_memory); break;
        case F_MAX_FILE_SIZE: v = num_or_null(s->max_file_size); break;
        case F_COMPILE_OUTPUT: v = text_json_owned(&s->compile_output, base64, not_utf8); break;
        case F_EXIT_CODE: v = s->exit_code < 0 ? json_null() : json_integer(s->exit_code); break;
        case F_EXIT_SIGNAL: v = s->exit_signal <= 0 ? json_null() : json_integer(s->exit_signal); break;
        case F_MESSAGE: v = cstr_json(s->message, base64, not_utf8); break;
        case F_WALL_TIME: v = dbl_str(s->wall_time); break;
        case F_COMPILER_OPTIONS: v = s->compiler_options ? json_string(s->compiler_options) : json_null(); break;
        case F_COMMAND_LINE_ARGUMENTS:
            v = s->command_line_arguments ? json_string(s->command_line_arguments) : json_null();
            break;
        case F_REDIRECT: v = json_boolean(s->redirect_stderr_to_stdout); break;
        case F_CALLBACK_URL: v = s->callback_url ? json_string(s->callback_url) : json_null(); break;
        case F_ADDITIONAL_FILES: v = text_json_owned(&s->additional_files, true, not_utf8); break;
        case F_ENABLE_NETWORK: v = json_boolean(s->enable_network); break;
        case F_STATUS: v = j0_status_json(s->status_id); break;
        case F_LANGUAGE:
            v = lang ? json_pack("{s:i, s:s}", "id", s->language_id, "name", lang->name)
                     : json_pack("{s:i, s:n}", "id", s->language_id, "name");
            break;
        case F_VERDICT: v = s->verdict ? json_string(s->verdict) : json_null(); break;
        case F_PROBLEM_ID: v = s->problem_id ? json_string(s->problem_id) : json_null(); break;
        case F_SCORE: v = s->score < 0 ? json_null() : json_real(s->score); break;
        case F_MAX_SCORE: v = s->max_score < 0 ? json_null() : json_real(s->max_score); break;
        case F_TESTS:
            if (red.tests)
                v = tests_render(red.tests, base64, not_utf8);
            else
                v = s->problem_id ? json_array() : json_null();
            break;
        case F_TESTS_TOTAL: v = num_or_null(s->tests_total); break;
        case F_COUNT: break;
        }
        if (!v || json_object_set_new(o, field_names[f], v)) {
            json_decref(o);
            feedback_redacted_clear(&red);
            return NULL;
        }
    }
    feedback_redacted_clear(&red);
    if (*not_utf8) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static char *join_argv(char **argv)
{
    if (!argv)
        return NULL;
    size_t n = 1;
    for (char **a = argv; *a; a++)
        n += strlen(*a) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    s[0] = 0;
    for (char **a = argv; *a; a++) {
        if (a != argv)
            strcat(s, " ");
        strcat(s, *a);
    }
    return s;
}

json_t *j0_language_json(const struct jd_lang *l, int judge0_id, bool full)
{
    json_t *o = json_pack("{s:i, s:s}", "id", judge0_id, "name", l->name ? l->name : l->id);
    if (!o || !full)
        return o;
    char *cc = join_argv(l->compile_argv), *rc = join_argv(l->run_argv);
    json_object_set_new(o, "is_archived", json_boolean(!l->available));
    json_object_set_new(o, "source_file", l->source_file ? json_string(l->source_file) : json_null());
    json_object_set_new(o, "compile_cmd", cc ? json_string(cc) : json_null());
    json_object_set_new(o, "run_cmd", rc ? json_string(rc) : json_null());
    free(cc);
    free(rc);
    return o;
}

json_t *j0_error(const char *msg)
{
    return json_pack("{s:s}", "error", msg);
}
