/*
 * test_judge_util.h - helpers shared by the judge tests: where the repo and
 * its test problems are, box slots, running the nsjudge binary.
 */
#ifndef NSJUDGE_TESTS_JUDGE_UTIL_H
#define NSJUDGE_TESTS_JUDGE_UTIL_H

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "judge/judge.h"
#include "tests/test_root.h"

/* The repo root: the binary is <repo>/build/nsjudge (or build-asan/). */
static inline const char *jt_repo(void)
{
    static char root[PATH_MAX];
    const char *bin = getenv("NSJUDGE_BIN");
    if (!bin) {
        snprintf(root, sizeof root, ".");
        return root;
    }
    char real[PATH_MAX];
    snprintf(root, sizeof root, "%s", realpath(bin, real) ? real : bin);
    for (int i = 0; i < 2; i++) {
        char *s = strrchr(root, '/');
        if (s)
            *s = 0;
    }
    return root;
}

static inline const char *jt_bin(void)
{
    const char *bin = getenv("NSJUDGE_BIN");
    cr_assert(bin, "NSJUDGE_BIN not set (run through make test)");
    return bin;
}

/* Path under the repo; returns a static buffer (one of 8 in rotation). */
static inline const char *jt_path(const char *rel)
{
    static char buf[8][PATH_MAX];
    static int k;
    char *b = buf[k++ % 8];
    cr_assert(snprintf(b, PATH_MAX, "%s/%s", jt_repo(), rel) <
              PATH_MAX, "%s: buffer too small", __func__);
    return b;
}

static inline struct jd_langs *jt_langs(void)
{
    struct jd_langs *l = NULL;
    char err[512];
    int r = jd_langs_load(jt_path("configs/languages.json"), &l, err, sizeof err);
    cr_assert_eq(r, 0, "loading languages: %s", err);
    return l;
}

static inline struct jd_problem *jt_problem(const char *name)
{
    char rel[256], err[JD_MSG_MAX];
    snprintf(rel, sizeof rel, "testdata/problems/%s", name);
    struct jd_problem *p = NULL;
    int r = jd_problem_load(jt_path(rel), NULL, &p, err, sizeof err);
    cr_assert_eq(r, 0, "loading %s: %s", name, err);
    return p;
}


/* n slots with ids unique in this process (tests run in forked processes). */
static inline void jt_slots(struct sb_slot **v, int n)
{
    test_need_root();
    for (int i = 0; i < n; i++) {
        char err[SB_MSG_MAX];
        struct sb_slot_options o = {.id = SB_SLOT_ANY};
        int r = sb_slot_open(&o, &v[i], err, sizeof err);
        cr_assert_eq(r, 0, "sb_slot_open: %s", err);
    }
}

static inline void jt_close_slots(struct sb_slot **v, int n)
{
    for (int i = 0; i < n; i++)
        sb_slot_close(v[i]);
}

/* Run a shell command line, capture stdout (malloc'd) and the exit code. */
static inline int jt_sh(const char *cmd, char **out)
{
    FILE *f = popen(cmd, "r");
    cr_assert(f, "popen %s", cmd);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    cr_assert(buf);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (cap - n < 1024) {
            cap *= 2;
            buf = realloc(buf, cap);
            cr_assert(buf);
        }
    }
    buf[n] = 0;
    int st = pclose(f);
    if (out)
        *out = buf;
    else
        free(buf);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif
