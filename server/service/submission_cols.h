/*
 * submission_cols.h - the columns of the submissions table, described once.
 *
 * Each member of struct submission that is stored has one row here: its
 * column name, what it holds (the kind sets the SQL type of each backend
 * and how it is bound and read), where it is in the struct, and when it is
 * written (bound on insert, by finish, both). Both stores build their
 * schema's column list, their SELECT/RETURNING list and their insert and
 * finish statements from it, and bind and read through its walkers
 * (sub_cols_bind, sub_cols_read: the one place that knows the kinds;
 * a store supplies only its primitives). Adding a
 * field: the struct member (its null in submission_init, store_common.c), one row
 * here, and in each store an ALTER TABLE step in migrate() with
 * SCHEMA_VERSION bumped, for databases made before it. A field the API
 * shows is one more line in judge0_json.c's field table, naming the
 * column: it renders by the column's kind.
 */
#ifndef NSJUDGE_SERVER_SUBMISSION_COLS_H
#define NSJUDGE_SERVER_SUBMISSION_COLS_H

#include <stdbool.h>
#include <stddef.h>

#include "server/service/store.h"

enum sub_col_kind {
    SUB_TEXT,     /* char *, NULL is null */
    SUB_FIXED,    /* char[size] in the struct; "" is null when nullable */
    SUB_BYTES,    /* struct bytes, p NULL is null */
    SUB_INT,      /* int; when nullable -1 is null */
    SUB_LONG,     /* long, -1 is null */
    SUB_DOUBLE,   /* double, -1 is null */
    SUB_BOOL,     /* bool, stored as an integer 0/1 */
};

enum {
    SUB_IN_INSERT = 1,   /* bound by insert */
    SUB_IN_FINISH = 2,   /* written by finish (a result) */
};

struct sub_col {
    const char *name;
    enum sub_col_kind kind;
    size_t off, size;        /* offsetof, sizeof in struct submission */
    unsigned written;        /* SUB_IN_* */
    bool nullable;
    const char *constraint;  /* after the type in CREATE TABLE, or NULL */
};

extern const struct sub_col sub_cols[];
extern const int n_sub_cols;

/* The SQL dialects the stores speak: placeholders ?N or $N, type names. */
enum sub_dialect { SUB_SQLITE, SUB_PG };

/* The SQL built from the table: once, on first use, and kept (the SQLite
 * statement cache keys on the text); never freed. NULL only when out of
 * memory. */
const char *sub_cols_list(void);                      /* "token, language_id, ..." */
enum sub_sql {
    /* the column definitions for CREATE TABLE, each followed by "," */
    SUB_SQL_DDL,
    /* "INSERT INTO submissions (...) VALUES (?1, ...)": the SUB_IN_INSERT
     * columns, placeholders numbered in table order from 1 */
    SUB_SQL_INSERT,
    /* "status_id = ?3, verdict = ?4, ...": the SUB_IN_FINISH columns, numbered
     * from 3 (finish binds the token as 1, the owner as 2, the attempts after) */
    SUB_SQL_FINISH_SET,
    /* "SELECT <every column> FROM submissions WHERE token = ?1" */
    SUB_SQL_GET,
    /* "SELECT <every column> FROM submissions ORDER BY id DESC LIMIT ?1
     * OFFSET ?2": newest first */
    SUB_SQL_LIST,
    SUB_SQL_N
};
const char *sub_cols_sql(enum sub_sql which, enum sub_dialect d);
/* Every one of them was built (false: out of memory). */
bool sub_cols_built(void);
/* The INSERT with more columns and values after the table's (the
 * values' placeholders numbered by the caller, from the insert's count
 * + 1); malloc'd, NULL when out of memory. */
char *sub_cols_build_insert(enum sub_dialect d, const char *more_names, const char *more_values);
int sub_cols_count(unsigned written);
/* Moves the members of the columns finish writes (the results) from src
 * to dst: dst's old values are freed, src's pointers are left NULL. */
void sub_cols_move_results(struct submission *dst, struct submission *src);

/* Binding and reading, the one place that knows the kinds: a store supplies
 * its primitives, and the walkers below turn the struct's nulls into SQL
 * nulls and back (-1 numbers where nullable, "" fixed strings where
 * nullable, NULL pointers), booleans into 0/1.
 *
 * A binder's calls append one parameter each, in parameter order; ctx is
 * the store's (its statement and the next parameter number). */
struct sub_binder {
    void (*null)(void *ctx);
    void (*text)(void *ctx, const char *s);           /* s not NULL */
    void (*bytes)(void *ctx, const struct bytes *b);  /* b->p not NULL; may hold NULs */
    void (*integer)(void *ctx, long long v);
    void (*real)(void *ctx, double v);
};
/* Binds the columns written as `written` says, in table order. */
void sub_cols_bind(const struct sub_binder *b, void *ctx, unsigned written,
                   const struct submission *s);

/* A reader's calls read column col (0-based, in sub_cols_list() order) of
 * the row ctx names. Only is_null and integer are asked of a null column
 * (integer reads a null as 0). */
struct sub_reader {
    bool (*is_null)(void *ctx, int col);
    /* the value, NUL-terminated, valid until the next call; NULL when out of memory */
    const char *(*text)(void *ctx, int col);
    /* a malloc'd copy with a NUL after its n bytes; -ENOMEM */
    int (*bytes)(void *ctx, int col, struct bytes *out);
    long long (*integer)(void *ctx, int col);
    double (*real)(void *ctx, int col);
};
/* Reads a row of sub_cols_list() columns into *s (initialised first);
 * -ENOMEM with *s cleared. */
int sub_cols_read(const struct sub_reader *r, void *ctx, struct submission *s);

/* The member a column describes. */
static inline void *sub_col_ptr(const struct sub_col *c, struct submission *s)
{
    return (char *)s + c->off;
}
static inline const void *sub_col_cptr(const struct sub_col *c, const struct submission *s)
{
    return (const char *)s + c->off;
}

#endif
