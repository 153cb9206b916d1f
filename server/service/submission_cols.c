/*
 * submission_cols.c - the table of the submissions table's columns, and
 * the SQL both stores build from it (once, then kept).
 */
#include "server/service/submission_cols.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define M(member) offsetof(struct submission, member), sizeof(((struct submission *)0)->member)
#define IN SUB_IN_INSERT
#define RES SUB_IN_FINISH

/* The schema, the SELECT/RETURNING list (read by position) and the insert
 * placeholders follow this order; statements name their columns, so the
 * order in an existing database (where ALTER TABLE appends) does not matter.
 * finished_at "" binds as null in insert and finish alike (both read ""). */
const struct sub_col sub_cols[] = {
    {"token", SUB_FIXED, M(token), IN, false, "NOT NULL UNIQUE"},
    {"language_id", SUB_INT, M(language_id), IN, false, NULL},
    {"source_code", SUB_BYTES, M(source_code), IN, true, NULL},
    {"stdin", SUB_BYTES, M(stdin_data), IN, true, NULL},
    {"expected_output", SUB_BYTES, M(expected_output), IN, true, NULL},
    {"compiler_options", SUB_TEXT, M(compiler_options), IN, true, NULL},
    {"command_line_arguments", SUB_TEXT, M(command_line_arguments), IN, true, NULL},
    {"callback_url", SUB_TEXT, M(callback_url), IN, true, NULL},
    {"additional_files", SUB_BYTES, M(additional_files), IN, true, NULL},
    {"cpu_time_limit", SUB_DOUBLE, M(cpu_time_limit), IN, true, NULL},
    {"cpu_extra_time", SUB_DOUBLE, M(cpu_extra_time), IN, true, NULL},
    {"wall_time_limit", SUB_DOUBLE, M(wall_time_limit), IN, true, NULL},
    {"memory_limit", SUB_LONG, M(memory_limit), IN, true, NULL},
    {"stack_limit", SUB_LONG, M(stack_limit), IN, true, NULL},
    {"max_processes_and_or_threads", SUB_LONG, M(max_processes_and_or_threads), IN, true, NULL},
    {"max_file_size", SUB_LONG, M(max_file_size), IN, true, NULL},
    {"number_of_runs", SUB_LONG, M(number_of_runs), IN, true, NULL},
    {"per_process_time", SUB_BOOL, M(per_process_time), IN, false, NULL},
    {"per_process_memory", SUB_BOOL, M(per_process_memory), IN, false, NULL},
    {"redirect_stderr_to_stdout", SUB_BOOL, M(redirect_stderr_to_stdout), IN, false, NULL},
    {"enable_network", SUB_BOOL, M(enable_network), IN, false, NULL},
    {"problem_id", SUB_TEXT, M(problem_id), IN, true, NULL},
    {"status_id", SUB_INT, M(status_id), IN | RES, false, "NOT NULL"},
    {"verdict", SUB_TEXT, M(verdict), IN | RES, true, NULL},
    {"stdout", SUB_BYTES, M(stdout_data), IN | RES, true, NULL},
    {"stderr", SUB_BYTES, M(stderr_data), IN | RES, true, NULL},
    {"compile_output", SUB_BYTES, M(compile_output), IN | RES, true, NULL},
    {"message", SUB_TEXT, M(message), IN | RES, true, NULL},
    {"exit_code", SUB_INT, M(exit_code), IN | RES, true, NULL},
    {"exit_signal", SUB_INT, M(exit_signal), IN | RES, true, NULL},
    {"time", SUB_DOUBLE, M(time), IN | RES, true, NULL},
    {"wall_time", SUB_DOUBLE, M(wall_time), IN | RES, true, NULL},
    {"memory", SUB_LONG, M(memory), IN | RES, true, NULL},
    {"score", SUB_DOUBLE, M(score), IN | RES, true, NULL},
    {"max_score", SUB_DOUBLE, M(max_score), IN | RES, true, NULL},
    {"tests", SUB_TEXT, M(tests), IN | RES, true, NULL},
    {"tests_total", SUB_LONG, M(tests_total), IN | RES, true, NULL},
    {"created_at", SUB_FIXED, M(created_at), IN, false, "NOT NULL"},
    {"finished_at", SUB_FIXED, M(finished_at), IN | RES, true, NULL},
    /* counted by claim; a new row has none */
    {"attempts", SUB_INT, M(attempts), 0, false, "NOT NULL DEFAULT 0"},
};
const int n_sub_cols = (int)(sizeof sub_cols / sizeof sub_cols[0]);

static const char *type_of(enum sub_col_kind k, enum sub_dialect d)
{
    static const char *const names[][2] = {
        [SUB_TEXT] = {"TEXT", "text"},     [SUB_FIXED] = {"TEXT", "text"},
        [SUB_BYTES] = {"BLOB", "bytea"},   [SUB_INT] = {"INTEGER", "integer"},
        [SUB_LONG] = {"INTEGER", "bigint"}, [SUB_DOUBLE] = {"REAL", "double precision"},
        [SUB_BOOL] = {"INTEGER", "integer"},
    };
    return names[k][d];
}

int sub_cols_count(unsigned written)
{
    int n = 0;
    for (int i = 0; i < n_sub_cols; i++)
        n += (sub_cols[i].written & written) != 0;
    return n;
}

void sub_cols_move_results(struct submission *dst, struct submission *src)
{
    for (int i = 0; i < n_sub_cols; i++) {
        const struct sub_col *c = &sub_cols[i];
        if (!(c->written & RES))
            continue;
        void *d = sub_col_ptr(c, dst), *s = sub_col_ptr(c, src);
        if (c->kind == SUB_TEXT)
            free(*(char **)d);
        else if (c->kind == SUB_BYTES)
            free(((struct bytes *)d)->p);
        memcpy(d, s, c->size);
        if (c->kind == SUB_TEXT || c->kind == SUB_BYTES)
            memset(s, 0, c->size);
    }
}

/* ---- binding and reading ------------------------------------------------------ */

/* A number whose negative values are the struct's null. */
static void bind_nullable(const struct sub_binder *b, void *ctx, long long v)
{
    if (v < 0)
        b->null(ctx);
    else
        b->integer(ctx, v);
}

static void bind_col(const struct sub_binder *b, void *ctx, const struct sub_col *c,
                     const struct submission *s)
{
    const void *m = sub_col_cptr(c, s);
    switch (c->kind) {
    case SUB_TEXT: {
        const char *t = *(char *const *)m;
        if (t)
            b->text(ctx, t);
        else
            b->null(ctx);
        break;
    }
    case SUB_FIXED:
        if (c->nullable && !*(const char *)m)
            b->null(ctx);
        else
            b->text(ctx, m);
        break;
    case SUB_BYTES:
        if (((const struct bytes *)m)->p)
            b->bytes(ctx, m);
        else
            b->null(ctx);
        break;
    case SUB_INT:
        if (c->nullable)
            bind_nullable(b, ctx, *(const int *)m);
        else
            b->integer(ctx, *(const int *)m);
        break;
    case SUB_LONG:
        bind_nullable(b, ctx, *(const long *)m);
        break;
    case SUB_DOUBLE:
        if (*(const double *)m < 0)
            b->null(ctx);
        else
            b->real(ctx, *(const double *)m);
        break;
    case SUB_BOOL:
        b->integer(ctx, *(const bool *)m ? 1 : 0);
        break;
    }
}

void sub_cols_bind(const struct sub_binder *b, void *ctx, unsigned written,
                   const struct submission *s)
{
    for (int i = 0; i < n_sub_cols; i++)
        if (sub_cols[i].written & written)
            bind_col(b, ctx, &sub_cols[i], s);
}

/* Column i into its member; -ENOMEM. */
static int read_col(const struct sub_reader *r, void *ctx, int i, struct submission *s)
{
    const struct sub_col *c = &sub_cols[i];
    void *m = sub_col_ptr(c, s);
    const char *t;
    switch (c->kind) {
    case SUB_TEXT:
        *(char **)m = NULL;
        if (r->is_null(ctx, i))
            return 0;
        if (!(t = r->text(ctx, i)))
            return -ENOMEM;
        return (*(char **)m = strdup(t)) ? 0 : -ENOMEM;
    case SUB_FIXED:
        t = r->is_null(ctx, i) ? NULL : r->text(ctx, i);
        snprintf(m, c->size, "%s", t ? t : "");
        return 0;
    case SUB_BYTES:
        *(struct bytes *)m = (struct bytes){0};
        return r->is_null(ctx, i) ? 0 : r->bytes(ctx, i, m);
    case SUB_INT:
        /* not nullable: a plain int (a null reads 0) */
        *(int *)m = c->nullable && r->is_null(ctx, i) ? -1 : (int)r->integer(ctx, i);
        return 0;
    case SUB_LONG:
        *(long *)m = r->is_null(ctx, i) ? -1 : (long)r->integer(ctx, i);
        return 0;
    case SUB_DOUBLE:
        *(double *)m = r->is_null(ctx, i) ? -1 : r->real(ctx, i);
        return 0;
    case SUB_BOOL:
        *(bool *)m = r->integer(ctx, i) != 0;
        return 0;
    }
    return 0;
}

int sub_cols_read(const struct sub_reader *r, void *ctx, struct submission *s)
{
    submission_init(s);
    int rc = 0;
    for (int i = 0; i < n_sub_cols; i++)
        rc |= read_col(r, ctx, i, s);
    if (rc) {
        submission_clear(s);
        return -ENOMEM;
    }
    return 0;
}

/* ---- the SQL, built once ------------------------------------------------------ */

enum list_mode { NAMES, DEFINITIONS, PLACEHOLDERS, ASSIGNMENTS };

/* The columns written as `written` says (0: all), as mode says; numbers
 * count from first. NULL when out of memory. */
static char *build_list(unsigned written, enum list_mode mode, enum sub_dialect d, int first)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    int k = 0;
    char ph = d == SUB_PG ? '$' : '?';
    for (int i = 0; i < n_sub_cols; i++) {
        const struct sub_col *c = &sub_cols[i];
        if (written && !(c->written & written))
            continue;
        const char *sep = k++ ? ", " : "";
        if (mode == NAMES)
            fprintf(f, "%s%s", sep, c->name);
        else if (mode == DEFINITIONS)
            fprintf(f, " %s %s%s%s,", c->name, type_of(c->kind, d), c->constraint ? " " : "",
                    c->constraint ? c->constraint : "");
        else if (mode == PLACEHOLDERS)
            fprintf(f, "%s%c%d", sep, ph, first + k - 1);
        else
            fprintf(f, "%s%s = %c%d", sep, c->name, ph, first + k - 1);
    }
    if (fclose(f)) {
        free(buf);
        return NULL;
    }
    return buf;
}

static char *cols_list, *built[SUB_SQL_N][2];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* "SELECT <every column> FROM submissions " tail; NULL when out of memory */
static char *select_all(const char *tail)
{
    char *sql;
    return cols_list && asprintf(&sql, "SELECT %s FROM submissions %s", cols_list, tail) >= 0 ? sql
                                                                                           : NULL;
}

static void build(void)
{
    cols_list = build_list(0, NAMES, SUB_SQLITE, 1);
    for (int i = 0; i < 2; i++) {
        enum sub_dialect d = (enum sub_dialect)i;
        bool pg = d == SUB_PG;
        built[SUB_SQL_DDL][d] = build_list(0, DEFINITIONS, d, 1);
        built[SUB_SQL_INSERT][d] = sub_cols_build_insert(d, NULL, NULL);
        built[SUB_SQL_FINISH_SET][d] = build_list(RES, ASSIGNMENTS, d, 3);
        built[SUB_SQL_GET][d] = select_all(pg ? "WHERE token = $1" : "WHERE token = ?1");
        built[SUB_SQL_LIST][d] = select_all(pg ? "ORDER BY id DESC LIMIT $1 OFFSET $2"
                                               : "ORDER BY id DESC LIMIT ?1 OFFSET ?2");
    }
}

char *sub_cols_build_insert(enum sub_dialect d, const char *more_names, const char *more_values)
{
    char *names = build_list(IN, NAMES, d, 1), *ph = build_list(IN, PLACEHOLDERS, d, 1), *sql;
    if (!names || !ph ||
        asprintf(&sql, "INSERT INTO submissions (%s%s%s) VALUES (%s%s%s)", names,
                 more_names ? ", " : "", more_names ? more_names : "", ph,
                 more_values ? ", " : "", more_values ? more_values : "") < 0)
        sql = NULL;
    free(names);
    free(ph);
    return sql;
}

const char *sub_cols_list(void)
{
    pthread_once(&once, build);
    return cols_list;
}

const char *sub_cols_sql(enum sub_sql which, enum sub_dialect d)
{
    pthread_once(&once, build);
    return built[which][d];
}

bool sub_cols_built(void)
{
    pthread_once(&once, build);
    for (int w = 0; w < SUB_SQL_N; w++)
        if (!built[w][SUB_SQLITE] || !built[w][SUB_PG])
            return false;
    return cols_list != NULL;
}
