/*
 * store_pg.c - the cluster store: PostgreSQL through libpq.
 *
 * Any number of API and worker nodes, on any hosts, share one database.
 * Each process holds one connection behind a mutex for its statements (as
 * the SQLite store: judging, not SQL, is the slow part) and, once listen()
 * runs, a second one that only LISTENs. Claims are one UPDATE over a
 * SELECT ... FOR UPDATE SKIP LOCKED, so claimers on many nodes never take
 * the same job nor wait on each other's row locks. Lease times and
 * heartbeats use the database server's clock, so the nodes' clocks need
 * not agree. A trigger NOTIFYs "nsjudge_work" when a job is queued and
 * "nsjudge_done" (payload: the token) when one is finished, from whichever
 * node did it.
 *
 * Values travel as text (bytea parameters as binary); a lost connection is
 * re-established once per statement before the error is returned.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libpq-fe.h>
#include "server/service/store.h"
#include "server/service/submission_cols.h"

#define SCHEMA_VERSION 2
/* pg_advisory_xact_lock key: nodes starting together create the schema once */
#define SCHEMA_LOCK_KEY 0x6e736a64

struct pg_store {
    struct store base;
    PGconn *conn;
    pthread_mutex_t mu;
    char *conninfo;
    /* the LISTEN connection and its thread */
    pthread_t listen_th;
    bool listening;
    int stop_pipe[2];
    void (*on_event)(void *ctx, int ev);
    void *ev_ctx;
};

/* the server's clock, in seconds since the epoch */
#define NOW_S "extract(epoch from clock_timestamp())::double precision"
#define NOW_ISO "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* The submissions table's columns come from submission_cols.c, between
 * these two parts. */
static const char schema_head[] =
    "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);"
    "CREATE TABLE IF NOT EXISTS submissions ("
    " id bigserial PRIMARY KEY,";
static const char schema_tail[] =
    " owner text, lease_until double precision, callback_pending integer NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS submissions_status ON submissions(status_id, id);"
    "CREATE INDEX IF NOT EXISTS submissions_callback ON submissions(callback_pending)"
    " WHERE callback_pending = 1;"
    "CREATE TABLE IF NOT EXISTS problems ("
    " id text PRIMARY KEY, name text, path text NOT NULL, origin text NOT NULL,"
    " tests bigint, created_at text NOT NULL);"
    "CREATE TABLE IF NOT EXISTS worker_pools ("
    " owner text PRIMARY KEY, total bigint NOT NULL, busy bigint NOT NULL,"
    " idle bigint NOT NULL, failed bigint NOT NULL, seen double precision NOT NULL);"
    "CREATE OR REPLACE FUNCTION nsjudge_notify() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  IF NEW.status_id = 1 THEN PERFORM pg_notify('nsjudge_work', '');"
    "  ELSIF NEW.status_id >= 3 THEN PERFORM pg_notify('nsjudge_done', NEW.token);"
    "  END IF;"
    "  RETURN NULL;"
    " END $$;"
    "CREATE OR REPLACE TRIGGER submissions_notify AFTER INSERT OR UPDATE OF status_id"
    " ON submissions FOR EACH ROW EXECUTE FUNCTION nsjudge_notify();";

/* ---- parameters ------------------------------------------------------------------ */

#define MAXP 48
struct params {
    const char *v[MAXP];
    int len[MAXP], fmt[MAXP];
    char num[MAXP][32];
    int n;
};

static void p_text(struct params *ps, const char *s)
{
    ps->v[ps->n] = s;
    ps->len[ps->n] = 0;
    ps->fmt[ps->n++] = 0;
}

static void p_bytes(struct params *ps, const struct bytes *b)
{
    ps->v[ps->n] = b->p ? (b->n ? b->p : "") : NULL;
    ps->len[ps->n] = (int)b->n;
    ps->fmt[ps->n++] = 1;
}

static void p_int(struct params *ps, long long v)
{
    snprintf(ps->num[ps->n], sizeof ps->num[0], "%lld", v);
    p_text(ps, ps->num[ps->n]);
}

/* negative numbers are the struct's null */
static void p_long(struct params *ps, long v)
{
    if (v < 0)
        p_text(ps, NULL);
    else
        p_int(ps, v);
}

static void p_real(struct params *ps, double v)
{
    snprintf(ps->num[ps->n], sizeof ps->num[0], "%.17g", v);
    p_text(ps, ps->num[ps->n]);
}

static void p_dbl(struct params *ps, double v)
{
    if (v < 0)
        p_text(ps, NULL);
    else
        p_real(ps, v);
}

/* The primitives submission_cols.c binds the columns with. */
static void pp_null(void *ctx)
{
    p_text(ctx, NULL);
}

static void pp_text(void *ctx, const char *s)
{
    p_text(ctx, s);
}

static void pp_bytes(void *ctx, const struct bytes *b)
{
    p_bytes(ctx, b);
}

static void pp_integer(void *ctx, long long v)
{
    p_int(ctx, v);
}

static void pp_real(void *ctx, double v)
{
    p_real(ctx, v);
}

static const struct sub_binder pg_binder = {
    .null = pp_null, .text = pp_text, .bytes = pp_bytes, .integer = pp_integer, .real = pp_real,
};

/* Adds the columns written as `written` says, in table order. */
static void p_cols(struct params *ps, unsigned written, const struct submission *sub)
{
    sub_cols_bind(&pg_binder, ps, written, sub);
}

/* The statements that name the submission columns, built once from the
 * column table and kept. */
static struct {
    char *claim, *finish, *insert_claimed, *insert_done;
} sql;
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void sql_build(void)
{
    const char *cols = sub_cols_list(), *set = sub_cols_sql(SUB_SQL_FINISH_SET, SUB_PG);
    if (!cols || !set)
        return;
    int n_res = sub_cols_count(SUB_IN_FINISH);
    char vals[128];
    int n_in = sub_cols_count(SUB_IN_INSERT);
    snprintf(vals, sizeof vals, "$%d, " NOW_S " + $%d, 1", n_in + 1, n_in + 2);
    sql.insert_claimed = sub_cols_build_insert(SUB_PG, "owner, lease_until, attempts", vals);
    snprintf(vals, sizeof vals, "1, $%d", n_in + 1);
    sql.insert_done = sub_cols_build_insert(SUB_PG, "attempts, callback_pending", vals);
    /* SKIP LOCKED: a row another claimer holds is passed over, not waited for */
    if (asprintf(&sql.claim,
                 "UPDATE submissions SET status_id = 2, owner = $1, lease_until = " NOW_S " + $2,"
                 " attempts = attempts + 1 WHERE id = (SELECT id FROM submissions"
                 " WHERE status_id = 1 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
                 " RETURNING %s", cols) < 0)
        sql.claim = NULL;
    if (asprintf(&sql.finish,
                 "UPDATE submissions SET %s, owner = NULL,"
                 " lease_until = NULL, callback_pending = (callback_url IS NOT NULL)::integer,"
                 " callback_tries = 0, callback_due = 0, callback_owner = NULL"
                 " WHERE token = $1 AND owner = $2 AND status_id = 2 AND attempts = $%d",
                 set, 3 + n_res) < 0)
        sql.finish = NULL;
}

static bool sql_ready(void)
{
    pthread_once(&sql_once, sql_build);
    return sql.claim && sql.finish && sql.insert_claimed && sql.insert_done && sub_cols_built();
}

/* ---- running statements -------------------------------------------------------------- */

static int err_of(PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state && !strncmp(state, "53", 2))
        return -ENOSPC;     /* insufficient resources */
    if (state && !strcmp(state, "23505"))
        return -EEXIST;     /* unique violation */
    return -EIO;
}

/* Runs sql with the caller holding q->mu; NULL params allowed. A broken
 * connection is reset and the statement sent once more. The result is
 * the caller's to PQclear (also on error). */
static PGresult *run(struct pg_store *q, const char *sql, const struct params *ps)
{
    for (int attempt = 0;; attempt++) {
        PGresult *r = PQexecParams(q->conn, sql, ps ? ps->n : 0, NULL, ps ? ps->v : NULL,
                                   ps ? ps->len : NULL, ps ? ps->fmt : NULL, 0);
        if (attempt || PQstatus(q->conn) != CONNECTION_BAD)
            return r;
        PQclear(r);
        PQreset(q->conn);
    }
}

static bool ok(PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* A statement that returns nothing the caller wants; *changed gets the rows touched. */
static int exec_p(struct pg_store *q, const char *sql, const struct params *ps, long *changed)
{
    pthread_mutex_lock(&q->mu);
    PGresult *r = run(q, sql, ps);
    int rc = ok(r) ? 0 : err_of(r);
    if (!rc && changed)
        *changed = atol(PQcmdTuples(r));
    PQclear(r);
    pthread_mutex_unlock(&q->mu);
    return rc;
}

/* ---- reading values ------------------------------------------------------------------ */

static bool isnull(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col);
}

static int col_bytes(PGresult *r, int row, int col, struct bytes *b)
{
    b->p = NULL;
    b->n = 0;
    if (isnull(r, row, col))
        return 0;
    size_t n;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &n);
    if (!raw)
        return -ENOMEM;
    b->p = malloc(n + 1);
    if (!b->p) {
        PQfreemem(raw);
        return -ENOMEM;
    }
    memcpy(b->p, raw, n);
    b->p[n] = 0;
    b->n = n;
    PQfreemem(raw);
    return 0;
}

static int col_text(PGresult *r, int row, int col, char **out)
{
    *out = NULL;
    if (isnull(r, row, col))
        return 0;
    return (*out = strdup(PQgetvalue(r, row, col))) ? 0 : -ENOMEM;
}

static double col_dbl(PGresult *r, int row, int col)
{
    return isnull(r, row, col) ? -1 : strtod(PQgetvalue(r, row, col), NULL);
}

static long col_long(PGresult *r, int row, int col)
{
    return isnull(r, row, col) ? -1 : strtol(PQgetvalue(r, row, col), NULL, 10);
}

static void col_fixed(PGresult *r, int row, int col, char *out, size_t len)
{
    snprintf(out, len, "%s", isnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

/* The primitives submission_cols.c reads a row with. */
struct pg_row {
    PGresult *r;
    int row;
};

static bool pr_is_null(void *ctx, int col)
{
    struct pg_row *w = ctx;
    return isnull(w->r, w->row, col);
}

static const char *pr_text(void *ctx, int col)
{
    struct pg_row *w = ctx;
    return PQgetvalue(w->r, w->row, col);
}

static int pr_bytes(void *ctx, int col, struct bytes *b)
{
    struct pg_row *w = ctx;
    return col_bytes(w->r, w->row, col, b);
}

/* a null's value is "", which reads 0 */
static long long pr_integer(void *ctx, int col)
{
    struct pg_row *w = ctx;
    return strtoll(PQgetvalue(w->r, w->row, col), NULL, 10);
}

static double pr_real(void *ctx, int col)
{
    struct pg_row *w = ctx;
    return strtod(PQgetvalue(w->r, w->row, col), NULL);
}

static const struct sub_reader pg_reader = {
    .is_null = pr_is_null, .text = pr_text, .bytes = pr_bytes, .integer = pr_integer,
    .real = pr_real,
};

/* Reads row `row` of a result of sub_cols_list() columns into the struct
 * submission item. */
static int read_row(PGresult *r, int row, void *item)
{
    struct pg_row w = {r, row};
    return sub_cols_read(&pg_reader, &w, item);
}

/* A query whose first row is read into item by read_one (0 or -ENOMEM):
 * -ENOENT when there is none. */
static int query_row(struct pg_store *q, const char *sql, const struct params *ps,
                     int (*read_one)(PGresult *r, int row, void *item), void *item)
{
    pthread_mutex_lock(&q->mu);
    PGresult *r = run(q, sql, ps);
    int rc = !ok(r) ? err_of(r) : PQntuples(r) < 1 ? -ENOENT : read_one(r, 0, item);
    PQclear(r);
    pthread_mutex_unlock(&q->mu);
    return rc;
}

/* A query whose rows are read, each with read_one into the next
 * elem-sized item of a new array (read_one returns 0, 1 to skip the row,
 * or -ENOMEM): *out gets the array (allocated also when empty), *n its
 * length; on an error the items read are cleared with clear_one and freed. */
static int query_rows(struct pg_store *q, const char *sql, const struct params *ps, size_t elem,
                      int (*read_one)(PGresult *r, int row, void *item),
                      void (*clear_one)(void *item), void **out, size_t *n)
{
    pthread_mutex_lock(&q->mu);
    PGresult *r = run(q, sql, ps);
    int rc = ok(r) ? 0 : err_of(r);
    if (!rc) {
        int rows = PQntuples(r);
        char *v = calloc((size_t)rows + 1, elem);
        size_t k = 0;
        for (int i = 0; v && i < rows; i++) {
            int got = read_one(r, i, v + k * elem);
            if (got < 0) {
                while (k)
                    clear_one(v + --k * elem);
                free(v);
                v = NULL;
                break;
            }
            k += got == 0;
        }
        if (v) {
            *out = v;
            *n = k;
        } else {
            rc = -ENOMEM;
        }
    }
    PQclear(r);
    pthread_mutex_unlock(&q->mu);
    return rc;
}

/* A query whose first row's first column is a count. */
static int scalar(struct pg_store *q, const char *sql, const struct params *ps, long long *v)
{
    pthread_mutex_lock(&q->mu);
    PGresult *r = run(q, sql, ps);
    int rc = ok(r) && PQntuples(r) > 0 ? 0 : err_of(r);
    *v = rc || isnull(r, 0, 0) ? 0 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    pthread_mutex_unlock(&q->mu);
    return rc;
}

/* Row readers (for query_row and query_rows) and the clearers of their items. */
static void clear_sub(void *item)
{
    submission_clear(item);
}

/* a string of column 0 (a null is skipped) */
static int read_str(PGresult *r, int row, void *item)
{
    return isnull(r, row, 0) ? 1 : col_text(r, row, 0, item);
}

static void clear_str(void *item)
{
    free(*(char **)item);
}

static int read_pool(PGresult *r, int row, void *item)
{
    struct store_pool *p = item;
    if (!(p->owner = strdup(PQgetvalue(r, row, 0))))
        return -ENOMEM;
    p->total = col_long(r, row, 1);
    p->busy = col_long(r, row, 2);
    p->idle = col_long(r, row, 3);
    p->failed = col_long(r, row, 4);
    p->age_s = col_dbl(r, row, 5);
    return 0;
}

static void clear_pool(void *item)
{
    free(((struct store_pool *)item)->owner);
}

static int read_problem(PGresult *r, int row, void *item)
{
    struct problem_rec *p = item;
    memset(p, 0, sizeof *p);
    col_fixed(r, row, 0, p->id, sizeof p->id);
    int rc = col_text(r, row, 1, &p->name) | col_text(r, row, 2, &p->path) |
             col_text(r, row, 3, &p->origin);
    p->tests = col_long(r, row, 4);
    col_fixed(r, row, 5, p->created_at, sizeof p->created_at);
    col_fixed(r, row, 6, p->package_sha256, sizeof p->package_sha256);
    if (rc) {
        problem_rec_clear(p);
        return -ENOMEM;
    }
    return 0;
}

static void clear_problem(void *item)
{
    problem_rec_clear(item);
}

static int read_blob(PGresult *r, int row, void *item)
{
    return col_bytes(r, row, 0, item);
}

/* what callback_claim returns */
struct callback_claimed {
    char *token;
    int *tries;
};

static int read_callback_claimed(PGresult *r, int row, void *item)
{
    struct callback_claimed *c = item;
    col_fixed(r, row, 0, c->token, 40);
    *c->tries = (int)col_long(r, row, 1);
    return 0;
}

#define SELF struct pg_store *q = (struct pg_store *)s

/* ---- operations ---------------------------------------------------------------------- */

static void pg_close(struct store *s)
{
    SELF;
    if (q->listening) {
        (void)!write(q->stop_pipe[1], "x", 1);
        pthread_join(q->listen_th, NULL);
    }
    if (q->stop_pipe[0] >= 0) {
        close(q->stop_pipe[0]);
        close(q->stop_pipe[1]);
    }
    PQfinish(q->conn);
    pthread_mutex_destroy(&q->mu);
    free(q->conninfo);
    free(q);
}

/* Inserts sub with sql: the insert's columns, then what `as` adds: the
 * claim (owner and its lease: status 2, attempt 1), or, for a finished
 * row, whether its callback is pending. */
static int insert_row(struct pg_store *q, const char *sql, struct submission *sub,
                      enum store_row as, const char *owner, double lease_s, char *err,
                      size_t errlen)
{
    if (!sub->created_at[0])
        store_now_iso(sub->created_at);
    if (as == ROW_CLAIMED) {
        sub->status_id = 2;
        sub->attempts = 1;
    }
    struct params ps = {.n = 0};
    p_cols(&ps, SUB_IN_INSERT, sub);
    if (as == ROW_CLAIMED) {
        p_text(&ps, owner);
        p_dbl(&ps, lease_s);
    } else if (as == ROW_DONE) {
        p_int(&ps, sub->callback_url != NULL);
    }
    pthread_mutex_lock(&q->mu);
    PGresult *r = run(q, sql, &ps);
    int rc = ok(r) ? 0 : err_of(r);
    if (rc)
        snprintf(err, errlen, "%s", PQerrorMessage(q->conn));
    PQclear(r);
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int pg_insert(struct store *s, struct submission *sub, char *err, size_t errlen)
{
    SELF;
    return insert_row(q, sub_cols_sql(SUB_SQL_INSERT, SUB_PG), sub, ROW_QUEUED, NULL, 0, err,
                      errlen);
}

static int pg_insert_claimed(struct store *s, struct submission *sub, const char *owner,
                             double lease_s, char *err, size_t errlen)
{
    SELF;
    return insert_row(q, sql.insert_claimed, sub, ROW_CLAIMED, owner, lease_s, err, errlen);
}

static int pg_insert_done(struct store *s, struct submission *sub, char *err, size_t errlen)
{
    SELF;
    sub->attempts = 1;
    return insert_row(q, sql.insert_done, sub, ROW_DONE, NULL, 0, err, errlen);
}

static int pg_get(struct store *s, const char *token, struct submission *out)
{
    SELF;
    struct params ps = {.n = 0};
    p_text(&ps, token);
    return query_row(q, sub_cols_sql(SUB_SQL_GET, SUB_PG), &ps, read_row, out);
}

static int pg_list(struct store *s, long offset, long limit, struct submission **out,
                   size_t *n, long *total)
{
    SELF;
    *out = NULL;
    *n = 0;
    struct params ps = {.n = 0};
    p_int(&ps, limit);
    p_int(&ps, offset);
    long long count;
    void *v;
    int rc = scalar(q, "SELECT count(*) FROM submissions", NULL, &count);
    if (!rc) {
        *total = (long)count;
        rc = query_rows(q, sub_cols_sql(SUB_SQL_LIST, SUB_PG), &ps, sizeof **out, read_row,
                        clear_sub, &v, n);
    }
    if (!rc)
        *out = v;
    return rc;
}

static int exec_token(struct pg_store *q, const char *sql, const char *token)
{
    struct params ps = {.n = 0};
    p_text(&ps, token);
    long changed = 0;
    int rc = exec_p(q, sql, &ps, &changed);
    return rc ? rc : changed ? 0 : -ENOENT;
}

static int pg_remove(struct store *s, const char *token)
{
    SELF;
    return exec_token(q, "DELETE FROM submissions WHERE token = $1", token);
}

static int pg_count_status(struct store *s, int status_id, long *n)
{
    SELF;
    struct params ps = {.n = 0};
    p_int(&ps, status_id);
    long long v;
    int rc = scalar(q, "SELECT count(*) FROM submissions WHERE status_id = $1", &ps, &v);
    *n = (long)v;
    return rc;
}

static int pg_claim(struct store *s, const char *owner, double lease_s, struct submission *out)
{
    SELF;
    struct params ps = {.n = 0};
    p_text(&ps, owner);
    p_dbl(&ps, lease_s);
    return query_row(q, sql.claim, &ps, read_row, out);
}

static int pg_renew(struct store *s, const char *owner, double lease_s)
{
    SELF;
    struct params ps = {.n = 0};
    p_text(&ps, owner);
    p_dbl(&ps, lease_s);
    return exec_p(q, "UPDATE submissions SET lease_until = " NOW_S " + $2"
                     " WHERE status_id = 2 AND owner = $1", &ps, NULL);
}

static int pg_renew_job(struct store *s, const char *token, const char *owner, double lease_s)
{
    SELF;
    struct params ps = {.n = 0};
    p_text(&ps, token);
    p_text(&ps, owner);
    p_dbl(&ps, lease_s);
    long changed = 0;
    int rc = exec_p(q, "UPDATE submissions SET lease_until = " NOW_S " + $3"
                       " WHERE token = $1 AND owner = $2 AND status_id = 2", &ps, &changed);
    return rc ? rc : changed ? 0 : -ESTALE;
}

static int pg_progress(struct store *s, const char *token, const char *owner,
                       const char *tests_json, long tests_total, double score, double max_score)
{
    SELF;
    struct params ps = {.n = 0};
    p_text(&ps, token);
    p_text(&ps, owner);
    p_text(&ps, tests_json);
    p_long(&ps, tests_total);
    p_dbl(&ps, score);
    p_dbl(&ps, max_score);
    return exec_p(q, "UPDATE submissions SET tests = $3, tests_total = $4, score = $5, max_score = $6"
                     " WHERE token = $1 AND owner = $2 AND status_id = 2", &ps, NULL);
}

static int pg_finish(struct store *s, const struct submission *sub, const char *owner)
{
    SELF;
    struct params ps = {.n = 0};
    p_text(&ps, sub->token);
    p_text(&ps, owner);
    p_cols(&ps, SUB_IN_FINISH, sub);
    p_int(&ps, sub->attempts);
    long changed = 0;
    int rc = exec_p(q, sql.finish, &ps, &changed);
    return rc ? rc : changed ? 0 : -ESTALE;
}

static int pg_requeue(struct store *s, const char *owner, long *n)
{
    SELF;
    const char *who = owner ? " status_id = 2 AND owner = $1"
                            : " status_id = 2 AND (lease_until IS NULL OR lease_until < " NOW_S ")";
    char sql[2048];
    /* one statement: out of attempts -> Internal Error, else back to the queue */
    snprintf(sql, sizeof sql,
             "UPDATE submissions SET"
             " status_id = CASE WHEN attempts >= $2 THEN %d ELSE 1 END,"
             " verdict = CASE WHEN attempts >= $2 THEN 'JE' END,"
             " message = CASE WHEN attempts >= $2 THEN"
             "  'gave up after ' || attempts || '" STORE_GAVE_UP_TAIL "' END,"
             " finished_at = CASE WHEN attempts >= $2 THEN " NOW_ISO " END,"
             " callback_pending = CASE WHEN attempts >= $2 THEN (callback_url IS NOT NULL)::integer"
             "  ELSE callback_pending END,"
             " owner = NULL, lease_until = NULL,"
             " tests = NULL, tests_total = NULL, score = NULL, max_score = NULL"
             " WHERE%s",
             STORE_STATUS_INTERNAL_ERROR, who);
    struct params ps = {.n = 0};
    p_text(&ps, owner ? owner : "");
    p_int(&ps, q->base.max_attempts);
    if (!owner)
        /* $1 unused without an owner: give it a type PostgreSQL can infer */
        strncat(sql, " AND $1::text = ''", sizeof sql - strlen(sql) - 1);
    *n = 0;
    return exec_p(q, sql, &ps, n);
}

/* The first column of every row, as strings. */
static int str_column(struct pg_store *q, const char *sql, char ***out, size_t *n)
{
    void *v;
    *out = NULL;
    *n = 0;
    int rc = query_rows(q, sql, NULL, sizeof **out, read_str, clear_str, &v, n);
    if (!rc)
        *out = v;
    return rc;
}

static int pg_owners(struct store *s, char ***owners, size_t *n)
{
    SELF;
    return str_column(q, "SELECT DISTINCT owner FROM submissions WHERE status_id = 2"
                         " AND owner IS NOT NULL", owners, n);
}

static int pg_pool_beat(struct store *s, const struct store_pool *p)
{
    SELF;
    struct params ps = {.n = 0};
    p_text(&ps, p->owner);
    p_int(&ps, p->total);
    p_int(&ps, p->busy);
    p_int(&ps, p->idle);
    p_int(&ps, p->failed);
    return exec_p(q, "INSERT INTO worker_pools(owner, total, busy, idle, failed, seen)"
                     " VALUES ($1, $2, $3, $4, $5, " NOW_S ") ON CONFLICT(owner) DO UPDATE SET"
                     " total = $2, busy = $3, idle = $4, failed = $5, seen = " NOW_S, &ps, NULL);
}

static int pg_pool_gone(struct store *s, const char *owner)
{
    SELF;
    int rc = exec_token(q, "DELETE FROM worker_pools WHERE owner = $1", owner);
    return rc == -ENOENT ? 0 : rc;
}

static int pg_pools(struct store *s, double max_age_s, struct store_pool **out, size_t *n)
{
    SELF;
    void *v;
    *out = NULL;
    *n = 0;
    struct params ps = {.n = 0};
    p_dbl(&ps, max_age_s);
    int rc = query_rows(q, "SELECT owner, total, busy, idle, failed, " NOW_S " - seen FROM worker_pools"
                           " WHERE seen >= " NOW_S " - $1 ORDER BY owner", &ps,
                        sizeof **out, read_pool, clear_pool, &v, n);
    if (!rc)
        *out = v;
    return rc;
}

static int pg_callbacks_pending(struct store *s, char ***tokens, size_t *n)
{
    SELF;
    return str_column(q, "SELECT token FROM submissions WHERE callback_pending = 1 ORDER BY id",
                      tokens, n);
}

static int pg_callback_done(struct store *s, const char *token)
{
    SELF;
    int rc = exec_token(q, "UPDATE submissions SET callback_pending = 0 WHERE token = $1", token);
    return rc == -ENOENT ? 0 : rc;
}

static int pg_callback_claim(struct store *s, const char *owner, double lease_s, char token[40],
                             int *tries)
{
    SELF;
    token[0] = 0;
    struct params ps = {.n = 0};
    p_text(&ps, owner);
    p_dbl(&ps, lease_s);
    struct callback_claimed c = {token, tries};
    return query_row(q, "UPDATE submissions SET callback_owner = $1, callback_lease = " NOW_S " + $2"
                        " WHERE id = (SELECT id FROM submissions WHERE callback_pending = 1"
                        " AND callback_due <= " NOW_S " AND (callback_owner IS NULL OR"
                        " callback_lease < " NOW_S ") ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
                        " RETURNING token, callback_tries", &ps, read_callback_claimed, &c);
}

static int pg_callback_settle(struct store *s, const char *token, const char *owner,
                              double retry_in_s)
{
    SELF;
    struct params ps = {.n = 0};
    p_text(&ps, token);
    p_text(&ps, owner);
    long changed = 0;
    int rc;
    if (retry_in_s < 0) {
        rc = exec_p(q, "UPDATE submissions SET callback_pending = 0, callback_owner = NULL,"
                       " callback_tries = callback_tries + 1 WHERE token = $1 AND callback_owner = $2",
                    &ps, &changed);
    } else {
        p_dbl(&ps, retry_in_s);
        rc = exec_p(q, "UPDATE submissions SET callback_owner = NULL, callback_due = " NOW_S " + $3,"
                       " callback_tries = callback_tries + 1 WHERE token = $1 AND callback_owner = $2",
                    &ps, &changed);
    }
    return rc ? rc : changed ? 0 : -ESTALE;
}

static int pg_stats(struct store *s, struct store_stats *stt)
{
    SELF;
    memset(stt, 0, sizeof *stt);
    char today[32], month[32];
    store_stats_since(today, month);
    struct params ps = {.n = 0};
    p_text(&ps, today);
    p_text(&ps, month);
    int rc = 0;
    pthread_mutex_lock(&q->mu);
    PGresult *r = run(q, "SELECT count(*), count(*) FILTER (WHERE created_at >= $1),"
                         " count(*) FILTER (WHERE created_at >= $2) FROM submissions", &ps);
    if (!ok(r) || PQntuples(r) < 1) {
        rc = err_of(r);
        goto out;
    }
    stt->total = col_long(r, 0, 0);
    stt->today = col_long(r, 0, 1);
    stt->last_30_days = col_long(r, 0, 2);
    PQclear(r);
    r = run(q, "SELECT status_id, count(*) FROM submissions GROUP BY status_id", NULL);
    if (!ok(r)) {
        rc = err_of(r);
        goto out;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        long id = col_long(r, i, 0);
        if (id >= 0 && id < 16)
            stt->by_status[id] = col_long(r, i, 1);
    }
    PQclear(r);
    r = run(q, "SELECT language_id, count(*) FROM submissions GROUP BY language_id"
               " ORDER BY count(*) DESC LIMIT 256", NULL);
    if (!ok(r)) {
        rc = err_of(r);
        goto out;
    }
    if (!(stt->by_lang = calloc(256, sizeof *stt->by_lang))) {
        rc = -ENOMEM;
        goto out;
    }
    for (int i = 0; i < PQntuples(r) && stt->n_lang < 256; i++) {
        stt->by_lang[stt->n_lang].id = (int)col_long(r, i, 0);
        stt->by_lang[stt->n_lang].count = col_long(r, i, 1);
        stt->n_lang++;
    }
    PQclear(r);
    r = run(q, "SELECT pg_database_size(current_database())", NULL);
    if (ok(r) && PQntuples(r) > 0)
        stt->db_bytes = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
out:
    PQclear(r);
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int pg_problem_put(struct store *s, const struct problem_rec *p)
{
    SELF;
    struct params ps = {.n = 0};
    p_text(&ps, p->id);
    p_text(&ps, p->name);
    p_text(&ps, p->path);
    p_text(&ps, p->origin);
    p_int(&ps, p->tests);
    p_text(&ps, p->created_at);
    p_text(&ps, p->package_sha256[0] ? p->package_sha256 : NULL);
    return exec_p(q, "INSERT INTO problems (id, name, path, origin, tests, created_at, package_sha256)"
                     " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET"
                     " name = $2, path = $3, origin = $4, tests = $5, created_at = $6,"
                     " package_sha256 = $7", &ps, NULL);
}

static int pg_problem_get(struct store *s, const char *id, struct problem_rec *out)
{
    SELF;
    struct params ps = {.n = 0};
    p_text(&ps, id);
    return query_row(q, "SELECT id, name, path, origin, tests, created_at, package_sha256 FROM problems"
                        " WHERE id = $1", &ps, read_problem, out);
}

static int pg_problem_list(struct store *s, struct problem_rec **out, size_t *n)
{
    SELF;
    void *v;
    *out = NULL;
    *n = 0;
    int rc = query_rows(q, "SELECT id, name, path, origin, tests, created_at, package_sha256"
                           " FROM problems ORDER BY id", NULL,
                        sizeof **out, read_problem, clear_problem, &v, n);
    if (!rc)
        *out = v;
    return rc;
}

static int pg_problem_remove(struct store *s, const char *id)
{
    SELF;
    return exec_token(q, "DELETE FROM problems WHERE id = $1", id);
}

#define BLOB_GRACE_S "3600"

static int pg_blob_put(struct store *s, const char *sha256, const void *data, size_t len)
{
    SELF;
    struct params ps = {.n = 0};
    struct bytes b = {.p = (char *)(len ? data : ""), .n = len};
    p_text(&ps, sha256);
    p_int(&ps, (long long)len);
    p_bytes(&ps, &b);
    int rc = exec_p(q, "DELETE FROM blobs WHERE put_at < " NOW_S " - " BLOB_GRACE_S " AND sha256 NOT IN"
                       " (SELECT package_sha256 FROM problems WHERE package_sha256 IS NOT NULL)", NULL, NULL);
    if (!rc)
        rc = exec_p(q, "INSERT INTO blobs (sha256, size, data, put_at) VALUES ($1, $2, $3, " NOW_S ")"
                       " ON CONFLICT (sha256) DO UPDATE SET put_at = " NOW_S, &ps, NULL);
    return rc;
}

static int pg_blob_get(struct store *s, const char *sha256, struct bytes *out)
{
    SELF;
    out->p = NULL;
    out->n = 0;
    struct params ps = {.n = 0};
    p_text(&ps, sha256);
    return query_row(q, "SELECT data FROM blobs WHERE sha256 = $1", &ps, read_blob, out);
}

/* ---- LISTEN ---------------------------------------------------------------------------- */

/* libpq would print notices (and a dropped connection's FATAL) on stderr;
 * a library does not print, and the failures are returned anyway. */
static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The operator's conninfo (URL or key=value), with TCP keepalives a
 * silently dead network path shows up with within about a minute (the
 * operator's own keepalive settings, given in the URL, win). */
static PGconn *connect_pg(const char *conninfo)
{
    const char *keys[] = {"keepalives_idle", "keepalives_interval", "keepalives_count",
                          "dbname", NULL};
    const char *vals[] = {"30", "10", "3", conninfo, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    return c;
}

static PGconn *listen_connect(struct pg_store *q)
{
    PGconn *c = connect_pg(q->conninfo);
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult *r = PQexec(c, "LISTEN nsjudge_work; LISTEN nsjudge_done");
        bool good = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (good)
            return c;
    }
    PQfinish(c);
    return NULL;
}

#define LISTEN_CHECK_MS 30000

/* Waits on the LISTEN socket and the stop pipe. A lost connection is
 * remade every second; after that both events fire, since news may have
 * been missed meanwhile. */
static void *listen_main(void *arg)
{
    struct pg_store *q = arg;
    PGconn *c = NULL;
    for (;;) {
        if (!c) {
            if ((c = listen_connect(q))) {
                q->on_event(q->ev_ctx, STORE_EV_WORK);
                q->on_event(q->ev_ctx, STORE_EV_DONE);
            }
        }
        struct pollfd fds[2] = {{.fd = q->stop_pipe[0], .events = POLLIN},
                                {.fd = c ? PQsocket(c) : -1, .events = POLLIN}};
        int pr = poll(fds, c ? 2 : 1, c ? LISTEN_CHECK_MS : 1000);
        if (pr < 0 && errno != EINTR)
            break;
        if (fds[0].revents)
            break;
        if (c && pr == 0) {
            /* quiet for a while: make sure the connection still lives */
            PGresult *r = PQexec(c, "SELECT 1");
            bool alive = PQresultStatus(r) == PGRES_TUPLES_OK;
            PQclear(r);
            if (!alive) {
                PQfinish(c);
                c = NULL;
                continue;
            }
            /* news that came with the answer is drained below */
        } else if (!c || !fds[1].revents) {
            continue;
        }
        if (!PQconsumeInput(c)) {
            PQfinish(c);
            c = NULL;
            continue;
        }
        int ev = 0;
        PGnotify *nt;
        while ((nt = PQnotifies(c))) {
            ev |= !strcmp(nt->relname, "nsjudge_work") ? STORE_EV_WORK : STORE_EV_DONE;
            PQfreemem(nt);
        }
        if (ev & STORE_EV_WORK)
            q->on_event(q->ev_ctx, STORE_EV_WORK);
        if (ev & STORE_EV_DONE)
            q->on_event(q->ev_ctx, STORE_EV_DONE);
    }
    PQfinish(c);
    return NULL;
}

static int pg_listen(struct store *s, void (*on_event)(void *ctx, int ev), void *ctx)
{
    SELF;
    if (q->listening)
        return -EALREADY;
    PGconn *probe = listen_connect(q);
    if (!probe)
        return -EIO;
    PQfinish(probe);
    if (pipe2(q->stop_pipe, O_CLOEXEC))
        return -errno;
    q->on_event = on_event;
    q->ev_ctx = ctx;
    int rc = pthread_create(&q->listen_th, NULL, listen_main, q);
    if (rc) {
        close(q->stop_pipe[0]);
        close(q->stop_pipe[1]);
        q->stop_pipe[0] = q->stop_pipe[1] = -1;
        return -rc;
    }
    q->listening = true;
    q->base.events = true;
    return 0;
}

static const struct store_ops pg_ops = {
    .close = pg_close,
    .insert = pg_insert,
    .insert_claimed = pg_insert_claimed,
    .insert_done = pg_insert_done,
    .get = pg_get,
    .list = pg_list,
    .remove = pg_remove,
    .count_status = pg_count_status,
    .claim = pg_claim,
    .renew = pg_renew,
    .renew_job = pg_renew_job,
    .progress = pg_progress,
    .finish = pg_finish,
    .requeue = pg_requeue,
    .owners = pg_owners,
    .pool_beat = pg_pool_beat,
    .pool_gone = pg_pool_gone,
    .pools = pg_pools,
    .callbacks_pending = pg_callbacks_pending,
    .callback_done = pg_callback_done,
    .stats = pg_stats,
    .problem_put = pg_problem_put,
    .problem_get = pg_problem_get,
    .problem_list = pg_problem_list,
    .problem_remove = pg_problem_remove,
    .listen = pg_listen,
    .blob_put = pg_blob_put,
    .blob_get = pg_blob_get,
    .callback_claim = pg_callback_claim,
    .callback_settle = pg_callback_settle,
};

/* Creates the tables of a new database or brings an older one to
 * SCHEMA_VERSION, under an advisory lock so that nodes starting together
 * do it once. A database from a newer nsjudge is refused. */
static int migrate(struct pg_store *q, char *err, size_t errlen)
{
    char lock[128];
    snprintf(lock, sizeof lock, "SET client_min_messages = warning; BEGIN;"
             " SELECT pg_advisory_xact_lock(%d)", SCHEMA_LOCK_KEY);
    PGresult *r = PQexec(q->conn, lock);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        goto fail;
    PQclear(r);
    char *schema = NULL;
    if (!sql_ready() ||
        asprintf(&schema, "%s%s%s", schema_head, sub_cols_sql(SUB_SQL_DDL, SUB_PG),
                 schema_tail) < 0) {
        snprintf(err, errlen, "creating the schema: out of memory");
        r = PQexec(q->conn, "ROLLBACK");
        PQclear(r);
        return -ENOMEM;
    }
    r = PQexec(q->conn, schema);
    free(schema);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        goto fail;
    PQclear(r);
    r = PQexec(q->conn, "SELECT coalesce(max(version), 0) FROM schema_version");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1)
        goto fail;
    int have = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (have > SCHEMA_VERSION) {
        snprintf(err, errlen, "the database has schema version %d, newer than this nsjudge's %d:"
                 " upgrade nsjudge", have, SCHEMA_VERSION);
        r = PQexec(q->conn, "ROLLBACK");
        PQclear(r);
        return -EPROTO;
    }
    /* version 0 -> 1: the tables of `schema` are all of it */
    /* 1 -> 2: uploaded packages in the store */
    if (have < 2) {
        r = PQexec(q->conn, "ALTER TABLE problems ADD COLUMN IF NOT EXISTS package_sha256 text;"
                            "CREATE TABLE IF NOT EXISTS blobs (sha256 text PRIMARY KEY,"
                            " size bigint NOT NULL, data bytea NOT NULL, put_at double precision NOT NULL);"
                            /* and callbacks claimed by one node at a time */
                            "ALTER TABLE submissions ADD COLUMN IF NOT EXISTS callback_tries integer NOT NULL DEFAULT 0,"
                            " ADD COLUMN IF NOT EXISTS callback_due double precision NOT NULL DEFAULT 0,"
                            " ADD COLUMN IF NOT EXISTS callback_owner text,"
                            " ADD COLUMN IF NOT EXISTS callback_lease double precision");
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            goto fail;
        PQclear(r);
    }
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM schema_version; INSERT INTO schema_version VALUES (%d);"
             " COMMIT", SCHEMA_VERSION);
    r = PQexec(q->conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        goto fail;
    PQclear(r);
    return 0;
fail:
    snprintf(err, errlen, "creating the schema: %s", PQerrorMessage(q->conn));
    PQclear(r);
    r = PQexec(q->conn, "ROLLBACK");
    PQclear(r);
    return -EIO;
}

int store_pg_open(const char *conninfo, struct store **out, char *err, size_t errlen)
{
    struct pg_store *q = calloc(1, sizeof *q);
    if (!q || !(q->conninfo = strdup(conninfo))) {
        free(q);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    q->base.ops = &pg_ops;
    q->base.max_attempts = 3;
    q->base.shared = true;
    q->base.kind = "postgresql";
    q->stop_pipe[0] = q->stop_pipe[1] = -1;
    pthread_mutex_init(&q->mu, NULL);
    q->conn = connect_pg(conninfo);
    if (PQstatus(q->conn) != CONNECTION_OK) {
        /* libpq's message names host and port, never the password */
        snprintf(err, errlen, "postgresql: %s", PQerrorMessage(q->conn));
        size_t l = strlen(err);
        while (l && (err[l - 1] == '\n' || err[l - 1] == ' '))
            err[--l] = 0;
        pg_close(&q->base);
        return -EIO;
    }
    int rc = migrate(q, err, errlen);
    if (rc) {
        pg_close(&q->base);
        return rc;
    }
    *out = &q->base;
    return 0;
}
