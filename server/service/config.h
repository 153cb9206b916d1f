/* config.h - the service configuration (configs/nsjudge.json). Every key
 * is optional: a missing key keeps the built-in default, which matches
 * Judge0 CE 1.13.1 for the submission limits. */
#ifndef NSJUDGE_SERVER_CONFIG_H
#define NSJUDGE_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "judge/judge.h"
#include "server/service/log.h"

struct strlist {
    char **v;
    size_t n;
};

struct config {
    /* service */
    char *listen;                /* "127.0.0.1:2358" */
    char *data_dir;              /* SQLite file, scratch dirs, uploaded problems */
    char *languages;             /* path of languages.json */
    char *store;                 /* "sqlite:PATH", "postgresql://..." or a libpq conninfo;
                                  * NULL = sqlite:DATA_DIR/nsjudge.db */
    int workers;                 /* 0 = one per core */
    int slot_id_base;            /* sandbox slot ids are base + worker index */
    int http_threads;
    size_t max_body_bytes;       /* JSON request bodies */
    size_t max_upload_bytes;     /* problem archives */
    size_t max_extract_bytes;    /* unpacked size of a problem archive */
    size_t max_source_bytes;     /* source_code after base64 decoding */
    size_t max_stdin_bytes;      /* stdin / expected_output after decoding */
    size_t max_output_bytes;     /* stdout/stderr kept per run */
    enum log_level log_level;
    double lease_s;              /* a claimed job returns to the queue if its owner stops renewing */
    double shutdown_grace_s;     /* SIGTERM: how long running jobs may finish */
    int max_attempts;            /* a job that crashed the judge this often fails with Internal Error */
    int handoff_per_worker;      /* own submissions held in memory per worker, claimed at insert */
    bool pin_workers;            /* worker i's boxes on the i-th CPU of ours, when there are enough */
    struct strlist auth_tokens;  /* X-Auth-Token values; empty = off */
    struct strlist authz_tokens; /* X-Auth-User values; empty = off */
    struct strlist problem_dirs; /* server dirs problems may be registered from */
    char *cors_allow_origin;     /* Access-Control-Allow-Origin ("*" as Judge0); "" = none */
    jd_feedback feedback;        /* what submitters see of secret tests ("samples"); a problem's
                                  * nsjudge.feedback wins; server/service/feedback.c applies it */

    /* Judge0 behaviour switches and limits (names as Judge0's config) */
    bool maintenance_mode;
    bool enable_wait_result, enable_compiler_options, enable_command_line_arguments;
    bool enable_submission_delete, enable_callbacks, enable_additional_files;
    bool enable_batched_submissions;
    int max_submission_batch_size;
    int max_queue_size;
    double cpu_time_limit, max_cpu_time_limit;
    double cpu_extra_time, max_cpu_extra_time;
    double wall_time_limit, max_wall_time_limit;
    long memory_limit, max_memory_limit;    /* KB */
    long stack_limit, max_stack_limit;      /* KB */
    long max_processes_and_or_threads, max_max_processes_and_or_threads;
    bool enable_per_process_and_thread_time_limit, allow_enable_per_process_and_thread_time_limit;
    bool enable_per_process_and_thread_memory_limit, allow_enable_per_process_and_thread_memory_limit;
    long max_file_size, max_max_file_size;  /* KB */
    long number_of_runs, max_number_of_runs;
    bool redirect_stderr_to_stdout;
    bool enable_network, allow_enable_network;
    int callbacks_max_tries;
    double callbacks_timeout;
    /* callback_url targets allowed although loopback/private (SSRF guard):
     * "CIDR", "CIDR:PORT", "[v6CIDR]:PORT", or "host:port"; empty = none */
    struct strlist callback_allow;
};

void config_defaults(struct config *c);
/* Overlay a JSON file on the current values. Unknown keys are an error
 * (a typo must not silently fall back to a default). */
int config_load(struct config *c, const char *path, char *err, size_t errlen);
/* host and port from c->listen */
int config_listen_addr(const struct config *c, char *host, size_t hostlen, int *port);
void config_free(struct config *c);

#endif
