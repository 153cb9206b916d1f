/* judge0_json.c - Judge0 request parsing/validation and response rendering. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "judge/number.h"
#include "server/service/callback_guard.h"
#include "server/service/codec.h"
#include "server/service/judge0_json.h"
#include "server/service/problems.h"
#include "server/service/problem_id.h"
#include "server/service/submission_cols.h"

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

/* How a field is shown. */
enum j0_shape {
    J0_COLUMN,    /* its stored column as the column's kind says (column_json) */
    J0_SECONDS,   /* a double column as Judge0 shows times: "%.3f", null when < 0 */
    J0_SIGNAL,    /* an int column, null unless > 0: 0 is "no signal" */
    /* computed: not one stored column as it is */
    J0_TOKEN,     /* always a string, "" included */
    J0_STATUS,    /* {id, description} of status_id */
    J0_LANGUAGE,  /* {id, name} of language_id, the name from the language table */
    J0_TESTS,     /* the per-test list as the feedback policy lets the reader see it */
};

enum {
    J0_DEFAULT = 1,      /* in Judge0's default fields */
    J0_EXTRA = 2,        /* beyond Judge0: by name, or with the defaults/"*" on problem submissions */
    J0_B64 = 4,          /* text: base64 when the client asks (Judge0's encoded fields) */
    J0_B64_ALWAYS = 8,   /* text: base64 in every mode */
};

struct j0_field {
    const char *name;     /* the response key, and the name fields= takes */
    const char *column;   /* the sub_cols row shown (stored shapes); NULL: the same name */
    enum j0_shape shape;
    unsigned flags;       /* J0_DEFAULT, ... */
};

/* Every field of a response, in the order of its keys; a field's bit in
 * j0_fields is its index here. Judge0's own fields first (its "*" is all
 * of them), then ours. Strict clients (the official Python SDK sets every
 * returned key on a closed model) break on unknown keys, so our extra
 * fields appear only when asked for by name ("fields=*,verdict"), or on
 * problem submissions, which only nsjudge-aware clients create. A stored
 * field Judge0 shows is one line here naming its column. */
static const struct j0_field field_table[] = {
    {"source_code", NULL, J0_COLUMN, J0_B64},
    {"language_id", NULL, J0_COLUMN, 0},
    {"stdin", NULL, J0_COLUMN, J0_B64},
    {"expected_output", NULL, J0_COLUMN, J0_B64},
    {"stdout", NULL, J0_COLUMN, J0_DEFAULT | J0_B64},
    {"status_id", NULL, J0_COLUMN, 0},
    {"created_at", NULL, J0_COLUMN, 0},
    {"finished_at", NULL, J0_COLUMN, 0},
    {"time", NULL, J0_SECONDS, J0_DEFAULT},
    {"memory", NULL, J0_COLUMN, J0_DEFAULT},
    {"stderr", NULL, J0_COLUMN, J0_DEFAULT | J0_B64},
    {"token", NULL, J0_TOKEN, J0_DEFAULT},
    {"number_of_runs", NULL, J0_COLUMN, 0},
    {"cpu_time_limit", NULL, J0_SECONDS, 0},
    {"cpu_extra_time", NULL, J0_SECONDS, 0},
    {"wall_time_limit", NULL, J0_SECONDS, 0},
    {"memory_limit", NULL, J0_COLUMN, 0},
    {"stack_limit", NULL, J0_COLUMN, 0},
    {"max_processes_and_or_threads", NULL, J0_COLUMN, 0},
    {"enable_per_process_and_thread_time_limit", "per_process_time", J0_COLUMN, 0},
    {"enable_per_process_and_thread_memory_limit", "per_process_memory", J0_COLUMN, 0},
    {"max_file_size", NULL, J0_COLUMN, 0},
    {"compile_output", NULL, J0_COLUMN, J0_DEFAULT | J0_B64},
    {"exit_code", NULL, J0_COLUMN, 0},
    {"exit_signal", NULL, J0_SIGNAL, 0},
    {"message", NULL, J0_COLUMN, J0_DEFAULT | J0_B64},
    {"wall_time", NULL, J0_SECONDS, 0},
    {"compiler_options", NULL, J0_COLUMN, 0},
    {"command_line_arguments", NULL, J0_COLUMN, 0},
    {"redirect_stderr_to_stdout", NULL, J0_COLUMN, 0},
    {"callback_url", NULL, J0_COLUMN, 0},
    /* a zip: base64 in every mode, as Judge0 has it */
    {"additional_files", NULL, J0_COLUMN, J0_B64_ALWAYS},
    {"enable_network", NULL, J0_COLUMN, 0},
    {"status", NULL, J0_STATUS, J0_DEFAULT},
    {"language", NULL, J0_LANGUAGE, 0},
    /* beyond Judge0 */
    {"verdict", NULL, J0_COLUMN, J0_EXTRA},
    {"problem_id", NULL, J0_COLUMN, J0_EXTRA},
    {"score", NULL, J0_COLUMN, J0_EXTRA},
    {"max_score", NULL, J0_COLUMN, J0_EXTRA},
    {"tests", NULL, J0_TESTS, J0_EXTRA},
    {"tests_total", NULL, J0_COLUMN, J0_EXTRA},
};
#define N_FIELDS ((int)(sizeof field_table / sizeof field_table[0]))
_Static_assert(sizeof field_table / sizeof field_table[0] <= J0_FIELDS_SPARE_SHIFT,
               "the fields reach the spare bits");

#define BIT(f) ((j0_fields)1 << (f))
#define DEFAULT_MARK ((j0_fields)1 << 63)  /* defaults or "*": add problem fields */

/* What the table gives, worked out once: each stored field's column, the
 * field sets by flag. */
struct field_sets {
    const struct sub_col *col[N_FIELDS];   /* NULL: computed, or a row that names no fitting column */
    j0_fields defaults, judge0_all, extras, token;
};
static struct field_sets fields_of_table;
static pthread_once_t fields_once = PTHREAD_ONCE_INIT;

static bool shape_fits(enum j0_shape shape, enum sub_col_kind kind)
{
    return shape == J0_COLUMN || (shape == J0_SECONDS && kind == SUB_DOUBLE) ||
           (shape == J0_SIGNAL && kind == SUB_INT);
}

static void fields_build(void)
{
    for (int f = 0; f < N_FIELDS; f++) {
        const struct j0_field *d = &field_table[f];
        if (d->flags & J0_DEFAULT)
            fields_of_table.defaults |= BIT(f);
        if (d->flags & J0_EXTRA)
            fields_of_table.extras |= BIT(f);
        else
            fields_of_table.judge0_all |= BIT(f);
        if (d->shape == J0_TOKEN)
            fields_of_table.token = BIT(f);
        if (d->shape != J0_COLUMN && d->shape != J0_SECONDS && d->shape != J0_SIGNAL)
            continue;
        const char *col = d->column ? d->column : d->name;
        for (int i = 0; i < n_sub_cols; i++)
            if (!strcmp(sub_cols[i].name, col) && shape_fits(d->shape, sub_cols[i].kind))
                fields_of_table.col[f] = &sub_cols[i];
    }
}

static const struct field_sets *fields_get(void)
{
    pthread_once(&fields_once, fields_build);
    return &fields_of_table;
}

j0_fields j0_fields_token_only(void)
{
    return fields_get()->token;
}

int j0_fields_parse(const char *spec, j0_fields *out, char *err, size_t errlen)
{
    j0_fields defaults = fields_get()->defaults | DEFAULT_MARK;
    if (!spec || !*spec) {
        *out = defaults;
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
            m |= fields_get()->judge0_all | DEFAULT_MARK;
        } else if (n) {
            int f = -1;
            for (int i = 0; i < N_FIELDS; i++)
                if (strlen(field_table[i].name) == n && !strncmp(field_table[i].name, p, n))
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
    *out = m ? m : defaults;
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

/* A JSON number or a numeric string (Rails casts both). 1 present, 0 absent,
 * -EINVAL not a number (the message is in errors) */
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
    return -EINVAL;
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

/* A text field: a string (base64-decoded if asked). 1 present, 0 absent,
 * -EINVAL invalid (the message is in errors), -ENOMEM */
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
        return -EINVAL;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (base64) {
        int rc = b64_decode(s, n, &dst->p, &dst->n);
        if (rc == -ENOMEM)
            return -ENOMEM;
        if (rc) {
            add_err(errors, key, "is not valid base64");
            return -EINVAL;
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
        return -EINVAL;
    }
    return 1;
}

/* A short option string (compiler options, arguments, callback_url): one
 * the config may forbid, shown as a JSON string. Returns as get_text. */
static int get_short_string(json_t *obj, const char *key, size_t max, bool allowed,
                            const char *not_allowed, char **dst, json_t *errors)
{
    json_t *v = json_object_get(obj, key);
    *dst = NULL;
    if (absent(v))
        return 0;
    if (!json_is_string(v)) {
        add_err(errors, key, "must be a string");
        return -EINVAL;
    }
    if (!json_string_length(v))
        return 0;
    if (!allowed) {
        add_err(errors, key, not_allowed);
        return -EINVAL;
    }
    if (json_string_length(v) > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "is too long (maximum is %zu characters)", max);
        add_err(errors, key, msg);
        return -EINVAL;
    }
    if (memchr(json_string_value(v), 0, json_string_length(v))) {
        add_err(errors, key, "must not contain NUL characters");
        return -EINVAL;
    }
    /* a form body can carry any bytes; these fields are shown as JSON strings */
    if (!jd_utf8_valid(json_string_value(v), json_string_length(v))) {
        add_err(errors, key, "must be valid UTF-8");
        return -EINVAL;
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

/* Text as a JSON string, or base64 of its bytes when b64; null when there
 * is none. Not UTF-8 without base64: null and *not_utf8 set, and the whole
 * rendering fails (the route answers that the client must ask for base64). */
static json_t *text_json(const struct bytes *b, bool b64, bool *not_utf8)
{
    if (!b->p)
        return json_null();
    if (b64) {
        char *e = b64_encode(b->p, b->n);
        if (!e)
            return NULL;
        json_t *j = json_string_nocheck(e);
        free(e);
        return j;
    }
    if (!jd_utf8_valid(b->p, b->n)) {
        *not_utf8 = true;
        return json_null();
    }
    return json_stringn(b->p, b->n);
}

/* A stored column as its kind shows it: bytes as text (base64 when the
 * field's flags and the mode say), text the same when the field is one of
 * Judge0's encoded ones and as it is otherwise (checked to be UTF-8 on the
 * way in, or ours), a fixed text's "" and a number's -1 as null. */
static json_t *column_json(const struct sub_col *c, const struct submission *s, unsigned flags,
                           bool base64, bool *not_utf8)
{
    const void *p = sub_col_cptr(c, s);
    bool b64 = (flags & J0_B64_ALWAYS) || (base64 && (flags & J0_B64));
    switch (c->kind) {
    case SUB_BYTES:
        return text_json(p, b64, not_utf8);
    case SUB_TEXT: {
        const char *t = *(char *const *)p;
        if (flags & (J0_B64 | J0_B64_ALWAYS)) {
            struct bytes b = {(char *)t, t ? strlen(t) : 0};
            return text_json(&b, b64, not_utf8);
        }
        return t ? json_string(t) : json_null();
    }
    case SUB_FIXED:
        return *(const char *)p ? json_string(p) : json_null();
    case SUB_INT: {
        int v = *(const int *)p;
        return c->nullable && v < 0 ? json_null() : json_integer(v);
    }
    case SUB_LONG: {
        long v = *(const long *)p;
        return v < 0 ? json_null() : json_integer(v);
    }
    case SUB_DOUBLE: {
        double v = *(const double *)p;
        return v < 0 ? json_null() : json_real(v);
    }
    case SUB_BOOL:
        return json_boolean(*(const bool *)p);
    }
    return NULL;
}

static json_t *seconds_json(double v)
{
    if (v < 0)
        return json_null();
    char buf[32];
    snprintf(buf, sizeof buf, "%.3f", v);
    return json_string(buf);
}

/* A test's text key (message, output) encoded like every other text
 * field; it is stored as a string, or as base64 in _KEY_b64 when it is not
 * UTF-8. A missing output stays missing (only sample tests have one).
 * 0, -ENOMEM, or b64_decode's error for a stored _KEY_b64 it cannot read. */
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
            return -ENOMEM;
    } else if (json_is_string(mb)) {
        int rc = b64_decode(json_string_value(mb), json_string_length(mb), &txt.p, &txt.n);
        if (rc)
            return rc;
    }
    json_t *j = text_json(&txt, base64, not_utf8);
    free(txt.p);
    return j && !json_object_set_new(o, key, j) ? 0 : -ENOMEM;
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
    const struct field_sets *fs = fields_get();
    if ((fields & DEFAULT_MARK) && s->problem_id)
        fields |= fs->extras;
    json_t *o = json_object();
    if (!o) {
        feedback_redacted_clear(&red);
        return NULL;
    }
    for (int f = 0; f < N_FIELDS; f++) {
        if (!(fields & BIT(f)))
            continue;
        const struct j0_field *d = &field_table[f];
        const struct sub_col *c = fs->col[f];
        json_t *v = NULL;
        switch (d->shape) {
        case J0_COLUMN:
            v = c ? column_json(c, s, d->flags, base64, not_utf8) : NULL;
            break;
        case J0_SECONDS:
            v = c ? seconds_json(*(const double *)sub_col_cptr(c, s)) : NULL;
            break;
        case J0_SIGNAL:
            if (c) {
                int sig = *(const int *)sub_col_cptr(c, s);
                v = sig <= 0 ? json_null() : json_integer(sig);
            }
            break;
        case J0_TOKEN:
            v = json_string(s->token);
            break;
        case J0_STATUS:
            v = j0_status_json(s->status_id);
            break;
        case J0_LANGUAGE: {
            const struct jd_lang *lang = app->langs ? jd_lang_by_judge0(app->langs, s->language_id) : NULL;
            v = lang ? json_pack("{s:i, s:s}", "id", s->language_id, "name", lang->name)
                     : json_pack("{s:i, s:n}", "id", s->language_id, "name");
            break;
        }
        case J0_TESTS:
            /* the policy's list (red.tests); a problem run with none yet shows [] */
            if (red.tests)
                v = tests_render(red.tests, base64, not_utf8);
            else
                v = s->problem_id ? json_array() : json_null();
            break;
        }
        /* v NULL: out of memory, or a table row that names no fitting column */
        if (!v || json_object_set_new(o, d->name, v)) {
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
