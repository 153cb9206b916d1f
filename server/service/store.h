/*
 * store.h - durable storage of submissions, the job queue and problems.
 *
 * The queue is the submissions table itself: status 1 (In Queue) rows are
 * waiting, status 2 (Processing) rows are claimed by an owner
 * ("host:pid:start") under a lease. An owner renews its lease while it
 * lives; a row whose lease ran out, or whose owner is known dead, goes back
 * to status 1. So a killed process loses nothing.
 *
 * An interface (a table of operations) with two backends: store_sqlite.c
 * (embedded, one host) and store_pg.c (PostgreSQL: any number of API and
 * worker nodes on different hosts). tests/test_store_contract.c runs the
 * same tests on both.
 *
 * Attempts: a claim counts one. A job put back (expired lease, dead owner)
 * that has already been claimed max_attempts times is not queued again but
 * ends as Internal Error with a message saying why. finish() is guarded by
 * owner and attempt: a late result of an earlier claim is -ESTALE.
 */
#ifndef NSJUDGE_SERVER_STORE_H
#define NSJUDGE_SERVER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A byte string that may be null (p == NULL). Always NUL-terminated when set. */
struct bytes {
    char *p;
    size_t n;
};

struct submission {
    char token[40];
    int language_id;
    struct bytes source_code, stdin_data, expected_output;
    char *compiler_options, *command_line_arguments, *callback_url;
    struct bytes additional_files;   /* zip, raw */
    double cpu_time_limit, cpu_extra_time, wall_time_limit;
    long memory_limit, stack_limit, max_processes_and_or_threads, max_file_size;
    long number_of_runs;
    bool per_process_time, per_process_memory, redirect_stderr_to_stdout, enable_network;
    char *problem_id;                /* NULL: a Judge0 single run */

    /* results; -1 means null for the numbers */
    int status_id;
    char *verdict;                   /* "AC", "MLE", ... or NULL */
    struct bytes stdout_data, stderr_data, compile_output;
    char *message;
    int exit_code, exit_signal;
    double time, wall_time;
    long memory;
    double score, max_score;         /* problems only */
    char *tests;                     /* JSON array text of per-test results, problems only */
    long tests_total;
    char created_at[32], finished_at[32];
    int attempts;
    /* not a column: the job is only in this process's memory (a wait=true
     * job handed to a worker here), stored once, with its result */
    bool unstored;
};

void submission_init(struct submission *s);   /* zero + every number null */
void submission_clear(struct submission *s);  /* free members */
void submission_free(struct submission *s);   /* clear, then free s itself (NULL: nothing) */

struct problem_rec {
    char id[128];
    char *name;
    char *path;       /* directory on the server */
    char *origin;     /* "upload" or "dir" */
    long tests;
    char created_at[32];
    char package_sha256[65]; /* uploads: the archive's blob in the store; "" for dirs */
};
void problem_rec_clear(struct problem_rec *p);

struct store_stats {
    long total, today, last_30_days;
    long by_status[16];
    struct { int id; long count; } *by_lang;
    size_t n_lang;
    long long db_bytes;
};

/* The workers of one process (serve or worker) as it last reported them. */
struct store_pool {
    char *owner;
    long total, busy, idle, failed;
    double age_s;     /* pools(): seconds since its last heartbeat */
};
void store_free_pools(struct store_pool *v, size_t n);

/* What an insert adds to the row (the backends' insert_row). */
enum store_row { ROW_QUEUED, ROW_CLAIMED, ROW_DONE };

struct store;
struct store_ops {
    void (*close)(struct store *s);
    int (*insert)(struct store *s, struct submission *sub, char *err, size_t errlen);
    /* Inserts the row already claimed by owner (status 2, its first
     * attempt, leased for lease_s): a job handed to one of this process's
     * workers in memory, with one commit instead of an insert and a claim.
     * Sets sub->status_id and sub->attempts as a claim would return them. */
    int (*insert_claimed)(struct store *s, struct submission *sub, const char *owner,
                          double lease_s, char *err, size_t errlen);
    /* Inserts a finished job's whole row (its results set, status 3 or
     * more) as its first attempt, its callback pending when it has a
     * callback_url: a wait=true job stored once, when it is done. */
    int (*insert_done)(struct store *s, struct submission *sub, char *err, size_t errlen);
    int (*get)(struct store *s, const char *token, struct submission *out);
    /* newest first; *out is an array of *n records */
    int (*list)(struct store *s, long offset, long limit, struct submission **out,
                size_t *n, long *total);
    int (*remove)(struct store *s, const char *token);
    int (*count_status)(struct store *s, int status_id, long *n);
    /* Oldest queued job -> status 2 owned by owner. -ENOENT when empty. */
    int (*claim)(struct store *s, const char *owner, double lease_s, struct submission *out);
    int (*renew)(struct store *s, const char *owner, double lease_s);
    /* Renews one job's lease, the owner's, still running: the lease renewer's way,
     * so that a claim whose answer was lost (the connection broke after the
     * commit) is not kept alive by anyone and returns to the queue. */
    int (*renew_job)(struct store *s, const char *token, const char *owner, double lease_s);
    int (*progress)(struct store *s, const char *token, const char *owner,
                    const char *tests_json, long tests_total, double score, double max_score);
    /* Writes results; -ESTALE when the job is no longer ours (requeued):
     * sub->attempts must be the attempt count the claim returned. */
    int (*finish)(struct store *s, const struct submission *sub, const char *owner);
    /* owner NULL: every expired lease; else every job of that owner. Jobs
     * out of attempts end as Internal Error (counted in *n too). */
    int (*requeue)(struct store *s, const char *owner, long *n);
    int (*owners)(struct store *s, char ***owners, size_t *n);
    /* Worker heartbeats: upsert this process's counts (stamped now), drop
     * them on a clean stop, list those seen within max_age_s. */
    int (*pool_beat)(struct store *s, const struct store_pool *p);
    int (*pool_gone)(struct store *s, const char *owner);
    int (*pools)(struct store *s, double max_age_s, struct store_pool **out, size_t *n);
    int (*callbacks_pending)(struct store *s, char ***tokens, size_t *n);
    int (*callback_done)(struct store *s, const char *token);
    /* Callback delivery, by one node at a time: claim a pending callback
     * that is due and not leased (token, and the tries made so far, by any
     * node); -ENOENT when none. settle it as the owner: retry_in_s < 0 is
     * done (delivered or given up), else tried once more and due again
     * then. A node that dies holding one loses it when the lease ends. */
    int (*callback_claim)(struct store *s, const char *owner, double lease_s, char token[40],
                          int *tries);
    int (*callback_settle)(struct store *s, const char *token, const char *owner, double retry_in_s);
    int (*stats)(struct store *s, struct store_stats *st);

    int (*problem_put)(struct store *s, const struct problem_rec *p);
    int (*problem_get)(struct store *s, const char *id, struct problem_rec *out);
    int (*problem_list)(struct store *s, struct problem_rec **out, size_t *n);
    int (*problem_remove)(struct store *s, const char *id);
    /* Content-addressed package archives (key: lowercase hex SHA-256), so
     * nodes on other hosts can judge a problem uploaded to one of them.
     * put keeps an existing blob; blobs no problem names are dropped an
     * hour after they were put. get: -ENOENT when absent. */
    int (*blob_put)(struct store *s, const char *sha256, const void *data, size_t len);
    int (*blob_get)(struct store *s, const char *sha256, struct bytes *out);

    /* Cross-process wake-ups: calls on_event (from a thread of the store)
     * when a job is queued (STORE_EV_WORK) or finished (STORE_EV_DONE) by
     * any process. -ENOTSUP when the backend cannot (SQLite: callers poll). */
    int (*listen)(struct store *s, void (*on_event)(void *ctx, int ev), void *ctx);
};
enum { STORE_EV_WORK = 1, STORE_EV_DONE = 2 };

struct store {
    const struct store_ops *ops;
    int max_attempts;     /* claims before a put-back job fails (default 3) */
    bool events;          /* listen() is running: other processes' news arrive */
    bool shared;          /* nodes on other hosts may use it (PostgreSQL) */
    const char *kind;     /* "sqlite" or "postgresql" */
};

/* The message of a job that ran out of attempts: "gave up after N" TAIL
 * (both backends build it in SQL; no quote in it). */
#define STORE_GAVE_UP_TAIL " attempts: each time, the judge running it stopped " \
                           "(its node died or its lease ran out)"
#define STORE_STATUS_INTERNAL_ERROR 13   /* Judge0's "Internal Error" */

/* Opens the store a URL names: "sqlite:PATH", "postgresql://..." /
 * "postgres://...", or a libpq conninfo ("host=/run/postgresql dbname=x").
 * The schema is created or migrated. */
int store_open(const char *url, struct store **out, char *err, size_t errlen);

/* store_sqlite.c: the database file is created on first use (WAL mode).
 * path may end in ?synchronous=full (an fsync per commit; default normal). */
int store_sqlite_open(const char *path, struct store **out, char *err, size_t errlen);
/* store_pg.c: conninfo as libpq takes it (URL or key=value). */
int store_pg_open(const char *conninfo, struct store **out, char *err, size_t errlen);

void store_free_strv(char **v, size_t n);
void store_free_list(struct submission *v, size_t n);
void store_stats_clear(struct store_stats *st);
/* The starts of the periods stats() counts (today, the last 30 days), UTC,
 * as the created_at stamps compare with them. */
void store_stats_since(char today[32], char month[32]);

/* ISO 8601 UTC with milliseconds, as Judge0 prints them */
void store_now_iso(char out[32]);

#endif
