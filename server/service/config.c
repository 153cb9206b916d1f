/* config.c - defaults and the JSON overlay for struct config. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "judge/number.h"
#include "server/service/callback_guard.h"
#include "server/service/config.h"

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof *c);
    c->listen = strdup("127.0.0.1:2358");
    c->data_dir = strdup("./data");
    c->languages = strdup("configs/languages.json");
    c->cors_allow_origin = strdup("*");
    c->workers = 0;
    c->slot_id_base = 0;
    c->http_threads = 8;
    c->max_body_bytes = 16u << 20;
    c->max_upload_bytes = 64u << 20;
    c->max_extract_bytes = 256u << 20;
    c->max_source_bytes = 1u << 20;
    c->max_stdin_bytes = 8u << 20;
    c->max_output_bytes = 1u << 20;
    c->log_level = LOG_INFO;
    c->lease_s = 60;
    c->shutdown_grace_s = 30;
    c->max_attempts = 3;
    c->handoff_per_worker = 4;
    c->pin_workers = true;
    c->feedback = JD_FEEDBACK_SAMPLES;

    c->enable_wait_result = true;
    c->enable_compiler_options = true;
    c->enable_command_line_arguments = true;
    c->enable_submission_delete = true;
    c->enable_callbacks = true;
    c->enable_additional_files = true;
    c->enable_batched_submissions = true;
    c->max_submission_batch_size = 20;
    c->max_queue_size = 100;
    c->cpu_time_limit = 5;
    c->max_cpu_time_limit = 15;
    c->cpu_extra_time = 1;
    c->max_cpu_extra_time = 5;
    c->wall_time_limit = 10;
    c->max_wall_time_limit = 20;
    c->memory_limit = 128000;
    c->max_memory_limit = 512000;
    c->stack_limit = 64000;
    c->max_stack_limit = 128000;
    c->max_processes_and_or_threads = 60;
    c->max_max_processes_and_or_threads = 120;
    c->allow_enable_per_process_and_thread_time_limit = true;
    c->allow_enable_per_process_and_thread_memory_limit = true;
    c->max_file_size = 1024;
    c->max_max_file_size = 4096;
    c->number_of_runs = 1;
    c->max_number_of_runs = 20;
    c->allow_enable_network = true;
    c->callbacks_max_tries = 3;
    c->callbacks_timeout = 5;
}

static void strlist_free(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void config_free(struct config *c)
{
    free(c->listen);
    free(c->data_dir);
    free(c->languages);
    free(c->store);
    free(c->cors_allow_origin);
    strlist_free(&c->auth_tokens);
    strlist_free(&c->authz_tokens);
    strlist_free(&c->problem_dirs);
    strlist_free(&c->callback_allow);
    memset(c, 0, sizeof *c);
}

enum kind { K_STR, K_INT, K_LONG, K_SIZE, K_DBL, K_BOOL, K_LIST, K_LEVEL, K_FEEDBACK };

struct key {
    const char *name;
    enum kind kind;
    size_t off;
    double lo, hi;      /* numbers: the range, checked before the value is stored */
};

#define K(name, kind) {#name, kind, offsetof(struct config, name), 0, 0}
#define N(name, kind, lo, hi) {#name, kind, offsetof(struct config, name), lo, hi}
#define SECS JD_SECONDS_MAX
#define KIB ((double)JD_KIB_MAX)
#define BYTES 1099511627776.0   /* 1 TiB */
static const struct key keys[] = {
    K(listen, K_STR), K(data_dir, K_STR), K(languages, K_STR), K(store, K_STR),
    N(workers, K_INT, 0, 1024), N(slot_id_base, K_INT, 0, 1000000), N(http_threads, K_INT, 0, 1024),
    N(max_body_bytes, K_SIZE, 0, BYTES), N(max_upload_bytes, K_SIZE, 0, BYTES),
    N(max_extract_bytes, K_SIZE, 0, BYTES), N(max_source_bytes, K_SIZE, 0, BYTES),
    N(max_stdin_bytes, K_SIZE, 0, BYTES), N(max_output_bytes, K_SIZE, 0, BYTES),
    K(log_level, K_LEVEL), N(lease_s, K_DBL, 1, 86400), N(shutdown_grace_s, K_DBL, 0, 86400),
    N(max_attempts, K_INT, 0, 1000), N(handoff_per_worker, K_INT, 0, 64), K(pin_workers, K_BOOL),
    K(feedback, K_FEEDBACK),
    K(cors_allow_origin, K_STR), K(auth_tokens, K_LIST), K(authz_tokens, K_LIST), K(problem_dirs, K_LIST),
    K(maintenance_mode, K_BOOL), K(enable_wait_result, K_BOOL),
    K(enable_compiler_options, K_BOOL), K(enable_command_line_arguments, K_BOOL),
    K(enable_submission_delete, K_BOOL), K(enable_callbacks, K_BOOL),
    K(enable_additional_files, K_BOOL), K(enable_batched_submissions, K_BOOL),
    N(max_submission_batch_size, K_INT, 0, 10000), N(max_queue_size, K_INT, 0, 100000000),
    N(cpu_time_limit, K_DBL, 0, SECS), N(max_cpu_time_limit, K_DBL, 0, SECS),
    N(cpu_extra_time, K_DBL, 0, SECS), N(max_cpu_extra_time, K_DBL, 0, SECS),
    N(wall_time_limit, K_DBL, 0, SECS), N(max_wall_time_limit, K_DBL, 0, SECS),
    N(memory_limit, K_LONG, 0, KIB), N(max_memory_limit, K_LONG, 0, KIB),
    N(stack_limit, K_LONG, 0, KIB), N(max_stack_limit, K_LONG, 0, KIB),
    N(max_processes_and_or_threads, K_LONG, 0, 100000),
    N(max_max_processes_and_or_threads, K_LONG, 0, 100000),
    K(enable_per_process_and_thread_time_limit, K_BOOL),
    K(allow_enable_per_process_and_thread_time_limit, K_BOOL),
    K(enable_per_process_and_thread_memory_limit, K_BOOL),
    K(allow_enable_per_process_and_thread_memory_limit, K_BOOL),
    N(max_file_size, K_LONG, 0, KIB), N(max_max_file_size, K_LONG, 0, KIB),
    N(number_of_runs, K_LONG, 0, 1000), N(max_number_of_runs, K_LONG, 0, 1000),
    K(redirect_stderr_to_stdout, K_BOOL), K(enable_network, K_BOOL),
    K(allow_enable_network, K_BOOL), N(callbacks_max_tries, K_INT, 1, 1000),
    N(callbacks_timeout, K_DBL, 0, 3600), K(callback_allow, K_LIST),
};
#undef SECS
#undef KIB
#undef BYTES
#undef N
#undef K

static int set_key(struct config *c, const struct key *k, json_t *v, char *err, size_t errlen)
{
    void *p = (char *)c + k->off;
    switch (k->kind) {
    case K_STR: {
        if (!json_is_string(v))
            goto type;
        char *s = strdup(json_string_value(v));
        if (!s)
            return -ENOMEM;
        free(*(char **)p);
        *(char **)p = s;
        return 0;
    }
    case K_INT:
    case K_LONG:
    case K_SIZE: {
        if (!json_is_integer(v))
            goto type;
        /* the ranges are exact in a double and fit every target type */
        json_int_t n = json_integer_value(v);
        if (n < (json_int_t)k->lo || n > (json_int_t)k->hi) {
            snprintf(err, errlen, "config key \"%s\": %lld is out of range (%.0f to %.0f)", k->name,
                     (long long)n, k->lo, k->hi);
            return -ERANGE;
        }
        if (k->kind == K_INT)
            *(int *)p = (int)n;
        else if (k->kind == K_LONG)
            *(long *)p = (long)n;
        else
            *(size_t *)p = (size_t)n;
        return 0;
    }
    case K_DBL:
        if (!json_is_number(v))
            goto type;
        if (jd_num_real(json_number_value(v), k->lo, k->hi)) {
            snprintf(err, errlen, "config key \"%s\": %.15g is out of range (%.15g to %.15g)", k->name,
                     json_number_value(v), k->lo, k->hi);
            return -ERANGE;
        }
        *(double *)p = json_number_value(v);
        return 0;
    case K_BOOL:
        if (!json_is_boolean(v))
            goto type;
        *(bool *)p = json_is_true(v);
        return 0;
    case K_LEVEL:
        if (!json_is_string(v) || log_level_parse(json_string_value(v), (enum log_level *)p))
            goto type;
        return 0;
    case K_FEEDBACK:
        if (!json_is_string(v) || jd_feedback_parse(json_string_value(v), (jd_feedback *)p)) {
            snprintf(err, errlen, "config key \"feedback\" must be \"full\", \"samples\" or \"verdict\"");
            return -EINVAL;
        }
        return 0;
    case K_LIST: {
        if (!json_is_array(v))
            goto type;
        struct strlist nl = {calloc(json_array_size(v) + 1, sizeof(char *)), 0};
        if (!nl.v)
            return -ENOMEM;
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            if (!json_is_string(e) || !(nl.v[nl.n] = strdup(json_string_value(e)))) {
                strlist_free(&nl);
                goto type;
            }
            nl.n++;
        }
        strlist_free((struct strlist *)p);
        *(struct strlist *)p = nl;
        return 0;
    }
    }
type:
    snprintf(err, errlen, "config key \"%s\" has the wrong type or value", k->name);
    return -EINVAL;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return -EINVAL;
    }
    int rc = 0;
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s: top level must be an object", path);
        rc = -EINVAL;
        goto out;
    }
    const char *name;
    json_t *v;
    char msg[512];
    json_object_foreach(root, name, v) {
        if (name[0] == '_' || !strcmp(name, "comment"))
            continue; /* room for comments in the file */
        const struct key *k = NULL;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (!strcmp(keys[i].name, name))
                k = &keys[i];
        if (!k) {
            snprintf(err, errlen, "%s: unknown key \"%s\"", path, name);
            rc = -EINVAL;
            goto out;
        }
        snprintf(msg, sizeof msg, "out of memory");
        if ((rc = set_key(c, k, v, msg, sizeof msg))) {
            /* jansson keeps no positions of values: the file and the key name it */
            snprintf(err, errlen, "%s: %s", path, msg);
            goto out;
        }
    }
    if (c->callback_allow.n) { /* its syntax now, so the error names the file */
        struct cb_allow *a = NULL;
        if ((rc = callback_allow_parse(c->callback_allow.v, c->callback_allow.n, &a, msg, sizeof msg)))
            snprintf(err, errlen, "%s: %s", path, msg);
        callback_allow_free(a);
    }
out:
    json_decref(root);
    return rc;
}

int config_listen_addr(const struct config *c, char *host, size_t hostlen, int *port)
{
    const char *colon = strrchr(c->listen, ':');
    if (!colon || (size_t)(colon - c->listen) >= hostlen)
        return -EINVAL;
    memcpy(host, c->listen, (size_t)(colon - c->listen));
    host[colon - c->listen] = 0;
    int64_t p;
    if (jd_parse_int(colon + 1, 0, 65535, &p))
        return -EINVAL;
    *port = (int)p;
    if (!host[0])
        snprintf(host, hostlen, "127.0.0.1");
    return 0;
}
