/*
 * store_sqlite.c - the embedded store: one SQLite file in WAL mode.
 *
 * One connection behind a mutex serves every thread of the process (the
 * statements are short; judging, not SQL, is the slow part). Other
 * processes (`nsjudge worker`) open the same file; claims are single
 * UPDATE ... RETURNING statements, so two claimers never get one job.
 * synchronous=NORMAL in WAL mode survives a killed process (only a power
 * cut may lose the last commits).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>
#include "server/service/store.h"
#include "server/service/submission_cols.h"

/* Prepared statements kept for reuse, by their SQL text: compiling a
 * statement cost more than running it (sqlite3Parser high in a profile of
 * trivial jobs). Every SQL text here is one of a fixed few. */
#define STMT_CACHE 64

struct sqlite_store {
    struct store base;
    sqlite3 *db;
    pthread_mutex_t mu;
    struct { const char *sql; sqlite3_stmt *st; } cache[STMT_CACHE];
    int n_cache;
    /* WAL checkpoints run here, on a connection of their own, instead of
     * inside a commit of the one shared connection: a checkpoint syncs
     * the files, and it held every other store call (and job) meanwhile. */
    sqlite3 *ckpt_db;
    pthread_t ckpt_th;
    bool ckpt_running, ckpt_stop, ckpt_due;
    int ckpt_frames;          /* the WAL's frames when the last one was asked for */
    pthread_mutex_t ckpt_mu;
    pthread_cond_t ckpt_cv;
};

/* A checkpoint is asked for after this many new WAL frames (pages), and
 * runs at least every CHECKPOINT_PERIOD_MS. Small ones often, rather than
 * one per period: each checkpoint syncs both files, and a big one, taking
 * the CPUs and the disk for that long, was what the slowest 1% of
 * wait=true requests waited for. Bash jobs at 8 connections, the same run:
 * p99 17.6-19.9 ms with one per 200 ms, 15.0-15.5 ms with one per 128
 * frames (about 25 ms of trivial jobs), 7.9-8.5 ms with none at all. */
#define CHECKPOINT_FRAMES 128
#define CHECKPOINT_PERIOD_MS 200
/* SQLite starts the WAL again from its first frame only at a commit that
 * finds every frame checkpointed, and a passive checkpoint never gets
 * there while a writer commits during it: under steady load the WAL grew
 * by ~18 MB/s without end (Plain Text jobs at 1200/s, 350 MB in 20 s),
 * and commits writing over old frames read them back from the disk once
 * the page cache had let them go. So past WAL_RESTART_FRAMES frames
 * (16 MiB of 4 KiB pages) the frames committed during the checkpoint are
 * checkpointed again with the shared connection held (a few ms, about
 * once a second at full load), and the next commit starts the WAL again.
 * journal_size_limit cuts a WAL grown past WAL_KEEP_BYTES back to it
 * (one left by an older version, or by one big transaction). */
#define WAL_RESTART_FRAMES 4096
#define WAL_KEEP_BYTES "33554432"

static void *checkpoint_main(void *arg)
{
    struct sqlite_store *q = arg;
    pthread_mutex_lock(&q->ckpt_mu);
    while (!q->ckpt_stop) {
        if (!q->ckpt_due) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += CHECKPOINT_PERIOD_MS * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&q->ckpt_cv, &q->ckpt_mu, &ts);
        }
        if (q->ckpt_stop)
            break;
        q->ckpt_due = false;
        pthread_mutex_unlock(&q->ckpt_mu);
        /* PASSIVE: copies what no reader still needs, never waits for one */
        int log = 0;
        sqlite3_wal_checkpoint_v2(q->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, NULL);
        if (log >= WAL_RESTART_FRAMES) {
            /* the frames committed meanwhile, with no commit in between:
             * a few milliseconds of the shared connection, once per
             * WAL_RESTART_FRAMES */
            pthread_mutex_lock(&q->mu);
            sqlite3_wal_checkpoint_v2(q->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
            pthread_mutex_unlock(&q->mu);
        }
        pthread_mutex_lock(&q->ckpt_mu);
    }
    pthread_mutex_unlock(&q->ckpt_mu);
    return NULL;
}

/* SQLite's hook after each commit of the shared connection (q->mu held),
 * with the frames now in the WAL: asks for a checkpoint every
 * CHECKPOINT_FRAMES new ones (the count starts again when the WAL does). */
static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
    (void)db;
    (void)name;
    struct sqlite_store *q = arg;
    pthread_mutex_lock(&q->ckpt_mu);
    if (frames < q->ckpt_frames)
        q->ckpt_frames = 0;
    if (frames - q->ckpt_frames >= CHECKPOINT_FRAMES) {
        q->ckpt_frames = frames;
        q->ckpt_due = true;
        pthread_cond_signal(&q->ckpt_cv);
    }
    pthread_mutex_unlock(&q->ckpt_mu);
    return SQLITE_OK;
}

/* Moves checkpoints to checkpoint_main; without it (no second connection,
 * an in-memory database) SQLite's own automatic checkpoints stay on. */
static void checkpoint_start(struct sqlite_store *q, const char *path)
{
    pthread_mutex_init(&q->ckpt_mu, NULL);
    pthread_cond_init(&q->ckpt_cv, NULL);
    /* the connection learns the file is in WAL mode on its first read
     * (until then a checkpoint there does nothing) */
    if (!strcmp(path, ":memory:") ||
        sqlite3_open_v2(path, &q->ckpt_db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_exec(q->ckpt_db, "PRAGMA journal_mode", NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_close(q->ckpt_db);
        q->ckpt_db = NULL;
        return;
    }
    if (pthread_create(&q->ckpt_th, NULL, checkpoint_main, q)) {
        sqlite3_close(q->ckpt_db);
        q->ckpt_db = NULL;
        return;
    }
    q->ckpt_running = true;
    /* replaces SQLite's automatic checkpoints (wal_autocheckpoint's hook) */
    sqlite3_wal_hook(q->db, on_wal_commit, q);
}

static void checkpoint_stop(struct sqlite_store *q)
{
    if (q->ckpt_running) {
        pthread_mutex_lock(&q->ckpt_mu);
        q->ckpt_stop = true;
        pthread_cond_signal(&q->ckpt_cv);
        pthread_mutex_unlock(&q->ckpt_mu);
        pthread_join(q->ckpt_th, NULL);
        q->ckpt_running = false;
    }
    sqlite3_close(q->ckpt_db);
    q->ckpt_db = NULL;
    pthread_mutex_destroy(&q->ckpt_mu);
    pthread_cond_destroy(&q->ckpt_cv);
}

/* Bumped with each change of the tables below; a migration from the
 * previous version goes next to them. */
#define SCHEMA_VERSION 2

/* The submissions table's columns come from submission_cols.c, between
 * these two parts. */
static const char schema_head[] =
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS submissions ("
    /* no AUTOINCREMENT: it writes sqlite_sequence on every insert (one
     * more WAL page per job); ids only order rows, and the one reuse it
     * prevents (the newest row deleted, its id given again) keeps that
     * order. A database made with it keeps it. */
    " id INTEGER PRIMARY KEY,";
static const char schema_tail[] =
    " owner TEXT, lease_until REAL,"
    " callback_pending INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS submissions_status ON submissions(status_id, id);"
    "CREATE INDEX IF NOT EXISTS submissions_callback ON submissions(callback_pending)"
    " WHERE callback_pending = 1;"
    "CREATE TABLE IF NOT EXISTS problems ("
    " id TEXT PRIMARY KEY, name TEXT, path TEXT NOT NULL, origin TEXT NOT NULL,"
    " tests INTEGER, created_at TEXT NOT NULL);"
    /* one row per process with workers (serve or worker), beaten by its
     * lease renewer, so any process can say how many workers exist */
    "CREATE TABLE IF NOT EXISTS worker_pools ("
    " owner TEXT PRIMARY KEY, total INTEGER NOT NULL, busy INTEGER NOT NULL,"
    " idle INTEGER NOT NULL, failed INTEGER NOT NULL, seen REAL NOT NULL);";

/* The statements that name the submission columns, built once from the
 * column table (the statement cache keys on their text) and kept. */
static struct {
    char *claim, *finish, *insert_claimed, *insert_done;
} sql;
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void sql_build(void)
{
    const char *cols = sub_cols_list(), *set = sub_cols_sql(SUB_SQL_FINISH_SET, SUB_SQLITE);
    if (!cols || !set)
        return;
    int n_res = sub_cols_count(SUB_IN_FINISH);
    if (asprintf(&sql.claim,
                 "UPDATE submissions SET status_id = 2, owner = ?1, lease_until = ?2,"
                 " attempts = attempts + 1 WHERE id = (SELECT id FROM submissions"
                 " WHERE status_id = 1 ORDER BY id LIMIT 1) RETURNING %s", cols) < 0)
        sql.claim = NULL;
    char vals[64];
    int n_in = sub_cols_count(SUB_IN_INSERT);
    snprintf(vals, sizeof vals, "?%d, ?%d, 1", n_in + 1, n_in + 2);
    sql.insert_claimed = sub_cols_build_insert(SUB_SQLITE, "owner, lease_until, attempts", vals);
    snprintf(vals, sizeof vals, "1, ?%d", n_in + 1);
    sql.insert_done = sub_cols_build_insert(SUB_SQLITE, "attempts, callback_pending", vals);
    if (asprintf(&sql.finish,
                 "UPDATE submissions SET %s, owner = NULL,"
                 " lease_until = NULL, callback_pending = (callback_url IS NOT NULL),"
                 " callback_tries = 0, callback_due = 0, callback_owner = NULL"
                 " WHERE token = ?1 AND owner = ?2 AND status_id = 2 AND attempts = ?%d",
                 set, 3 + n_res) < 0)
        sql.finish = NULL;
}

static bool sql_ready(void)
{
    pthread_once(&sql_once, sql_build);
    return sql.claim && sql.finish && sql.insert_claimed && sql.insert_done && sub_cols_built();
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int err_of(int rc)
{
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return -EBUSY;
    if (rc == SQLITE_NOMEM)
        return -ENOMEM;
    if (rc == SQLITE_FULL)
        return -ENOSPC;
    return -EIO;
}

/* ---- binding and reading helpers ----------------------------------------- */

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_dbl(sqlite3_stmt *st, int i, double v)
{
    if (v < 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_double(st, i, v);
}

static void bind_long(sqlite3_stmt *st, int i, long v)
{
    if (v < 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

static int col_bytes(sqlite3_stmt *st, int i, struct bytes *b)
{
    b->p = NULL;
    b->n = 0;
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return 0;
    const void *p = sqlite3_column_blob(st, i);
    size_t n = (size_t)sqlite3_column_bytes(st, i);
    b->p = malloc(n + 1);
    if (!b->p)
        return -ENOMEM;
    if (n)
        memcpy(b->p, p, n);
    b->p[n] = 0;
    b->n = n;
    return 0;
}

static int col_text(sqlite3_stmt *st, int i, char **out)
{
    *out = NULL;
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return 0;
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t)
        return -ENOMEM;
    return (*out = strdup((const char *)t)) ? 0 : -ENOMEM;
}

static void col_fixed(sqlite3_stmt *st, int i, char *out, size_t len)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(out, len, "%s", t ? (const char *)t : "");
}

/* The primitives submission_cols.c binds and reads the columns with. */
struct sq_params {
    sqlite3_stmt *st;
    int next;   /* the next parameter's number */
};

static void sp_null(void *ctx)
{
    struct sq_params *p = ctx;
    sqlite3_bind_null(p->st, p->next++);
}

static void sp_text(void *ctx, const char *s)
{
    struct sq_params *p = ctx;
    sqlite3_bind_text(p->st, p->next++, s, -1, SQLITE_STATIC);
}

static void sp_bytes(void *ctx, const struct bytes *b)
{
    struct sq_params *p = ctx;
    sqlite3_bind_blob64(p->st, p->next++, b->p, b->n, SQLITE_STATIC);
}

static void sp_integer(void *ctx, long long v)
{
    struct sq_params *p = ctx;
    sqlite3_bind_int64(p->st, p->next++, v);
}

static void sp_real(void *ctx, double v)
{
    struct sq_params *p = ctx;
    sqlite3_bind_double(p->st, p->next++, v);
}

static const struct sub_binder sq_binder = {
    .null = sp_null, .text = sp_text, .bytes = sp_bytes, .integer = sp_integer, .real = sp_real,
};

/* Binds the columns written as `written` says, numbered from first. */
static void bind_cols(sqlite3_stmt *st, int first, unsigned written, const struct submission *sub)
{
    struct sq_params p = {st, first};
    sub_cols_bind(&sq_binder, &p, written, sub);
}

static bool sr_is_null(void *ctx, int i)
{
    return sqlite3_column_type(ctx, i) == SQLITE_NULL;
}

static const char *sr_text(void *ctx, int i)
{
    return (const char *)sqlite3_column_text(ctx, i);
}

static int sr_bytes(void *ctx, int i, struct bytes *b)
{
    return col_bytes(ctx, i, b);
}

static long long sr_integer(void *ctx, int i)
{
    return sqlite3_column_int64(ctx, i);
}

static double sr_real(void *ctx, int i)
{
    return sqlite3_column_double(ctx, i);
}

static const struct sub_reader sq_reader = {
    .is_null = sr_is_null, .text = sr_text, .bytes = sr_bytes, .integer = sr_integer,
    .real = sr_real,
};

/* Reads a row of sub_cols_list() columns into the struct submission item. */
static int read_row(sqlite3_stmt *st, void *item)
{
    return sub_cols_read(&sq_reader, st, item);
}

#define SELF struct sqlite_store *q = (struct sqlite_store *)s

static sqlite3_stmt *cached(struct sqlite_store *q, const char *sql)
{
    for (int i = 0; i < q->n_cache; i++)  /* the same literal: the same pointer */
        if (q->cache[i].sql == sql && !strcmp(q->cache[i].sql, sql))
            return q->cache[i].st;
    for (int i = 0; i < q->n_cache; i++)  /* SQL built in a buffer */
        if (!strcmp(q->cache[i].sql, sql))
            return q->cache[i].st;
    return NULL;
}

/* A statement for sql, with no bindings; give it back with stmt_done().
 * Called with q->mu held (the cache is the connection's). */
static int prep(struct sqlite_store *q, const char *sql, sqlite3_stmt **st)
{
    sqlite3_stmt *c = cached(q, sql);
    if (c && !sqlite3_stmt_busy(c)) {
        *st = c;
        return 0;
    }
    bool keep = !c && q->n_cache < STMT_CACHE;
    int rc = sqlite3_prepare_v3(q->db, sql, -1, keep ? SQLITE_PREPARE_PERSISTENT : 0, st, NULL);
    if (rc != SQLITE_OK)
        return err_of(rc);
    if (keep) {
        q->cache[q->n_cache].sql = sqlite3_sql(*st); /* the statement's own copy */
        q->cache[q->n_cache++].st = *st;
    }
    return 0;
}

/* Ends a statement from prep(): a cached one is reset for its next use
 * (which also ends its read of the database), any other finalized. */
static void stmt_done(struct sqlite_store *q, sqlite3_stmt *st)
{
    for (int i = 0; i < q->n_cache; i++)
        if (q->cache[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return;
        }
    sqlite3_finalize(st);
}

/* Runs a statement that returns no rows (or ignores them). */
static int step_done(struct sqlite_store *q, sqlite3_stmt *st)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    stmt_done(q, st);
    return rc == SQLITE_DONE ? 0 : err_of(rc);
}

/* Steps st to its one row and reads it into item with read_one (0 or
 * -ENOMEM): -ENOENT when there is none. Ends st. */
static int step_row(struct sqlite_store *q, sqlite3_stmt *st,
                    int (*read_one)(sqlite3_stmt *st, void *item), void *item)
{
    int rc = sqlite3_step(st);
    rc = rc == SQLITE_ROW ? read_one(st, item) : rc == SQLITE_DONE ? -ENOENT : err_of(rc);
    stmt_done(q, st);
    return rc;
}

/* Steps st through its rows, max at the most, reading each with read_one
 * into the next elem-sized item of a growing array (read_one returns 0, 1
 * to skip the row, or -ENOMEM). Ends st. *out gets the array (allocated
 * also when empty), *n its length; on an error the items read are
 * cleared with clear_one and freed. */
static int collect_rows(struct sqlite_store *q, sqlite3_stmt *st, size_t max, size_t elem,
                        int (*read_one)(sqlite3_stmt *st, void *item),
                        void (*clear_one)(void *item), void **out, size_t *n)
{
    size_t cap = 16, k = 0;
    char *v = malloc(cap * elem);
    int rc = v ? SQLITE_DONE : SQLITE_NOMEM;
    while (v && k < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == cap) {
            char *nv = realloc(v, 2 * cap * elem);
            if (!nv) {
                rc = SQLITE_NOMEM;
                break;
            }
            v = nv;
            cap *= 2;
        }
        int r = read_one(st, v + k * elem);
        if (r < 0) {
            rc = SQLITE_NOMEM;
            break;
        }
        k += r == 0;
    }
    stmt_done(q, st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {   /* ROW: stopped at max */
        for (size_t i = 0; i < k; i++)
            clear_one(v + i * elem);
        free(v);
        return err_of(rc);
    }
    *out = v;
    *n = k;
    return 0;
}

/* Row readers (for step_row and collect_rows) and the clearers of their items. */
static void clear_sub(void *item)
{
    submission_clear(item);
}

/* a string of column 0 (a null is skipped) */
static int read_str(sqlite3_stmt *st, void *item)
{
    if (sqlite3_column_type(st, 0) == SQLITE_NULL)
        return 1;
    return col_text(st, 0, item);
}

static void clear_str(void *item)
{
    free(*(char **)item);
}

static int read_pool(sqlite3_stmt *st, void *item)
{
    struct store_pool *p = item;
    if (col_text(st, 0, &p->owner) || !p->owner)
        return -ENOMEM;
    p->total = sqlite3_column_int64(st, 1);
    p->busy = sqlite3_column_int64(st, 2);
    p->idle = sqlite3_column_int64(st, 3);
    p->failed = sqlite3_column_int64(st, 4);
    p->age_s = sqlite3_column_double(st, 5);
    return 0;
}

static void clear_pool(void *item)
{
    free(((struct store_pool *)item)->owner);
}

static int read_problem(sqlite3_stmt *st, void *item)
{
    struct problem_rec *p = item;
    memset(p, 0, sizeof *p);
    col_fixed(st, 0, p->id, sizeof p->id);
    int rc = col_text(st, 1, &p->name) | col_text(st, 2, &p->path) | col_text(st, 3, &p->origin);
    p->tests = sqlite3_column_int64(st, 4);
    col_fixed(st, 5, p->created_at, sizeof p->created_at);
    col_fixed(st, 6, p->package_sha256, sizeof p->package_sha256);
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

static int read_blob(sqlite3_stmt *st, void *item)
{
    return col_bytes(st, 0, item);
}

/* ---- operations ------------------------------------------------------------ */

static void sq_close(struct store *s)
{
    SELF;
    checkpoint_stop(q);
    for (int i = 0; i < q->n_cache; i++)
        sqlite3_finalize(q->cache[i].st);
    sqlite3_close(q->db);
    pthread_mutex_destroy(&q->mu);
    free(q);
}

/* Inserts sub with sql: the insert's columns, then what `as` adds: the
 * claim (owner and its lease: status 2, attempt 1), or, for a finished
 * row, whether its callback is pending. */
static int insert_row(struct sqlite_store *q, const char *sql, struct submission *sub,
                      enum store_row as, const char *owner, double lease_s, char *err,
                      size_t errlen)
{
    sqlite3_stmt *st;
    if (!sub->created_at[0])
        store_now_iso(sub->created_at);
    if (as == ROW_CLAIMED) {
        sub->status_id = 2;
        sub->attempts = 1;
    }
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, sql, &st);
    if (!rc) {
        bind_cols(st, 1, SUB_IN_INSERT, sub);
        int n_in = sub_cols_count(SUB_IN_INSERT);
        if (as == ROW_CLAIMED) {
            bind_text(st, n_in + 1, owner);
            sqlite3_bind_double(st, n_in + 2, now_s() + lease_s);
        } else if (as == ROW_DONE) {
            sqlite3_bind_int(st, n_in + 1, sub->callback_url != NULL);
        }
        rc = step_done(q, st);
    }
    if (rc)
        snprintf(err, errlen, "%s", sqlite3_errmsg(q->db));
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_insert(struct store *s, struct submission *sub, char *err, size_t errlen)
{
    SELF;
    return insert_row(q, sub_cols_sql(SUB_SQL_INSERT, SUB_SQLITE), sub, ROW_QUEUED, NULL, 0, err,
                      errlen);
}

static int sq_insert_claimed(struct store *s, struct submission *sub, const char *owner,
                             double lease_s, char *err, size_t errlen)
{
    SELF;
    return insert_row(q, sql.insert_claimed, sub, ROW_CLAIMED, owner, lease_s, err, errlen);
}

static int sq_insert_done(struct store *s, struct submission *sub, char *err, size_t errlen)
{
    SELF;
    sub->attempts = 1;
    return insert_row(q, sql.insert_done, sub, ROW_DONE, NULL, 0, err, errlen);
}

static int get_locked(struct sqlite_store *q, const char *token, struct submission *out)
{
    sqlite3_stmt *st;
    int rc = prep(q, sub_cols_sql(SUB_SQL_GET, SUB_SQLITE), &st);
    if (rc)
        return rc;
    bind_text(st, 1, token);
    return step_row(q, st, read_row, out);
}

static int sq_get(struct store *s, const char *token, struct submission *out)
{
    SELF;
    pthread_mutex_lock(&q->mu);
    int rc = get_locked(q, token, out);
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_list(struct store *s, long offset, long limit, struct submission **out,
                   size_t *n, long *total)
{
    SELF;
    sqlite3_stmt *st;
    void *v;
    *out = NULL;
    *n = 0;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, "SELECT count(*) FROM submissions", &st);
    if (!rc) {
        *total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        stmt_done(q, st);
        rc = prep(q, sub_cols_sql(SUB_SQL_LIST, SUB_SQLITE), &st);
    }
    if (!rc) {
        sqlite3_bind_int64(st, 1, limit);
        sqlite3_bind_int64(st, 2, offset);
        rc = collect_rows(q, st, limit > 0 ? (size_t)limit : 0, sizeof **out, read_row, clear_sub,
                          &v, n);
        if (!rc)
            *out = v;
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int exec_token(struct sqlite_store *q, const char *sql, const char *token)
{
    sqlite3_stmt *st;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, sql, &st);
    if (!rc) {
        bind_text(st, 1, token);
        rc = step_done(q, st);
        if (!rc && sqlite3_changes(q->db) == 0)
            rc = -ENOENT;
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_remove(struct store *s, const char *token)
{
    SELF;
    return exec_token(q, "DELETE FROM submissions WHERE token = ?1", token);
}

static int sq_count_status(struct store *s, int status_id, long *n)
{
    SELF;
    sqlite3_stmt *st;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, "SELECT count(*) FROM submissions WHERE status_id = ?1", &st);
    if (!rc) {
        sqlite3_bind_int(st, 1, status_id);
        rc = sqlite3_step(st);
        *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        rc = rc == SQLITE_ROW ? 0 : err_of(rc);
        stmt_done(q, st);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_claim(struct store *s, const char *owner, double lease_s, struct submission *out)
{
    SELF;
    sqlite3_stmt *st;
    pthread_mutex_lock(&q->mu);
    /* the claimed row comes back whole: no second statement per job */
    int rc = prep(q, sql.claim, &st);
    if (rc)
        goto out;
    bind_text(st, 1, owner);
    sqlite3_bind_double(st, 2, now_s() + lease_s);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        rc = read_row(st, out);
        /* the UPDATE is done when the statement runs to its end */
        int end = sqlite3_step(st);
        if (!rc && end != SQLITE_DONE) {
            submission_clear(out);
            rc = err_of(end);
        }
    } else {
        rc = rc == SQLITE_DONE ? -ENOENT : err_of(rc);
    }
    stmt_done(q, st);
out:
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_renew(struct store *s, const char *owner, double lease_s)
{
    SELF;
    sqlite3_stmt *st;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, "UPDATE submissions SET lease_until = ?2 WHERE status_id = 2 AND owner = ?1", &st);
    if (!rc) {
        bind_text(st, 1, owner);
        sqlite3_bind_double(st, 2, now_s() + lease_s);
        rc = step_done(q, st);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_renew_job(struct store *s, const char *token, const char *owner, double lease_s)
{
    SELF;
    sqlite3_stmt *st;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, "UPDATE submissions SET lease_until = ?3 WHERE token = ?1 AND owner = ?2"
                     " AND status_id = 2", &st);
    if (!rc) {
        bind_text(st, 1, token);
        bind_text(st, 2, owner);
        sqlite3_bind_double(st, 3, now_s() + lease_s);
        rc = step_done(q, st);
        if (!rc && sqlite3_changes(q->db) == 0)
            rc = -ESTALE;
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_progress(struct store *s, const char *token, const char *owner,
                       const char *tests_json, long tests_total, double score, double max_score)
{
    SELF;
    sqlite3_stmt *st;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, "UPDATE submissions SET tests = ?3, tests_total = ?4, score = ?5, max_score = ?6"
                     " WHERE token = ?1 AND owner = ?2 AND status_id = 2", &st);
    if (!rc) {
        bind_text(st, 1, token);
        bind_text(st, 2, owner);
        bind_text(st, 3, tests_json);
        bind_long(st, 4, tests_total);
        bind_dbl(st, 5, score);
        bind_dbl(st, 6, max_score);
        rc = step_done(q, st);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_finish(struct store *s, const struct submission *sub, const char *owner)
{
    SELF;
    sqlite3_stmt *st;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, sql.finish, &st);
    if (!rc) {
        bind_text(st, 1, sub->token);
        bind_text(st, 2, owner);
        bind_cols(st, 3, SUB_IN_FINISH, sub);
        sqlite3_bind_int(st, 3 + sub_cols_count(SUB_IN_FINISH), sub->attempts);
        rc = step_done(q, st);
        if (!rc && sqlite3_changes(q->db) == 0)
            rc = -ESTALE;
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

/* The jobs requeue() takes: ?1 the owner, or (no owner) ?2 the time now. */
#define REQUEUE_WHO(owner) (owner ? " status_id = 2 AND owner = ?1" \
                                  : " status_id = 2 AND (lease_until IS NULL OR lease_until < ?2)")

static int requeue_step(struct sqlite_store *q, const char *sql, const char *owner, long *n)
{
    sqlite3_stmt *st;
    int rc = prep(q, sql, &st);
    if (rc)
        return rc;
    if (owner)
        bind_text(st, 1, owner);
    else
        sqlite3_bind_double(st, 2, now_s());
    sqlite3_bind_int(st, 3, q->base.max_attempts);
    rc = step_done(q, st);
    if (!rc)
        *n += sqlite3_changes(q->db);
    return rc;
}

static int sq_requeue(struct store *s, const char *owner, long *n)
{
    SELF;
    char give_up[1024], back[512];
    snprintf(give_up, sizeof give_up,
             "UPDATE submissions SET status_id = %d, verdict = 'JE',"
             " message = 'gave up after ' || attempts || '" STORE_GAVE_UP_TAIL "',"
             " finished_at = strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now'), owner = NULL,"
             " lease_until = NULL, callback_pending = (callback_url IS NOT NULL)"
             " WHERE%s AND attempts >= ?3",
             STORE_STATUS_INTERNAL_ERROR, REQUEUE_WHO(owner));
    snprintf(back, sizeof back,
             "UPDATE submissions SET status_id = 1, owner = NULL, lease_until = NULL,"
             " tests = NULL, tests_total = NULL, score = NULL, max_score = NULL"
             " WHERE%s AND attempts < ?3", REQUEUE_WHO(owner));
    *n = 0;
    pthread_mutex_lock(&q->mu);
    /* one transaction, so another process sees each job either leased or
     * settled, never half */
    int rc = sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        pthread_mutex_unlock(&q->mu);
        return err_of(rc);
    }
    rc = requeue_step(q, give_up, owner, n);
    if (!rc)
        rc = requeue_step(q, back, owner, n);
    if (rc || (rc = sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
        rc = rc < 0 ? rc : err_of(rc);
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
        *n = 0;
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int str_column(struct sqlite_store *q, const char *sql, char ***out, size_t *n)
{
    sqlite3_stmt *st;
    void *v;
    *out = NULL;
    *n = 0;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, sql, &st);
    if (!rc && !(rc = collect_rows(q, st, SIZE_MAX, sizeof **out, read_str, clear_str, &v, n)))
        *out = v;
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_owners(struct store *s, char ***owners, size_t *n)
{
    SELF;
    return str_column(q, "SELECT DISTINCT owner FROM submissions WHERE status_id = 2"
                         " AND owner IS NOT NULL", owners, n);
}

static int sq_pool_beat(struct store *s, const struct store_pool *p)
{
    SELF;
    sqlite3_stmt *st;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, "INSERT INTO worker_pools(owner, total, busy, idle, failed, seen)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(owner) DO UPDATE SET"
                     " total = ?2, busy = ?3, idle = ?4, failed = ?5, seen = ?6", &st);
    if (!rc) {
        bind_text(st, 1, p->owner);
        sqlite3_bind_int64(st, 2, p->total);
        sqlite3_bind_int64(st, 3, p->busy);
        sqlite3_bind_int64(st, 4, p->idle);
        sqlite3_bind_int64(st, 5, p->failed);
        sqlite3_bind_double(st, 6, now_s());
        rc = step_done(q, st);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_pool_gone(struct store *s, const char *owner)
{
    SELF;
    int rc = exec_token(q, "DELETE FROM worker_pools WHERE owner = ?1", owner);
    return rc == -ENOENT ? 0 : rc;
}

static int sq_pools(struct store *s, double max_age_s, struct store_pool **out, size_t *n)
{
    SELF;
    sqlite3_stmt *st;
    void *v;
    *out = NULL;
    *n = 0;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, "SELECT owner, total, busy, idle, failed, ?2 - seen FROM worker_pools"
                     " WHERE seen >= ?1 ORDER BY owner", &st);
    if (!rc) {
        double now = now_s();
        sqlite3_bind_double(st, 1, now - max_age_s);
        sqlite3_bind_double(st, 2, now);
        if (!(rc = collect_rows(q, st, SIZE_MAX, sizeof **out, read_pool, clear_pool, &v, n)))
            *out = v;
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_callbacks_pending(struct store *s, char ***tokens, size_t *n)
{
    SELF;
    return str_column(q, "SELECT token FROM submissions WHERE callback_pending = 1"
                         " ORDER BY id", tokens, n);
}

static int sq_callback_done(struct store *s, const char *token)
{
    SELF;
    int rc = exec_token(q, "UPDATE submissions SET callback_pending = 0 WHERE token = ?1", token);
    return rc == -ENOENT ? 0 : rc;
}

/* what callback_claim returns */
struct callback_claimed {
    char *token;
    int *tries;
};

static int read_callback_claimed(sqlite3_stmt *st, void *item)
{
    struct callback_claimed *c = item;
    col_fixed(st, 0, c->token, 40);
    *c->tries = sqlite3_column_int(st, 1);
    return 0;
}

static int sq_callback_claim(struct store *s, const char *owner, double lease_s, char token[40],
                             int *tries)
{
    SELF;
    sqlite3_stmt *st;
    token[0] = 0;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, "UPDATE submissions SET callback_owner = ?1, callback_lease = ?2"
                     " WHERE id = (SELECT id FROM submissions WHERE callback_pending = 1"
                     " AND callback_due <= ?3 AND (callback_owner IS NULL OR callback_lease < ?3)"
                     " ORDER BY id LIMIT 1) RETURNING token, callback_tries", &st);
    if (!rc) {
        double now = now_s();
        bind_text(st, 1, owner);
        sqlite3_bind_double(st, 2, now + lease_s);
        sqlite3_bind_double(st, 3, now);
        struct callback_claimed c = {token, tries};
        rc = step_row(q, st, read_callback_claimed, &c);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_callback_settle(struct store *s, const char *token, const char *owner,
                              double retry_in_s)
{
    SELF;
    sqlite3_stmt *st;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, retry_in_s < 0
                         ? "UPDATE submissions SET callback_pending = 0, callback_owner = NULL,"
                           " callback_tries = callback_tries + 1 WHERE token = ?1 AND callback_owner = ?2"
                         : "UPDATE submissions SET callback_owner = NULL, callback_due = ?3,"
                           " callback_tries = callback_tries + 1 WHERE token = ?1 AND callback_owner = ?2",
                  &st);
    if (!rc) {
        bind_text(st, 1, token);
        bind_text(st, 2, owner);
        if (retry_in_s >= 0)
            sqlite3_bind_double(st, 3, now_s() + retry_in_s);
        rc = step_done(q, st);
        if (!rc && sqlite3_changes(q->db) == 0)
            rc = -ESTALE; /* our lease ran out and another node took it */
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_stats(struct store *s, struct store_stats *stt)
{
    SELF;
    sqlite3_stmt *st;
    memset(stt, 0, sizeof *stt);
    char today[32], month[32];
    store_stats_since(today, month);
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, "SELECT count(*), sum(created_at >= ?1), sum(created_at >= ?2) FROM submissions", &st);
    if (rc)
        goto out;
    bind_text(st, 1, today);
    bind_text(st, 2, month);
    if (sqlite3_step(st) == SQLITE_ROW) {
        stt->total = sqlite3_column_int64(st, 0);
        stt->today = sqlite3_column_int64(st, 1);
        stt->last_30_days = sqlite3_column_int64(st, 2);
    }
    stmt_done(q, st);
    if ((rc = prep(q, "SELECT status_id, count(*) FROM submissions GROUP BY status_id", &st)))
        goto out;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int id = sqlite3_column_int(st, 0);
        if (id >= 0 && id < 16)
            stt->by_status[id] = sqlite3_column_int64(st, 1);
    }
    stmt_done(q, st);
    if ((rc = prep(q, "SELECT language_id, count(*) FROM submissions GROUP BY language_id"
                      " ORDER BY count(*) DESC LIMIT 256", &st)))
        goto out;
    stt->by_lang = calloc(256, sizeof *stt->by_lang);
    if (!stt->by_lang) {
        stmt_done(q, st);
        rc = -ENOMEM;
        goto out;
    }
    while (sqlite3_step(st) == SQLITE_ROW && stt->n_lang < 256) {
        stt->by_lang[stt->n_lang].id = sqlite3_column_int(st, 0);
        stt->by_lang[stt->n_lang].count = sqlite3_column_int64(st, 1);
        stt->n_lang++;
    }
    stmt_done(q, st);
    if ((rc = prep(q, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()", &st)))
        goto out;
    if (sqlite3_step(st) == SQLITE_ROW)
        stt->db_bytes = sqlite3_column_int64(st, 0);
    stmt_done(q, st);
out:
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_problem_put(struct store *s, const struct problem_rec *p)
{
    SELF;
    sqlite3_stmt *st;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, "INSERT OR REPLACE INTO problems (id, name, path, origin, tests, created_at,"
                     " package_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &st);
    if (!rc) {
        bind_text(st, 1, p->id);
        bind_text(st, 2, p->name);
        bind_text(st, 3, p->path);
        bind_text(st, 4, p->origin);
        sqlite3_bind_int64(st, 5, p->tests);
        bind_text(st, 6, p->created_at);
        bind_text(st, 7, p->package_sha256[0] ? p->package_sha256 : NULL);
        rc = step_done(q, st);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_problem_get(struct store *s, const char *id, struct problem_rec *out)
{
    SELF;
    sqlite3_stmt *st;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, "SELECT id, name, path, origin, tests, created_at, package_sha256 FROM problems"
                     " WHERE id = ?1", &st);
    if (!rc) {
        bind_text(st, 1, id);
        rc = step_row(q, st, read_problem, out);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_problem_list(struct store *s, struct problem_rec **out, size_t *n)
{
    SELF;
    sqlite3_stmt *st;
    void *v;
    *out = NULL;
    *n = 0;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, "SELECT id, name, path, origin, tests, created_at, package_sha256 FROM problems"
                     " ORDER BY id", &st);
    if (!rc && !(rc = collect_rows(q, st, SIZE_MAX, sizeof **out, read_problem, clear_problem,
                                   &v, n)))
        *out = v;
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_problem_remove(struct store *s, const char *id)
{
    SELF;
    return exec_token(q, "DELETE FROM problems WHERE id = ?1", id);
}

/* Unnamed blobs older than this go (a fresh one is about to be named). */
#define BLOB_GRACE_S 3600.0

static int sq_blob_put(struct store *s, const char *sha256, const void *data, size_t len)
{
    SELF;
    sqlite3_stmt *st;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, "DELETE FROM blobs WHERE put_at < ?1 AND sha256 NOT IN"
                     " (SELECT package_sha256 FROM problems WHERE package_sha256 IS NOT NULL)", &st);
    if (!rc) {
        sqlite3_bind_double(st, 1, now_s() - BLOB_GRACE_S);
        rc = step_done(q, st);
    }
    if (!rc && !(rc = prep(q, "INSERT INTO blobs (sha256, size, data, put_at) VALUES (?1, ?2, ?3, ?4)"
                              " ON CONFLICT(sha256) DO UPDATE SET put_at = ?4", &st))) {
        bind_text(st, 1, sha256);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)len);
        sqlite3_bind_blob64(st, 3, len ? data : "", len, SQLITE_STATIC);
        sqlite3_bind_double(st, 4, now_s());
        rc = step_done(q, st);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_blob_get(struct store *s, const char *sha256, struct bytes *out)
{
    SELF;
    sqlite3_stmt *st;
    out->p = NULL;
    out->n = 0;
    pthread_mutex_lock(&q->mu);
    int rc = prep(q, "SELECT data FROM blobs WHERE sha256 = ?1", &st);
    if (!rc) {
        bind_text(st, 1, sha256);
        rc = step_row(q, st, read_blob, out);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int sq_listen(struct store *s, void (*on_event)(void *ctx, int ev), void *ctx)
{
    return -ENOTSUP; /* one host: its processes poll the file */
}

static const struct store_ops sqlite_ops = {
    .listen = sq_listen,
    .blob_put = sq_blob_put,
    .blob_get = sq_blob_get,
    .callback_claim = sq_callback_claim,
    .callback_settle = sq_callback_settle,
    .close = sq_close,
    .insert = sq_insert,
    .insert_claimed = sq_insert_claimed,
    .insert_done = sq_insert_done,
    .get = sq_get,
    .list = sq_list,
    .remove = sq_remove,
    .count_status = sq_count_status,
    .claim = sq_claim,
    .renew = sq_renew,
    .renew_job = sq_renew_job,
    .progress = sq_progress,
    .finish = sq_finish,
    .requeue = sq_requeue,
    .owners = sq_owners,
    .pool_beat = sq_pool_beat,
    .pool_gone = sq_pool_gone,
    .pools = sq_pools,
    .callbacks_pending = sq_callbacks_pending,
    .callback_done = sq_callback_done,
    .stats = sq_stats,
    .problem_put = sq_problem_put,
    .problem_get = sq_problem_get,
    .problem_list = sq_problem_list,
    .problem_remove = sq_problem_remove,
};

/* Brings the tables from the recorded version to SCHEMA_VERSION (inside
 * the opening transaction). A file from a newer nsjudge is refused rather
 * than half understood. Returns SQLITE_OK, an SQLite code, or -1 with err. */
static int migrate(struct sqlite_store *q, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(q->db, "SELECT max(version) FROM schema_version", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    int have = 0;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        have = sqlite3_column_int(st, 0); /* NULL (a new or pre-version file) reads 0 */
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return rc;
    if (have > SCHEMA_VERSION) {
        snprintf(err, errlen, "the database has schema version %d, newer than this nsjudge's %d:"
                 " upgrade nsjudge", have, SCHEMA_VERSION);
        return -1;
    }
    /* version 0 -> 1: the tables above (CREATE IF NOT EXISTS) are all of it */
    /* 1 -> 2: uploaded packages in the store */
    if (have < 2 &&
        (rc = sqlite3_exec(q->db, "ALTER TABLE problems ADD COLUMN package_sha256 TEXT;"
                                  "CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY,"
                                  " size INTEGER NOT NULL, data BLOB NOT NULL, put_at REAL NOT NULL);"
                                  /* and callbacks claimed by one node at a time */
                                  "ALTER TABLE submissions ADD COLUMN callback_tries INTEGER NOT NULL DEFAULT 0;"
                                  "ALTER TABLE submissions ADD COLUMN callback_due REAL NOT NULL DEFAULT 0;"
                                  "ALTER TABLE submissions ADD COLUMN callback_owner TEXT;"
                                  "ALTER TABLE submissions ADD COLUMN callback_lease REAL",
                           NULL, NULL, NULL)) != SQLITE_OK)
        return rc;
    if (have < SCHEMA_VERSION) {
        char sql[128];
        snprintf(sql, sizeof sql, "DELETE FROM schema_version; INSERT INTO schema_version VALUES (%d)",
                 SCHEMA_VERSION);
        return sqlite3_exec(q->db, sql, NULL, NULL, NULL);
    }
    return SQLITE_OK;
}

/* "PATH" or "PATH?synchronous=normal|full": normal (the default) loses
 * nothing to a killed process, only the commits since the last checkpoint
 * to a power loss; full syncs the WAL at every commit. */
static int parse_path(const char *spec, char *path, size_t plen, bool *full, char *err, size_t errlen)
{
    const char *qm = strchr(spec, '?');
    size_t n = qm ? (size_t)(qm - spec) : strlen(spec);
    *full = false;
    if (n >= plen || !n) {
        snprintf(err, errlen, "store: sqlite: %s", n ? "the path is too long" : "wants a file path");
        return -EINVAL;
    }
    memcpy(path, spec, n);
    path[n] = 0;
    if (!qm)
        return 0;
    if (!strcmp(qm + 1, "synchronous=full"))
        *full = true;
    else if (strcmp(qm + 1, "synchronous=normal")) {
        snprintf(err, errlen, "store: sqlite: unknown option '%.100s' (the one option is"
                 " ?synchronous=normal or ?synchronous=full)", qm + 1);
        return -EINVAL;
    }
    return 0;
}

int store_sqlite_open(const char *spec, struct store **out, char *err, size_t errlen)
{
    char path[4096];
    bool full;
    int prc = parse_path(spec, path, sizeof path, &full, err, errlen);
    if (prc)
        return prc;
    struct sqlite_store *q = calloc(1, sizeof *q);
    if (!q) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    q->base.ops = &sqlite_ops;
    q->base.max_attempts = 3;
    q->base.kind = "sqlite";
    pthread_mutex_init(&q->mu, NULL);
    int rc = sqlite3_open_v2(path, &q->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, q->db ? sqlite3_errmsg(q->db) : "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(q->db, 10000);
    char *emsg = NULL;
    rc = sqlite3_exec(q->db, full ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                    " PRAGMA foreign_keys=ON;"
                                  : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                                    " PRAGMA foreign_keys=ON;",
                      NULL, NULL, &emsg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(q->db, "PRAGMA journal_size_limit=" WAL_KEEP_BYTES, NULL, NULL, &emsg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, &emsg);
    char *schema = NULL;
    if (rc == SQLITE_OK &&
        (!sql_ready() || asprintf(&schema, "%s%s%s", schema_head,
                                  sub_cols_sql(SUB_SQL_DDL, SUB_SQLITE), schema_tail) < 0)) {
        schema = NULL;
        rc = SQLITE_NOMEM;
    }
    if (rc == SQLITE_OK && (rc = sqlite3_exec(q->db, schema, NULL, NULL, &emsg)) == SQLITE_OK)
        rc = migrate(q, err, errlen);
    free(schema);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(q->db, "COMMIT", NULL, NULL, &emsg);
    if (rc != SQLITE_OK) {
        if (rc != -1)
            snprintf(err, errlen, "%s: %s", path, emsg ? emsg : sqlite3_errstr(rc));
        sqlite3_free(emsg);
        sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
        goto fail;
    }
    checkpoint_start(q, path);
    *out = &q->base;
    return 0;
fail:
    sqlite3_close(q->db);
    pthread_mutex_destroy(&q->mu);
    free(q);
    return -EIO;
}
