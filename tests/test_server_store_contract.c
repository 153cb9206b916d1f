/* test_store_contract.c - one set of tests for every store backend: each
 * CONTRACT test runs as store_contract_sqlite/NAME on a fresh SQLite file
 * and as store_contract_pg/NAME on a fresh database of the PostgreSQL
 * server that `make test` starts (scripts/pg-test-server.sh; its conninfo
 * in NSJUDGE_TEST_PG). Without that server the PostgreSQL tests fail. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include "server/service/store.h"

static bool on_pg;
static char url[600];
static char tmpdir[64];
static char pg_db[64];

/* ---- per-test fresh storage ------------------------------------------------------- */

static const char *pg_base(void)
{
    const char *b = getenv("NSJUDGE_TEST_PG");
    if (!b || !*b)
        cr_assert_fail("NSJUDGE_TEST_PG is not set: run the PostgreSQL tests through `make test`, "
                       "or start a server with `eval $(scripts/pg-test-server.sh start)` and "
                       "export NSJUDGE_TEST_PG");
    return b;
}

static void pg_admin(const char *sql)
{
    PGconn *c = PQconnectdb(pg_base());
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "PostgreSQL at '%s': %s", pg_base(), PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static void setup_sqlite(void)
{
    on_pg = false;
    strcpy(tmpdir, "/tmp/nsjudge-test-contract-XXXXXX");
    cr_assert(mkdtemp(tmpdir));
    snprintf(url, sizeof url, "sqlite:%s/nsjudge.db", tmpdir);
}

static void setup_pg(void)
{
    static int seq;
    on_pg = true;
    tmpdir[0] = 0;
    snprintf(pg_db, sizeof pg_db, "nsjudge_t_%ld_%d_%ld", (long)getpid(), seq++, (long)time(NULL));
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", pg_db);
    pg_admin(sql);
    /* a later keyword wins in a conninfo string */
    snprintf(url, sizeof url, "%s dbname=%s", pg_base(), pg_db);
}

static void teardown(void)
{
    if (on_pg && pg_db[0]) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", pg_db);
        pg_admin(sql);
        pg_db[0] = 0;
    }
    if (tmpdir[0]) {
        char cmd[200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        (void)!system(cmd);
        tmpdir[0] = 0;
    }
}

/* Runs SQL on the test's database behind the store's back. */
static void raw_exec(const char *sql)
{
    if (on_pg) {
        PGconn *c = PQconnectdb(url);
        cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
        PGresult *r = PQexec(c, sql);
        cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
                  "%s: %s", sql, PQerrorMessage(c));
        PQclear(r);
        PQfinish(c);
    } else {
        sqlite3 *db;
        cr_assert_eq(sqlite3_open(url + 7, &db), SQLITE_OK);
        char *e = NULL;
        cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &e), SQLITE_OK, "%s: %s", sql, e);
        sqlite3_close(db);
    }
}

#define CONTRACT(name, secs)                                                                   \
    static void name(void);                                                                    \
    Test(store_contract_sqlite, name, .init = setup_sqlite, .fini = teardown, .timeout = secs) \
    {                                                                                          \
        name();                                                                                \
    }                                                                                          \
    Test(store_contract_pg, name, .init = setup_pg, .fini = teardown, .timeout = secs)         \
    {                                                                                          \
        name();                                                                                \
    }                                                                                          \
    static void name(void)

/* ---- helpers -------------------------------------------------------------------- */

static struct store *open_store(void)
{
    struct store *s;
    char err[512];
    cr_assert_eq(store_open(url, &s, err, sizeof err), 0, "%s: %s", url, err);
    cr_assert_str_eq(s->kind, on_pg ? "postgresql" : "sqlite");
    return s;
}

static void add(struct store *s, int i, const char *callback_url)
{
    struct submission sub;
    char err[256];
    submission_init(&sub);
    snprintf(sub.token, sizeof sub.token, "tok-%05d", i);
    sub.language_id = 50;
    sub.source_code.p = strdup("int main(){}");
    sub.source_code.n = strlen(sub.source_code.p);
    if (callback_url)
        sub.callback_url = strdup(callback_url);
    cr_assert_eq(s->ops->insert(s, &sub, err, sizeof err), 0, "%s", err);
    submission_clear(&sub);
}

static int status_of(struct store *s, const char *token)
{
    struct submission got;
    cr_assert_eq(s->ops->get(s, token, &got), 0);
    int st = got.status_id;
    submission_clear(&got);
    return st;
}

static void finish_as(struct store *s, struct submission *claimed, const char *owner, int status,
                      int want_rc)
{
    claimed->status_id = status;
    store_now_iso(claimed->finished_at);
    cr_assert_eq(s->ops->finish(s, claimed, owner), want_rc, "finish by %s attempt %d", owner,
                 claimed->attempts);
}

/* ---- the contract ------------------------------------------------------------------ */

CONTRACT(keeps_bytes_and_nulls_across_reopen, 30)
{
    struct store *s = open_store();
    struct submission sub;
    char err[256];
    submission_init(&sub);
    snprintf(sub.token, sizeof sub.token, "bin");
    sub.source_code.p = malloc(5);
    memcpy(sub.source_code.p, "a\0b\xff", 5);
    sub.source_code.n = 4;
    sub.stdin_data.p = strdup(""); /* empty is not null */
    sub.cpu_time_limit = 2.5;
    sub.memory_limit = 128000;
    sub.redirect_stderr_to_stdout = true;
    sub.problem_id = strdup("sum");
    cr_assert_eq(s->ops->insert(s, &sub, err, sizeof err), 0, "%s", err);
    cr_assert_neq(s->ops->insert(s, &sub, err, sizeof err), 0, "a token is unique");
    submission_clear(&sub);
    s->ops->close(s);

    s = open_store();
    cr_assert_eq(s->ops->get(s, "bin", &sub), 0);
    cr_assert_eq(sub.source_code.n, 4);
    cr_assert_eq(memcmp(sub.source_code.p, "a\0b\xff", 4), 0);
    cr_assert_not_null(sub.stdin_data.p);
    cr_assert_eq(sub.stdin_data.n, 0);
    cr_assert_null(sub.expected_output.p, "unset fields stay null");
    cr_assert_null(sub.compiler_options);
    cr_assert_eq(sub.memory, -1);
    cr_assert_eq(sub.time, -1);
    cr_assert_float_eq(sub.cpu_time_limit, 2.5, 1e-9);
    cr_assert_eq(sub.memory_limit, 128000);
    cr_assert(sub.redirect_stderr_to_stdout);
    cr_assert(!sub.enable_network);
    cr_assert_str_eq(sub.problem_id, "sum");
    cr_assert_eq(sub.status_id, 1);
    cr_assert_eq(sub.attempts, 0);
    cr_assert_neq(sub.created_at[0], 0);
    submission_clear(&sub);
    cr_assert_eq(s->ops->get(s, "nope", &sub), -ENOENT);

    for (int i = 0; i < 5; i++)
        add(s, i, NULL);
    struct submission *v;
    size_t n;
    long total;
    cr_assert_eq(s->ops->list(s, 1, 3, &v, &n, &total), 0);
    cr_assert_eq(total, 6);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(v[0].token, "tok-00003", "newest first, after the offset");
    cr_assert_str_eq(v[2].token, "tok-00001");
    store_free_list(v, n);
    long queued;
    cr_assert_eq(s->ops->count_status(s, 1, &queued), 0);
    cr_assert_eq(queued, 6);
    cr_assert_eq(s->ops->remove(s, "tok-00002"), 0);
    cr_assert_eq(s->ops->remove(s, "tok-00002"), -ENOENT);
    struct store_stats st;
    cr_assert_eq(s->ops->stats(s, &st), 0);
    cr_assert_eq(st.total, 5);
    cr_assert_eq(st.today, 5);
    cr_assert_eq(st.by_status[1], 5);
    cr_assert_eq(st.n_lang, 2);
    cr_assert_gt(st.db_bytes, 0);
    store_stats_clear(&st);
    s->ops->close(s);
}

/* Every stored member, set to a value of its own, comes back from get,
 * claim and finish: a column the stores' column table binds or reads at
 * the wrong place, or with the wrong kind, shows here. */
static void set_bytes(struct bytes *b, const char *v)
{
    b->n = strlen(v);
    b->p = strdup(v);
}

static void assert_bytes(const struct bytes *b, const char *v, const char *what)
{
    cr_assert_not_null(b->p, "%s is null", what);
    cr_assert_eq(b->n, strlen(v), "%s", what);
    cr_assert_eq(memcmp(b->p, v, b->n), 0, "%s", what);
}

static void assert_inputs(const struct submission *g)
{
    cr_assert_str_eq(g->token, "every-field");
    cr_assert_eq(g->language_id, 71);
    assert_bytes(&g->source_code, "print(1)", "source_code");
    assert_bytes(&g->stdin_data, "in", "stdin");
    assert_bytes(&g->expected_output, "1\n", "expected_output");
    cr_assert_str_eq(g->compiler_options, "-O2");
    cr_assert_str_eq(g->command_line_arguments, "a b");
    cr_assert_str_eq(g->callback_url, "http://127.0.0.1:9/cb");
    assert_bytes(&g->additional_files, "PK\x03\x04", "additional_files");
    cr_assert_float_eq(g->cpu_time_limit, 1.5, 1e-9);
    cr_assert_float_eq(g->cpu_extra_time, 0.25, 1e-9);
    cr_assert_float_eq(g->wall_time_limit, 3.75, 1e-9);
    cr_assert_eq(g->memory_limit, 65536);
    cr_assert_eq(g->stack_limit, 32768);
    cr_assert_eq(g->max_processes_and_or_threads, 7);
    cr_assert_eq(g->max_file_size, 2048);
    cr_assert_eq(g->number_of_runs, 2);
    cr_assert(g->per_process_time);
    cr_assert(!g->per_process_memory);
    cr_assert(g->redirect_stderr_to_stdout);
    cr_assert(g->enable_network);
    cr_assert_str_eq(g->problem_id, "sum");
    cr_assert_str_eq(g->created_at, "2026-01-02T03:04:05.678Z");
}

CONTRACT(every_field_round_trips_through_insert_claim_and_finish, 30)
{
    struct store *s = open_store();
    struct submission sub, got;
    char err[256];
    submission_init(&sub);
    snprintf(sub.token, sizeof sub.token, "every-field");
    sub.language_id = 71;
    set_bytes(&sub.source_code, "print(1)");
    set_bytes(&sub.stdin_data, "in");
    set_bytes(&sub.expected_output, "1\n");
    sub.compiler_options = strdup("-O2");
    sub.command_line_arguments = strdup("a b");
    sub.callback_url = strdup("http://127.0.0.1:9/cb");
    set_bytes(&sub.additional_files, "PK\x03\x04");
    sub.cpu_time_limit = 1.5;
    sub.cpu_extra_time = 0.25;
    sub.wall_time_limit = 3.75;
    sub.memory_limit = 65536;
    sub.stack_limit = 32768;
    sub.max_processes_and_or_threads = 7;
    sub.max_file_size = 2048;
    sub.number_of_runs = 2;
    sub.per_process_time = true;
    sub.redirect_stderr_to_stdout = true;
    sub.enable_network = true;
    sub.problem_id = strdup("sum");
    sub.status_id = 1;
    snprintf(sub.created_at, sizeof sub.created_at, "2026-01-02T03:04:05.678Z");
    cr_assert_eq(s->ops->insert(s, &sub, err, sizeof err), 0, "%s", err);
    submission_clear(&sub);

    cr_assert_eq(s->ops->get(s, "every-field", &got), 0);
    assert_inputs(&got);
    cr_assert_eq(got.status_id, 1);
    cr_assert_null(got.verdict);
    cr_assert_null(got.stdout_data.p);
    cr_assert_eq(got.exit_code, -1, "a null number reads -1");
    cr_assert_eq(got.exit_signal, -1);
    cr_assert_eq(got.tests_total, -1);
    cr_assert_eq(got.finished_at[0], 0);
    submission_clear(&got);

    cr_assert_eq(s->ops->claim(s, "me", 60, &sub), 0);
    assert_inputs(&sub);
    cr_assert_eq(sub.status_id, 2);
    cr_assert_eq(sub.attempts, 1);
    sub.status_id = 4;
    sub.verdict = strdup("WA");
    set_bytes(&sub.stdout_data, "2\n");
    set_bytes(&sub.stderr_data, "warn");
    set_bytes(&sub.compile_output, "ok");
    sub.message = strdup("differs");
    sub.exit_code = 3;
    sub.exit_signal = 9;
    sub.time = 0.125;
    sub.wall_time = 0.5;
    sub.memory = 4096;
    sub.score = 1.5;
    sub.max_score = 2.5;
    sub.tests = strdup("[{\"n\":1}]");
    sub.tests_total = 4;
    snprintf(sub.finished_at, sizeof sub.finished_at, "2026-01-02T03:04:06.000Z");
    cr_assert_eq(s->ops->finish(s, &sub, "me"), 0);
    submission_clear(&sub);

    cr_assert_eq(s->ops->get(s, "every-field", &got), 0);
    assert_inputs(&got);
    cr_assert_eq(got.status_id, 4);
    cr_assert_str_eq(got.verdict, "WA");
    assert_bytes(&got.stdout_data, "2\n", "stdout");
    assert_bytes(&got.stderr_data, "warn", "stderr");
    assert_bytes(&got.compile_output, "ok", "compile_output");
    cr_assert_str_eq(got.message, "differs");
    cr_assert_eq(got.exit_code, 3);
    cr_assert_eq(got.exit_signal, 9);
    cr_assert_float_eq(got.time, 0.125, 1e-9);
    cr_assert_float_eq(got.wall_time, 0.5, 1e-9);
    cr_assert_eq(got.memory, 4096);
    cr_assert_float_eq(got.score, 1.5, 1e-9);
    cr_assert_float_eq(got.max_score, 2.5, 1e-9);
    cr_assert_str_eq(got.tests, "[{\"n\":1}]");
    cr_assert_eq(got.tests_total, 4);
    cr_assert_str_eq(got.finished_at, "2026-01-02T03:04:06.000Z");
    cr_assert_eq(got.attempts, 1);
    submission_clear(&got);
    s->ops->close(s);
}

#define JOBS 300
#define THREADS 6
#define PROCS 2
static atomic_int claimed[JOBS];

static int claim_all(struct store *s, const char *owner, int report_fd)
{
    int got = 0;
    for (;;) {
        struct submission sub;
        int rc = s->ops->claim(s, owner, 60, &sub);
        if (rc == -ENOENT)
            break;
        if (rc == -EBUSY)
            continue;
        if (rc)
            return -1;
        int i = atoi(sub.token + 4);
        if (report_fd >= 0) {
            if (write(report_fd, &i, sizeof i) != sizeof i)
                return -1;
        } else {
            atomic_fetch_add(&claimed[i], 1);
        }
        sub.status_id = 3;
        store_now_iso(sub.finished_at);
        if (s->ops->finish(s, &sub, owner))
            return -1;
        submission_clear(&sub);
        got++;
    }
    return got;
}

static void *claimer_thread(void *arg)
{
    char owner[32];
    snprintf(owner, sizeof owner, "thread:%ld:1", (long)(intptr_t)arg);
    struct store *s = open_store(); /* its own connection, as another node */
    long rc = claim_all(s, owner, -1);
    s->ops->close(s);
    return (void *)rc;
}

CONTRACT(concurrent_claimers_never_share_a_job, 120)
{
    struct store *s = open_store();
    for (int i = 0; i < JOBS; i++)
        add(s, i, NULL);
    /* closed across the forks: a child must not inherit a connection, nor
     * a lock its threads held (SQLite's checkpoint thread, waking after
     * these inserts, would leave the child waiting on SQLite's mutex) */
    s->ops->close(s);
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t kids[PROCS];
    for (int k = 0; k < PROCS; k++) {
        kids[k] = fork();
        cr_assert_geq(kids[k], 0);
        if (kids[k] == 0) {
            close(fds[0]);
            struct store *cs;
            char err[512], owner[32];
            if (store_open(url, &cs, err, sizeof err))
                _exit(3);
            snprintf(owner, sizeof owner, "proc:%d:1", k);
            int got = claim_all(cs, owner, fds[1]);
            cs->ops->close(cs);
            _exit(got < 0 ? 4 : 0);
        }
    }
    close(fds[1]);
    s = open_store();
    pthread_t th[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&th[i], NULL, claimer_thread, (void *)(intptr_t)i);
    int i;
    while (read(fds[0], &i, sizeof i) == sizeof i) {
        cr_assert(i >= 0 && i < JOBS);
        atomic_fetch_add(&claimed[i], 1);
    }
    close(fds[0]);
    for (int k = 0; k < THREADS; k++) {
        void *rc;
        pthread_join(th[k], &rc);
        cr_assert_geq((long)rc, 0, "claimer thread %d failed", k);
    }
    for (int k = 0; k < PROCS; k++) {
        int ws;
        cr_assert_eq(waitpid(kids[k], &ws, 0), kids[k]);
        cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "claimer process %d: status %d", k, ws);
    }
    for (int j = 0; j < JOBS; j++)
        cr_assert_eq(claimed[j], 1, "job %d claimed %d times", j, claimed[j]);
    long n;
    cr_assert_eq(s->ops->count_status(s, 3, &n), 0);
    cr_assert_eq(n, JOBS);
    s->ops->close(s);
}

CONTRACT(expired_lease_is_reclaimed_with_the_next_attempt, 30)
{
    struct store *s = open_store();
    add(s, 1, NULL);
    struct submission first, second, third;
    /* a lease long enough that a loaded machine does not outlast it
     * between the next statements */
    cr_assert_eq(s->ops->claim(s, "hostA:1:1", 1.5, &first), 0);
    cr_assert_eq(first.status_id, 2);
    cr_assert_eq(first.attempts, 1);
    cr_assert_eq(s->ops->claim(s, "hostB:2:2", 60, &second), -ENOENT, "a leased job is not queued");
    long n = 0;
    cr_assert_eq(s->ops->requeue(s, NULL, &n), 0);
    cr_assert_eq(n, 0, "the lease has not run out yet");
    usleep(1800000);
    cr_assert_eq(s->ops->requeue(s, NULL, &n), 0);
    cr_assert_eq(n, 1, "the expired lease puts the job back");
    cr_assert_eq(status_of(s, "tok-00001"), 1);
    cr_assert_eq(s->ops->claim(s, "hostB:2:2", 60, &second), 0);
    cr_assert_eq(second.attempts, 2);
    /* renewing keeps a live owner's job: all of them, or one by one */
    cr_assert_eq(s->ops->renew(s, "hostB:2:2", 60), 0);
    cr_assert_eq(s->ops->renew_job(s, "tok-00001", "hostB:2:2", 60), 0);
    cr_assert_eq(s->ops->renew_job(s, "tok-00001", "hostA:1:1", 60), -ESTALE, "not A's any more");
    cr_assert_eq(s->ops->renew_job(s, "nope", "hostB:2:2", 60), -ESTALE);
    cr_assert_eq(s->ops->requeue(s, NULL, &n), 0);
    cr_assert_eq(n, 0);
    /* the owner dies: its jobs go back at once */
    cr_assert_eq(s->ops->requeue(s, "hostB:2:2", &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(s->ops->claim(s, "hostA:1:1", 60, &third), 0);
    cr_assert_eq(third.attempts, 3);
    submission_clear(&first);
    submission_clear(&second);
    submission_clear(&third);
    s->ops->close(s);
}

/* A Plain Text submission of "hi" named token, not yet stored. */
static void tiny_sub(struct submission *sub, const char *token)
{
    submission_init(sub);
    snprintf(sub->token, sizeof sub->token, "%s", token);
    sub->language_id = 43;
    sub->source_code.p = strdup("hi");
    sub->source_code.n = 2;
}

/* A job handed to a worker in memory is inserted claimed: nobody else can
 * claim it, its owner's lease rules apply as to a claim, and its result
 * lands with attempt 1. */
CONTRACT(insert_claimed_is_a_claimed_row, 30)
{
    struct store *s = open_store();
    struct submission sub, other, got;
    char err[256];
    tiny_sub(&sub, "handed");
    cr_assert_eq(s->ops->insert_claimed(s, &sub, "hostA:1:1", 60, err, sizeof err), 0, "%s", err);
    cr_assert_eq(sub.status_id, 2);
    cr_assert_eq(sub.attempts, 1);
    cr_assert_eq(s->ops->claim(s, "hostB:2:2", 60, &other), -ENOENT, "not in the queue");
    long n = -1;
    cr_assert_eq(s->ops->count_status(s, 1, &n), 0);
    cr_assert_eq(n, 0);
    cr_assert_eq(s->ops->renew_job(s, "handed", "hostA:1:1", 60), 0, "leased by its owner");
    cr_assert_eq(s->ops->renew_job(s, "handed", "hostB:2:2", 60), -ESTALE);
    cr_assert_eq(s->ops->get(s, "handed", &got), 0);
    cr_assert_eq(got.status_id, 2);
    cr_assert_eq(got.attempts, 1);
    cr_assert_str_eq(got.source_code.p, "hi");
    submission_clear(&got);
    /* its owner dies before a worker takes it: back in the queue */
    cr_assert_eq(s->ops->requeue(s, "hostA:1:1", &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(s->ops->claim(s, "hostB:2:2", 60, &other), 0);
    cr_assert_str_eq(other.token, "handed");
    cr_assert_eq(other.attempts, 2);
    finish_as(s, &sub, "hostA:1:1", 3, -ESTALE); /* the old holder's result is late */
    finish_as(s, &other, "hostB:2:2", 3, 0);
    submission_clear(&other);
    /* and a handed job whose owner lives finishes with its first attempt */
    submission_clear(&sub);
    snprintf(sub.token, sizeof sub.token, "handed2");
    cr_assert_eq(s->ops->insert_claimed(s, &sub, "hostA:1:1", 60, err, sizeof err), 0, "%s", err);
    finish_as(s, &sub, "hostA:1:1", 3, 0);
    cr_assert_eq(status_of(s, "handed2"), 3);
    submission_clear(&sub);
    s->ops->close(s);
}

/* A wait=true job judged before it was ever stored is inserted once, done:
 * its results as given, attempt 1, nothing to claim or requeue, and its
 * callback pending when it has one. */
CONTRACT(insert_done_is_a_finished_row, 30)
{
    struct store *s = open_store();
    struct submission sub, other, got;
    char err[256];
    tiny_sub(&sub, "once");
    sub.status_id = 3;
    sub.verdict = strdup("AC");
    sub.stdout_data.p = strdup("hi\n");
    sub.stdout_data.n = 3;
    sub.time = 0.004;
    sub.memory = 1024;
    store_now_iso(sub.finished_at);
    cr_assert_eq(s->ops->insert_done(s, &sub, err, sizeof err), 0, "%s", err);
    cr_assert_eq(s->ops->get(s, "once", &got), 0);
    cr_assert_eq(got.status_id, 3);
    cr_assert_eq(got.attempts, 1);
    cr_assert_str_eq(got.verdict, "AC");
    cr_assert_str_eq(got.stdout_data.p, "hi\n");
    cr_assert_str_eq(got.source_code.p, "hi");
    cr_assert_eq(got.memory, 1024);
    cr_assert(got.created_at[0] && got.finished_at[0]);
    submission_clear(&got);
    cr_assert_eq(s->ops->claim(s, "hostB:2:2", 60, &other), -ENOENT, "not in the queue");
    long n = -1;
    cr_assert_eq(s->ops->requeue(s, NULL, &n), 0);
    cr_assert_eq(n, 0, "no lease to expire");
    char **pending;
    size_t np;
    cr_assert_eq(s->ops->callbacks_pending(s, &pending, &np), 0);
    cr_assert_eq(np, 0, "no callback_url, no callback");
    store_free_strv(pending, np);
    /* with a callback_url its callback is due, as after a finish */
    submission_clear(&sub);
    snprintf(sub.token, sizeof sub.token, "once-cb");
    sub.status_id = 4;
    sub.callback_url = strdup("http://127.0.0.1:9/cb");
    cr_assert_eq(s->ops->insert_done(s, &sub, err, sizeof err), 0, "%s", err);
    cr_assert_eq(s->ops->callbacks_pending(s, &pending, &np), 0);
    cr_assert_eq(np, 1);
    cr_assert_str_eq(pending[0], "once-cb");
    store_free_strv(pending, np);
    /* a token is stored once */
    cr_assert_neq(s->ops->insert_done(s, &sub, err, sizeof err), 0, "a second row for once-cb");
    submission_clear(&sub);
    s->ops->close(s);
}

CONTRACT(late_result_of_an_earlier_attempt_is_discarded, 30)
{
    struct store *s = open_store();
    add(s, 1, NULL);
    struct submission old, cur;
    cr_assert_eq(s->ops->claim(s, "hostA:1:1", 0.05, &old), 0);
    usleep(300000);
    long n;
    cr_assert_eq(s->ops->requeue(s, NULL, &n), 0);
    /* the same owner claims it again (one node, another thread) */
    cr_assert_eq(s->ops->claim(s, "hostA:1:1", 60, &cur), 0);
    cr_assert_eq(cur.attempts, 2);
    /* progress of the live attempt is kept */
    cr_assert_eq(s->ops->progress(s, "tok-00001", "hostA:1:1", "[{\"verdict\":\"AC\"}]", 3, 1, 3), 0);
    /* the first attempt comes back late: owner matches, attempt does not */
    old.verdict = strdup("WA");
    finish_as(s, &old, "hostA:1:1", 4, -ESTALE);
    finish_as(s, &cur, "hostB:9:9", 3, -ESTALE); /* nor a stranger */
    cur.verdict = strdup("AC");
    finish_as(s, &cur, "hostA:1:1", 3, 0);
    finish_as(s, &cur, "hostA:1:1", 3, -ESTALE); /* once */
    struct submission got;
    cr_assert_eq(s->ops->get(s, "tok-00001", &got), 0);
    cr_assert_eq(got.status_id, 3);
    cr_assert_str_eq(got.verdict, "AC");
    cr_assert_eq(got.attempts, 2);
    submission_clear(&got);
    submission_clear(&old);
    submission_clear(&cur);
    cr_assert_eq(s->ops->claim(s, "hostA:1:1", 60, &got), -ENOENT);
    s->ops->close(s);
}

CONTRACT(out_of_attempts_ends_as_internal_error, 30)
{
    struct store *s = open_store();
    s->max_attempts = 2;
    add(s, 1, "https://example.com/cb");
    add(s, 2, NULL);
    struct submission a;
    long n;
    /* job 1 dies twice with its lease; job 2 twice with its owner */
    for (int attempt = 1; attempt <= 2; attempt++) {
        cr_assert_eq(s->ops->claim(s, "hostA:1:1", 0.05, &a), 0);
        cr_assert_str_eq(a.token, "tok-00001");
        cr_assert_eq(a.attempts, attempt);
        submission_clear(&a);
        cr_assert_eq(s->ops->claim(s, "hostB:2:2", 60, &a), 0);
        cr_assert_str_eq(a.token, "tok-00002");
        cr_assert_eq(a.attempts, attempt);
        submission_clear(&a);
        usleep(300000);
        cr_assert_eq(s->ops->requeue(s, NULL, &n), 0);
        cr_assert_eq(n, 1);
        cr_assert_eq(s->ops->requeue(s, "hostB:2:2", &n), 0);
        cr_assert_eq(n, 1);
        if (attempt == 1) {
            cr_assert_eq(status_of(s, "tok-00001"), 1, "one attempt left: queued again");
            cr_assert_eq(status_of(s, "tok-00002"), 1);
        }
    }
    for (int i = 1; i <= 2; i++) {
        char tok[16];
        snprintf(tok, sizeof tok, "tok-%05d", i);
        struct submission got;
        cr_assert_eq(s->ops->get(s, tok, &got), 0);
        cr_assert_eq(got.status_id, STORE_STATUS_INTERNAL_ERROR, "%s", tok);
        cr_assert_str_eq(got.verdict, "JE");
        cr_assert_not_null(got.message);
        cr_assert(strstr(got.message, "gave up after 2 attempts"), "message: %s", got.message);
        cr_assert(strstr(got.message, "node died or its lease ran out"), "message: %s", got.message);
        cr_assert_neq(got.finished_at[0], 0, "an ended job has its end time");
        submission_clear(&got);
    }
    cr_assert_eq(s->ops->claim(s, "hostA:1:1", 60, &a), -ENOENT, "nothing left to run");
    /* its submitter still hears of it */
    char **toks;
    size_t nt;
    cr_assert_eq(s->ops->callbacks_pending(s, &toks, &nt), 0);
    cr_assert_eq(nt, 1);
    cr_assert_str_eq(toks[0], "tok-00001");
    store_free_strv(toks, nt);
    s->ops->close(s);
}

CONTRACT(callbacks_stay_pending_until_done, 30)
{
    struct store *s = open_store();
    add(s, 1, "https://example.com/a");
    add(s, 2, NULL);
    add(s, 3, "https://example.com/c");
    for (int i = 0; i < 3; i++) {
        struct submission c;
        cr_assert_eq(s->ops->claim(s, "h:1:1", 60, &c), 0);
        finish_as(s, &c, "h:1:1", 3, 0);
        submission_clear(&c);
    }
    char **toks;
    size_t n;
    cr_assert_eq(s->ops->callbacks_pending(s, &toks, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(toks[0], "tok-00001");
    cr_assert_str_eq(toks[1], "tok-00003");
    store_free_strv(toks, n);
    cr_assert_eq(s->ops->callback_done(s, "tok-00001"), 0);
    cr_assert_eq(s->ops->callback_done(s, "gone"), 0);
    s->ops->close(s);
    s = open_store(); /* a restarted node finds what is left */
    cr_assert_eq(s->ops->callbacks_pending(s, &toks, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(toks[0], "tok-00003");
    store_free_strv(toks, n);
    s->ops->close(s);
}

CONTRACT(worker_pools_and_owners, 30)
{
    struct store *s = open_store();
    struct store_pool a = {.owner = "hostA:1:1", .total = 4, .busy = 1, .idle = 3},
                      b = {.owner = "hostB:2:2", .total = 2, .busy = 2};
    cr_assert_eq(s->ops->pool_beat(s, &a), 0);
    cr_assert_eq(s->ops->pool_beat(s, &b), 0);
    a.busy = 2;
    a.idle = 2;
    cr_assert_eq(s->ops->pool_beat(s, &a), 0);
    struct store_pool *v;
    size_t n;
    cr_assert_eq(s->ops->pools(s, 30, &v, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(v[0].owner, "hostA:1:1");
    cr_assert_eq(v[0].busy, 2);
    cr_assert_eq(v[1].total, 2);
    store_free_pools(v, n);
    cr_assert_eq(s->ops->pool_gone(s, "hostB:2:2"), 0);
    usleep(300000);
    cr_assert_eq(s->ops->pools(s, 0.1, &v, &n), 0);
    cr_assert_eq(n, 0, "a pool not beaten within max_age is not listed");
    store_free_pools(v, n);
    cr_assert_eq(s->ops->pools(s, 30, &v, &n), 0);
    cr_assert_eq(n, 1);
    store_free_pools(v, n);

    add(s, 1, NULL);
    add(s, 2, NULL);
    struct submission c;
    cr_assert_eq(s->ops->claim(s, "hostC:3:3", 60, &c), 0);
    submission_clear(&c);
    char **owners;
    cr_assert_eq(s->ops->owners(s, &owners, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(owners[0], "hostC:3:3");
    store_free_strv(owners, n);
    s->ops->close(s);
}

CONTRACT(problems_are_upserted, 30)
{
    struct store *s = open_store();
    struct problem_rec p = {.id = "sum", .name = "Sum", .path = "/p/sum", .origin = "upload",
                            .tests = 3, .created_at = "2026-01-01T00:00:00.000Z"};
    cr_assert_eq(s->ops->problem_put(s, &p), 0);
    p.name = "Sum 2";
    p.tests = 5;
    cr_assert_eq(s->ops->problem_put(s, &p), 0);
    struct problem_rec q = {.id = "abc", .name = NULL, .path = "/p/abc", .origin = "dir"};
    cr_assert_eq(s->ops->problem_put(s, &q), 0);
    struct problem_rec got;
    cr_assert_eq(s->ops->problem_get(s, "sum", &got), 0);
    cr_assert_str_eq(got.name, "Sum 2");
    cr_assert_eq(got.tests, 5);
    cr_assert_str_eq(got.origin, "upload");
    problem_rec_clear(&got);
    struct problem_rec *v;
    size_t n;
    cr_assert_eq(s->ops->problem_list(s, &v, &n), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(v[0].id, "abc");
    cr_assert_null(v[0].name);
    for (size_t i = 0; i < n; i++)
        problem_rec_clear(&v[i]);
    free(v);
    cr_assert_eq(s->ops->problem_remove(s, "sum"), 0);
    cr_assert_eq(s->ops->problem_remove(s, "sum"), -ENOENT);
    cr_assert_eq(s->ops->problem_get(s, "sum", &got), -ENOENT);
    s->ops->close(s);
}

CONTRACT(schema_version_is_recorded_and_a_newer_one_refused, 30)
{
    struct store *s = open_store();
    s->ops->close(s);
    s = open_store(); /* reopening an up-to-date store changes nothing */
    add(s, 1, NULL);
    s->ops->close(s);
    raw_exec("UPDATE schema_version SET version = 99");
    char err[512] = "";
    cr_assert_neq(store_open(url, &s, err, sizeof err), 0, "a newer schema is refused");
    cr_assert(strstr(err, "schema version 99"), "error: %s", err);
    cr_assert(strstr(err, "upgrade nsjudge"), "error: %s", err);
}

struct events {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int work, done;
};

static void on_event(void *ctx, int ev)
{
    struct events *e = ctx;
    pthread_mutex_lock(&e->mu);
    if (ev == STORE_EV_WORK)
        e->work++;
    else
        e->done++;
    pthread_cond_broadcast(&e->cv);
    pthread_mutex_unlock(&e->mu);
}

/* Waits up to 5 s for *counter to pass `above`. */
static bool wait_event(struct events *e, int *counter, int above)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 5;
    pthread_mutex_lock(&e->mu);
    while (*counter <= above)
        if (pthread_cond_timedwait(&e->cv, &e->mu, &ts))
            break;
    bool got = *counter > above;
    pthread_mutex_unlock(&e->mu);
    return got;
}

CONTRACT(other_nodes_news_arrive_where_the_backend_can, 30)
{
    struct store *listener = open_store(), *other = open_store();
    struct events e = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    int rc = listener->ops->listen(listener, on_event, &e);
    if (!on_pg) {
        cr_assert_eq(rc, -ENOTSUP, "SQLite's nodes poll");
        cr_assert(!listener->events);
        listener->ops->close(listener);
        other->ops->close(other);
        return;
    }
    cr_assert_eq(rc, 0);
    cr_assert(listener->events);
    /* the listener announces both once connected (news may predate it) */
    cr_assert(wait_event(&e, &e.done, 0));
    pthread_mutex_lock(&e.mu);
    int work0 = e.work, done0 = e.done;
    pthread_mutex_unlock(&e.mu);
    add(other, 1, NULL);
    cr_assert(wait_event(&e, &e.work, work0), "a job queued by another connection wakes the listener");
    struct submission c;
    cr_assert_eq(other->ops->claim(other, "h:1:1", 60, &c), 0);
    finish_as(other, &c, "h:1:1", 3, 0);
    submission_clear(&c);
    cr_assert(wait_event(&e, &e.done, done0), "a job finished elsewhere wakes the listener");
    listener->ops->close(listener); /* stops its thread */
    other->ops->close(other);
}

Test(store_contract, url_forms)
{
    struct store *s;
    char err[512];
    cr_assert_eq(store_open("mysql://x", &s, err, sizeof err), -EINVAL);
    cr_assert(strstr(err, "sqlite:PATH"), "%s", err);
    cr_assert_eq(store_open("sqlite:", &s, err, sizeof err), -EINVAL);
    cr_assert_neq(store_open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", &s, err,
                             sizeof err), 0);
    cr_assert(strstr(err, "postgresql:"), "%s", err);
    cr_assert_eq(store_open("sqlite::memory:", &s, err, sizeof err), 0, "%s", err);
    s->ops->close(s);
}

/* the stricter durability mode is an option of the sqlite: URL */
Test(store_contract, sqlite_synchronous_option)
{
    char dir[] = "/tmp/nsjudge-sync-XXXXXX", url[256], file[256];
    cr_assert(mkdtemp(dir));
    struct store *s;
    char err[512];
    snprintf(url, sizeof url, "sqlite:%s/a.db?synchronous=full", dir);
    cr_assert_eq(store_open(url, &s, err, sizeof err), 0, "%s", err);
    s->ops->close(s);
    snprintf(file, sizeof file, "%s/a.db", dir);
    cr_assert_eq(access(file, F_OK), 0, "the file is the path without the option");
    snprintf(file, sizeof file, "%s/a.db?synchronous=full", dir);
    cr_assert_neq(access(file, F_OK), 0, "no file named with the option");
    snprintf(url, sizeof url, "sqlite:%s/a.db?synchronous=normal", dir);
    cr_assert_eq(store_open(url, &s, err, sizeof err), 0, "%s", err);
    s->ops->close(s);
    snprintf(url, sizeof url, "sqlite:%s/a.db?synchronous=off", dir);
    cr_assert_eq(store_open(url, &s, err, sizeof err), -EINVAL);
    cr_assert(strstr(err, "unknown option 'synchronous=off'"), "%s", err);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Checkpoints run on the store's own thread, not inside a commit that
 * every other call waits for: well before SQLite's automatic checkpoint
 * (1000 pages of WAL) the pages are in the database file. */
Test(store_contract, sqlite_checkpoints_in_the_background, .timeout = 60)
{
    char dir[] = "/tmp/nsjudge-ckpt-XXXXXX", url[256], file[256];
    cr_assert(mkdtemp(dir));
    snprintf(url, sizeof url, "sqlite:%s/a.db", dir);
    snprintf(file, sizeof file, "%s/a.db", dir);
    struct store *s;
    char err[512];
    cr_assert_eq(store_open(url, &s, err, sizeof err), 0, "%s", err);
    for (int i = 0; i < 100; i++) { /* about 300 pages of WAL */
        struct submission sub;
        submission_init(&sub);
        snprintf(sub.token, sizeof sub.token, "ckpt-%05d", i);
        sub.language_id = 50;
        sub.source_code.n = 10000;
        sub.source_code.p = malloc(sub.source_code.n);
        memset(sub.source_code.p, 'a' + i % 26, sub.source_code.n);
        cr_assert_eq(s->ops->insert(s, &sub, err, sizeof err), 0, "%s", err);
        submission_clear(&sub);
    }
    struct stat st = {0};
    for (int k = 0; k < 50 && (stat(file, &st) || st.st_size < 100 * 10000); k++)
        usleep(100000);
    cr_assert_geq(st.st_size, 100 * 10000, "the database file holds %lld bytes", (long long)st.st_size);
    s->ops->close(s);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Under writes that never pause, the WAL is started again from its first
 * frame now and then: before, a passive checkpoint never found every frame
 * copied at a commit, and the WAL grew without end (here to ~280 MB; in
 * the service by ~18 MB/s). The bound: 4096 frames of 4 KiB plus what is
 * committed during one checkpoint (this loop commits ~40,000 frames/s,
 * ten times the service's rate, so a slow fsync adds a lot: 35-40 MB seen). */
Test(store_contract, sqlite_wal_is_bounded_under_steady_writes, .init = setup_sqlite,
     .fini = teardown, .timeout = 120)
{
    char wal[256], err[512];
    snprintf(wal, sizeof wal, "%s/nsjudge.db-wal", tmpdir);
    struct store *s = open_store();
    off_t most = 0;
    for (int i = 0; i < 20000; i++) {
        struct submission sub;
        char tok[40];
        snprintf(tok, sizeof tok, "wal-%05d", i);
        tiny_sub(&sub, tok);
        cr_assert_eq(s->ops->insert(s, &sub, err, sizeof err), 0, "%s", err);
        submission_clear(&sub);
        struct stat st;
        if (i % 100 == 0 && !stat(wal, &st) && st.st_size > most)
            most = st.st_size;
    }
    s->ops->close(s);
    cr_assert_leq(most, 96 << 20, "the WAL reached %lld bytes", (long long)most);
}

CONTRACT(package_blobs_by_hash, 30)
{
    struct store *s = open_store();
    const char sha[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    char data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)(i * 7); /* zero bytes and high bytes too */
    struct bytes got;
    cr_assert_eq(s->ops->blob_get(s, sha, &got), -ENOENT);
    cr_assert_eq(s->ops->blob_put(s, sha, data, sizeof data), 0);
    cr_assert_eq(s->ops->blob_put(s, sha, data, sizeof data), 0, "putting it again is fine");
    cr_assert_eq(s->ops->blob_get(s, sha, &got), 0);
    cr_assert_eq(got.n, sizeof data);
    cr_assert_eq(memcmp(got.p, data, sizeof data), 0);
    free(got.p);
    struct problem_rec p = {.id = "sum", .name = "Sum", .path = "/elsewhere/sum", .origin = "upload",
                            .tests = 3, .created_at = "2026-01-01T00:00:00.000Z"};
    snprintf(p.package_sha256, sizeof p.package_sha256, "%s", sha);
    cr_assert_eq(s->ops->problem_put(s, &p), 0);
    struct problem_rec r;
    cr_assert_eq(s->ops->problem_get(s, "sum", &r), 0);
    cr_assert_str_eq(r.package_sha256, sha);
    problem_rec_clear(&r);
    s->ops->close(s);
}

CONTRACT(callbacks_are_claimed_by_one_node_and_survive_it, 30)
{
    struct store *s = open_store();
    add(s, 1, "https://example.com/a");
    struct submission c;
    cr_assert_eq(s->ops->claim(s, "w:1:1", 60, &c), 0);
    finish_as(s, &c, "w:1:1", 3, 0);
    submission_clear(&c);
    char tok[40];
    int tries = -1;
    cr_assert_eq(s->ops->callback_claim(s, "nodeA:1:1", 30, tok, &tries), 0);
    cr_assert_str_eq(tok, "tok-00001");
    cr_assert_eq(tries, 0);
    cr_assert_eq(s->ops->callback_claim(s, "nodeB:2:2", 60, tok, &tries), -ENOENT,
                 "one node at a time");
    /* node A fails once and gives it back; B takes it, A's try counted */
    cr_assert_eq(s->ops->callback_settle(s, "tok-00001", "nodeA:1:1", 0), 0);
    cr_assert_eq(s->ops->callback_claim(s, "nodeB:2:2", 60, tok, &tries), 0);
    cr_assert_eq(tries, 1, "node A's try counts");
    cr_assert_eq(s->ops->callback_settle(s, "tok-00001", "nodeB:2:2", 1.5), 0);
    cr_assert_eq(s->ops->callback_claim(s, "nodeB:2:2", 60, tok, &tries), -ENOENT,
                 "a retry is not due before its time");
    usleep(1800000);
    cr_assert_eq(s->ops->callback_claim(s, "nodeA:1:1", 0.1, tok, &tries), 0);
    cr_assert_eq(tries, 2);
    usleep(300000); /* A's lease ends without a word from A */
    cr_assert_eq(s->ops->callback_claim(s, "nodeB:2:2", 60, tok, &tries), 0);
    cr_assert_eq(tries, 2);
    cr_assert_eq(s->ops->callback_settle(s, "tok-00001", "nodeA:1:1", -1), -ESTALE,
                 "A's late word changes nothing");
    cr_assert_eq(s->ops->callback_settle(s, "tok-00001", "nodeB:2:2", -1), 0);
    cr_assert_eq(s->ops->callback_claim(s, "nodeB:2:2", 60, tok, &tries), -ENOENT, "delivered once");
    char **toks;
    size_t n;
    cr_assert_eq(s->ops->callbacks_pending(s, &toks, &n), 0);
    cr_assert_eq(n, 0);
    store_free_strv(toks, n);
    s->ops->close(s);
}

/* ---- backend-specific ------------------------------------------------------------ */

/* A database file of nsjudge before the schema version table (the tables
 * as they were then), with one finished job whose callback is pending. */
static const char pre_version_schema[] =
    "CREATE TABLE submissions (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " token TEXT NOT NULL UNIQUE, language_id INTEGER, source_code BLOB, stdin BLOB,"
    " expected_output BLOB, compiler_options TEXT, command_line_arguments TEXT,"
    " callback_url TEXT, additional_files BLOB, cpu_time_limit REAL, cpu_extra_time REAL,"
    " wall_time_limit REAL, memory_limit INTEGER, stack_limit INTEGER,"
    " max_processes_and_or_threads INTEGER, max_file_size INTEGER, number_of_runs INTEGER,"
    " per_process_time INTEGER, per_process_memory INTEGER,"
    " redirect_stderr_to_stdout INTEGER, enable_network INTEGER, problem_id TEXT,"
    " status_id INTEGER NOT NULL, verdict TEXT, stdout BLOB, stderr BLOB,"
    " compile_output BLOB, message TEXT, exit_code INTEGER, exit_signal INTEGER,"
    " time REAL, wall_time REAL, memory INTEGER, score REAL, max_score REAL, tests TEXT,"
    " tests_total INTEGER, created_at TEXT NOT NULL, finished_at TEXT,"
    " attempts INTEGER NOT NULL DEFAULT 0, owner TEXT, lease_until REAL,"
    " callback_pending INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE problems (id TEXT PRIMARY KEY, name TEXT, path TEXT NOT NULL,"
    " origin TEXT NOT NULL, tests INTEGER, created_at TEXT NOT NULL);"
    "CREATE TABLE worker_pools (owner TEXT PRIMARY KEY, total INTEGER NOT NULL,"
    " busy INTEGER NOT NULL, idle INTEGER NOT NULL, failed INTEGER NOT NULL, seen REAL NOT NULL);"
    "INSERT INTO submissions (token, language_id, status_id, created_at, finished_at,"
    " callback_url, callback_pending, attempts) VALUES ('old', 50, 3, '2026-01-01T00:00:00.000Z',"
    " '2026-01-01T00:00:01.000Z', 'https://example.com/cb', 1, 1);"
    "INSERT INTO problems VALUES ('p', 'P', '/x', 'dir', 2, '2026-01-01T00:00:00.000Z');";

Test(store_contract_sqlite, migrates_a_file_from_before_schema_versions, .init = setup_sqlite,
     .fini = teardown, .timeout = 30)
{
    raw_exec(pre_version_schema);
    struct store *s = open_store();
    struct submission got;
    cr_assert_eq(s->ops->get(s, "old", &got), 0);
    cr_assert_eq(got.status_id, 3);
    submission_clear(&got);
    struct problem_rec p;
    cr_assert_eq(s->ops->problem_get(s, "p", &p), 0);
    cr_assert_str_eq(p.package_sha256, "");
    problem_rec_clear(&p);
    char tok[40];
    int tries;
    cr_assert_eq(s->ops->callback_claim(s, "n:1:1", 60, tok, &tries), 0,
                 "the old pending callback is claimable");
    cr_assert_str_eq(tok, "old");
    cr_assert_eq(tries, 0);
    cr_assert_eq(s->ops->blob_put(s, "00", "x", 1), 0);
    s->ops->close(s);
    s = open_store(); /* and opens again at the new version */
    s->ops->close(s);
}

Test(store_contract_pg, survives_lost_connections, .init = setup_pg, .fini = teardown, .timeout = 30)
{
    struct store *s = open_store(), *other = open_store();
    struct events e = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    cr_assert_eq(s->ops->listen(s, on_event, &e), 0);
    cr_assert(wait_event(&e, &e.done, 0));
    add(s, 1, NULL);
    /* the server drops every connection of the test's database (a restart,
     * a failover, an idle timeout) */
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
             " WHERE datname = '%s' AND pid <> pg_backend_pid()", pg_db);
    raw_exec(sql);
    usleep(200000);
    struct submission got;
    cr_assert_eq(s->ops->get(s, "tok-00001", &got), 0, "the statement connection is made again");
    submission_clear(&got);
    pthread_mutex_lock(&e.mu);
    int work0 = e.work;
    pthread_mutex_unlock(&e.mu);
    add(other, 2, NULL);
    cr_assert(wait_event(&e, &e.work, work0), "the LISTEN connection is made again");
    s->ops->close(s);
    other->ops->close(other);
}
