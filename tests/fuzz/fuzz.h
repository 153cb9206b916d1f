/*
 * fuzz.h - what the libFuzzer harnesses in tests/fuzz/ share: a service
 * context like `nsjudge serve` builds (defaults, the repo's language table,
 * an in-memory store), the input split into parts, and an abort that says
 * which property broke. Built only by `make fuzz` (clang, build-fuzz/).
 */
#ifndef NSJUDGE_TESTS_FUZZ_H
#define NSJUDGE_TESTS_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "judge/internal.h"
#include "server/service/app.h"
#include "server/service/config.h"
#include "server/service/store.h"

#ifndef FUZZ_ROOT
#define FUZZ_ROOT "."   /* the Makefile passes the repository root */
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A broken property: say which, then abort so libFuzzer keeps the input. */
#define FUZZ_CHECK(cond, ...)                                        \
    do {                                                             \
        if (!(cond)) {                                               \
            fprintf(stderr, "fuzz property failed: %s: ", #cond);    \
            fprintf(stderr, __VA_ARGS__);                            \
            fputc('\n', stderr);                                     \
            abort();                                                 \
        }                                                            \
    } while (0)

/* Set-up failures are not findings: stop with a message. */
static inline void fuzz_die(const char *what, const char *msg)
{
    fprintf(stderr, "fuzz set-up: %s: %s\n", what, msg);
    exit(2);
}

/* The service as `nsjudge serve` starts it: default config, the repo's
 * languages.json, a store (in memory) that knows one problem. */
static inline void fuzz_app_init(struct app *app)
{
    char err[512];
    memset(app, 0, sizeof *app);
    config_defaults(&app->cfg);
    if (jd_langs_load(FUZZ_ROOT "/configs/languages.json", &app->langs, err, sizeof err) < 0)
        fuzz_die("languages", err);
    if (store_sqlite_open(":memory:", &app->store, err, sizeof err) < 0)
        fuzz_die("store", err);
    struct problem_rec pr = {.id = "hello", .name = "hello", .path = FUZZ_ROOT "/testdata/problems/hello",
                             .origin = "dir", .tests = 2};
    store_now_iso(pr.created_at);
    if (app->store->ops->problem_put(app->store, &pr) < 0)
        fuzz_die("store", "problem_put");
}

/* Splits data at the first `sep` byte: [0, i) and (i, size). No separator:
 * everything is the first part and the second is empty. */
static inline void fuzz_split(const uint8_t *data, size_t size, uint8_t sep, const uint8_t **a,
                              size_t *an, const uint8_t **b, size_t *bn)
{
    const uint8_t *s = memchr(data, sep, size);
    *a = data;
    *an = s ? (size_t)(s - data) : size;
    *b = s ? s + 1 : data + size;
    *bn = s ? size - *an - 1 : 0;
}

/* A NUL-terminated copy (the parsers that take C strings). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        fuzz_die("malloc", "out of memory");
    memcpy(s, data, size);
    s[size] = 0;
    return s;
}

/* Scratch dirs go when the fuzzer exits (libFuzzer ends with exit()). */
static char *fuzz_tmp_dirs[4];
static inline void fuzz_tmp_remove(void)
{
    for (size_t i = 0; i < 4 && fuzz_tmp_dirs[i]; i++)
        sb_rm_rf(fuzz_tmp_dirs[i]);
}
static inline void fuzz_tmp_cleanup(char *dir)
{
    size_t i = 0;
    while (i < 4 && fuzz_tmp_dirs[i])
        i++;
    if (i == 4)
        fuzz_die("fuzz_tmp_cleanup", "more than 4 scratch dirs");
    if (i == 0)
        atexit(fuzz_tmp_remove);
    fuzz_tmp_dirs[i] = dir;
}

/* A scratch dir under $FUZZ_TMPDIR, else /dev/shm (a target writes files
 * at every input: a disk file system caps that at a few hundred a second). */
static inline char *fuzz_tmpdir(const char *prefix)
{
    char *d = NULL;
    const char *parent = getenv("FUZZ_TMPDIR");
    if (!parent || !*parent)
        parent = jd_is_dir("/dev/shm") ? "/dev/shm" : NULL;
    if (jd_mkdtemp(parent, prefix, &d) < 0)
        fuzz_die("mkdtemp", prefix);
    fuzz_tmp_cleanup(d);
    return d;
}

#endif
