/* test_checker_default.c - the Kattis default validator, a pure function. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "judge/internal.h"

static jd_verdict check(const char *team, const char *ans, const char *flags, char *msg)
{
    struct jd_default_flags f;
    char err[256], local[JD_MSG_MAX];
    char **v = jd_strv_split(flags ? flags : "");
    cr_assert(v);
    cr_assert_eq(jd_default_flags_parse(v, &f, err, sizeof err), 0, "%s", err);
    jd_strv_free(v);
    return jd_default_check_mem(team, strlen(team), ans, strlen(ans), &f, msg ? msg : local,
                                JD_MSG_MAX);
}

Test(judge_checker_default, exact_and_whitespace_runs)
{
    cr_assert_eq(check("1 2 3\n", "1 2 3\n", NULL, NULL), JD_AC);
    cr_assert_eq(check("1\n2\n3", "1 2 3\n", NULL, NULL), JD_AC);
    cr_assert_eq(check("  1 \t 2\r\n3\n\n\n", "1 2 3", NULL, NULL), JD_AC);
    cr_assert_eq(check("", "", NULL, NULL), JD_AC);
    cr_assert_eq(check("\n\n", "", NULL, NULL), JD_AC);
}

Test(judge_checker_default, wrong_token_says_where)
{
    char msg[JD_MSG_MAX];
    cr_assert_eq(check("1 2 4\n", "1 2 3\n", NULL, msg), JD_WA);
    cr_assert(strstr(msg, "token 3"), "%s", msg);
    cr_assert(strstr(msg, "expected '3'") && strstr(msg, "got '4'"), "%s", msg);
    cr_assert_eq(check("a\nb\nc\n", "a\nb\nd\n", NULL, msg), JD_WA);
    cr_assert(strstr(msg, "line 3"), "%s", msg);
}

Test(judge_checker_default, too_short_and_too_long)
{
    char msg[JD_MSG_MAX];
    cr_assert_eq(check("1 2", "1 2 3", NULL, msg), JD_WA);
    cr_assert(strstr(msg, "ended early"), "%s", msg);
    cr_assert_eq(check("1 2 3 4", "1 2 3", NULL, msg), JD_WA);
    cr_assert(strstr(msg, "trailing output"), "%s", msg);
    cr_assert_eq(check("", "1", NULL, NULL), JD_WA);
    cr_assert_eq(check("x", "", NULL, NULL), JD_WA);
}

Test(judge_checker_default, case_insensitive_unless_flag)
{
    cr_assert_eq(check("YES\n", "yes\n", NULL, NULL), JD_AC);
    cr_assert_eq(check("Hello, World!", "hello, world!", NULL, NULL), JD_AC);
    cr_assert_eq(check("YES\n", "yes\n", "case_sensitive", NULL), JD_WA);
    cr_assert_eq(check("yes\n", "yes\n", "case_sensitive", NULL), JD_AC);
}

Test(judge_checker_default, space_change_sensitive)
{
    const char *f = "space_change_sensitive";
    cr_assert_eq(check("1 2\n", "1 2\n", f, NULL), JD_AC);
    cr_assert_eq(check("1  2\n", "1 2\n", f, NULL), JD_WA);
    cr_assert_eq(check("1 2", "1 2\n", f, NULL), JD_WA);
    cr_assert_eq(check("1\n2\n", "1 2\n", f, NULL), JD_WA);
    cr_assert_eq(check(" 1 2\n", "1 2\n", f, NULL), JD_WA);
    /* without the flag the same outputs are fine */
    cr_assert_eq(check(" 1\n2", "1 2\n", NULL, NULL), JD_AC);
}

Test(judge_checker_default, numbers_are_strings_without_tolerance)
{
    cr_assert_eq(check("1.0\n", "1\n", NULL, NULL), JD_WA);
    cr_assert_eq(check("0.1\n", "0.10\n", NULL, NULL), JD_WA);
    cr_assert_eq(check("007\n", "007\n", NULL, NULL), JD_AC);
}

Test(judge_checker_default, absolute_tolerance)
{
    const char *f = "float_absolute_tolerance 1e-3";
    cr_assert_eq(check("1.0005\n", "1\n", f, NULL), JD_AC);
    cr_assert_eq(check("0.9995\n", "1\n", f, NULL), JD_AC);
    cr_assert_eq(check("1.002\n", "1\n", f, NULL), JD_WA);
    /* absolute only: big numbers get no relative slack */
    cr_assert_eq(check("1000000.01\n", "1000000\n", f, NULL), JD_WA);
    cr_assert_eq(check("1e0\n", "1.0000\n", f, NULL), JD_AC);
}

Test(judge_checker_default, relative_tolerance)
{
    const char *f = "float_relative_tolerance 1e-6";
    cr_assert_eq(check("1000000.5\n", "1000000\n", f, NULL), JD_AC);
    cr_assert_eq(check("1000002\n", "1000000\n", f, NULL), JD_WA);
    cr_assert_eq(check("0.0000011\n", "0.000001\n", f, NULL), JD_WA);
}

Test(judge_checker_default, float_tolerance_sets_both)
{
    const char *f = "float_tolerance 1e-6";
    cr_assert_eq(check("0.0000005\n", "0\n", f, NULL), JD_AC);            /* absolute */
    cr_assert_eq(check("333333.3334\n", "333333.3333333\n", f, NULL), JD_AC); /* relative */
    cr_assert_eq(check("0.33\n", "0.333333333\n", f, NULL), JD_WA);
}

Test(judge_checker_default, tolerance_needs_a_number_from_the_team)
{
    char msg[JD_MSG_MAX];
    cr_assert_eq(check("one\n", "1.0\n", "float_tolerance 1e-6", msg), JD_WA);
    cr_assert(strstr(msg, "expected number"), "%s", msg);
    /* a word in the answer is still compared as a word (case-insensitively) */
    cr_assert_eq(check("Impossible\n", "impossible\n", "float_tolerance 1e-6", NULL), JD_AC);
    cr_assert_eq(check("nan\n", "nan\n", "float_tolerance 1e-6", NULL), JD_AC);
    cr_assert_eq(check("inf\n", "nan\n", "float_tolerance 1e-6", NULL), JD_WA);
    cr_assert_eq(check("16\n", "0x10\n", "float_tolerance 1e-6", NULL), JD_WA);
    cr_assert_eq(check("0x10\n", "16\n", "float_tolerance 1e-6", NULL), JD_WA);
    cr_assert_eq(check("2 3.0000001 x\n", "2 3 x\n", "float_tolerance 1e-6", NULL), JD_AC);
}

Test(judge_checker_default, unknown_flags_are_ignored_bad_values_rejected)
{
    struct jd_default_flags f;
    char err[256];
    char *a[] = {"my_custom_flag", "7", NULL};
    cr_assert_eq(jd_default_flags_parse(a, &f, err, sizeof err), 0);
    char *b[] = {"float_tolerance", NULL};
    cr_assert_lt(jd_default_flags_parse(b, &f, err, sizeof err), 0);
    cr_assert(strstr(err, "float_tolerance"), "%s", err);
    char *c[] = {"float_absolute_tolerance", "-1", NULL};
    cr_assert_lt(jd_default_flags_parse(c, &f, err, sizeof err), 0);
    char *d[] = {"float_relative_tolerance", "abc", NULL};
    cr_assert_lt(jd_default_flags_parse(d, &f, err, sizeof err), 0);
}

Test(judge_checker_default, nul_bytes_do_not_hide_differences)
{
    struct jd_default_flags f;
    jd_default_flags_init(&f);
    char msg[JD_MSG_MAX];
    const char team[] = "ab\0c\n", ans[] = "ab\n";
    cr_assert_eq(jd_default_check_mem(team, sizeof team - 1, ans, sizeof ans - 1, &f, msg, sizeof msg),
                 JD_WA);
}

Test(judge_checker_default, streams_large_files)
{
    FILE *a = tmpfile(), *b = tmpfile();
    cr_assert(a && b);
    for (int i = 0; i < 200000; i++) {
        fprintf(a, "%d\n", i);
        fprintf(b, "%d ", i);
    }
    /* one very long token on both sides */
    for (int i = 0; i < 100000; i++) {
        fputc('x', a);
        fputc('X', b);
    }
    rewind(a);
    rewind(b);
    struct jd_default_flags f;
    jd_default_flags_init(&f);
    char msg[JD_MSG_MAX];
    cr_assert_eq(jd_default_check(b, a, &f, msg, sizeof msg), JD_AC, "%s", msg);
    rewind(a);
    rewind(b);
    f.case_sensitive = true;
    cr_assert_eq(jd_default_check(b, a, &f, msg, sizeof msg), JD_WA);
    fclose(a);
    fclose(b);
}

Test(judge_checker_default, judge0_comparison)
{
    cr_assert(jd_judge0_equal("a  \nb\n\n\n", 8, "a\nb", 3));
    cr_assert(jd_judge0_equal("", 0, "\n", 1));
    cr_assert(!jd_judge0_equal("a b", 3, "a  b", 4));
    cr_assert(!jd_judge0_equal("a\n\nb", 4, "a\nb", 3));
    cr_assert(!jd_judge0_equal("A", 1, "a", 1));
}

/* ---- verdict bugs found by differential fuzzing ------------------------ */

static jd_verdict check_n(const char *team, size_t tn, const char *ans, size_t an,
                          const char *flags, char *msg)
{
    struct jd_default_flags f;
    char err[256], local[JD_MSG_MAX];
    char **v = jd_strv_split(flags ? flags : "");
    cr_assert(v);
    cr_assert_eq(jd_default_flags_parse(v, &f, err, sizeof err), 0, "%s", err);
    jd_strv_free(v);
    return jd_default_check_mem(team, tn, ans, an, &f, msg ? msg : local, JD_MSG_MAX);
}

static const char *const tol_flags[] = {"float_tolerance 1e-6", "float_absolute_tolerance 1e-6",
                                        "float_relative_tolerance 1e-6",
                                        "float_relative_tolerance 0.5", "float_tolerance 0"};

Test(judge_checker_default, overflowing_numbers_equal_themselves)
{
    /* was: 'difference nan' (inf - inf) */
    for (size_t k = 0; k < sizeof tol_flags / sizeof *tol_flags; k++) {
        cr_assert_eq(check("1e400\n", "1e400\n", tol_flags[k], NULL), JD_AC, "%s", tol_flags[k]);
        cr_assert_eq(check("-1e999 2\n", "-1e999 2\n", tol_flags[k], NULL), JD_AC, "%s", tol_flags[k]);
    }
}

Test(judge_checker_default, overflowing_answer_does_not_accept_everything)
{
    /* was: |inf - x| = inf <= rel * |inf| = inf accepted any team number */
    char msg[JD_MSG_MAX];
    for (size_t k = 0; k < sizeof tol_flags / sizeof *tol_flags; k++) {
        const char *f = tol_flags[k];
        cr_assert_eq(check("5\n", "1e400\n", f, msg), JD_WA, "%s", f);
        cr_assert_eq(check("1e308\n", "1e400\n", f, NULL), JD_WA, "%s", f);
        cr_assert_eq(check("2e400\n", "1e400\n", f, NULL), JD_WA, "%s: compared as text", f);
        cr_assert_eq(check("1e999\n", "-1e999\n", f, NULL), JD_WA, "%s", f);
        cr_assert_eq(check("1E400\n", "1e400\n", f, NULL), JD_AC, "%s: text, case-insensitive", f);
        /* and a team number that overflows is no number either */
        cr_assert_eq(check("1e400\n", "5\n", f, msg), JD_WA, "%s", f);
        cr_assert(strstr(msg, "expected number"), "%s", msg);
    }
    /* underflow stays a number: tiny, within any absolute tolerance of 0 */
    cr_assert_eq(check("0\n", "1e-400\n", "float_absolute_tolerance 1e-9", NULL), JD_AC);
}

Test(judge_checker_default, number_is_parsed_over_its_whole_length)
{
    /* was: strtod stopped at the NUL, so "3\0junk" was 3 */
    char msg[JD_MSG_MAX];
    const char t1[] = "3\0junk\n", t2[] = "3\0\n", t3[] = "3.0\0001\n";
    for (size_t k = 0; k < sizeof tol_flags / sizeof *tol_flags; k++) {
        const char *f = tol_flags[k];
        cr_assert_eq(check_n(t1, sizeof t1 - 1, "3\n", 2, f, msg), JD_WA, "%s", f);
        cr_assert(strstr(msg, "3\\x00junk"), "the NUL is shown: %s", msg);
        cr_assert_eq(check_n(t2, sizeof t2 - 1, "3\n", 2, f, NULL), JD_WA, "%s", f);
        cr_assert_eq(check_n(t3, sizeof t3 - 1, "3\n", 2, f, NULL), JD_WA, "%s", f);
        /* the same bytes on the answer side: not a number, compared as text */
        cr_assert_eq(check_n("3\n", 2, t1, sizeof t1 - 1, f, NULL), JD_WA, "%s", f);
        cr_assert_eq(check_n(t1, sizeof t1 - 1, t1, sizeof t1 - 1, f, NULL), JD_AC, "%s", f);
        cr_assert_eq(check("3junk\n", "3\n", f, NULL), JD_WA, "%s", f);
        cr_assert_eq(check("3.\n", "3\n", f, NULL), JD_AC, "%s", f);
        cr_assert_eq(check("+.3e1\n", "3\n", f, NULL), JD_AC, "%s", f);
    }
}

Test(judge_checker_default, identical_token_with_nul_is_accepted)
{
    /* was: rejected because strlen(token) != its length */
    const char a[] = "ab\0c 1\n", b[] = "AB\0C 1\n", c[] = "ab\0d 1\n";
    char msg[JD_MSG_MAX];
    cr_assert_eq(check_n(a, sizeof a - 1, a, sizeof a - 1, NULL, msg), JD_AC, "%s", msg);
    cr_assert_eq(check_n(a, sizeof a - 1, a, sizeof a - 1, "case_sensitive", msg), JD_AC, "%s", msg);
    cr_assert_eq(check_n(b, sizeof b - 1, a, sizeof a - 1, NULL, msg), JD_AC, "%s", msg);
    cr_assert_eq(check_n(b, sizeof b - 1, a, sizeof a - 1, "case_sensitive", NULL), JD_WA);
    /* the bytes after the NUL count */
    cr_assert_eq(check_n(c, sizeof c - 1, a, sizeof a - 1, NULL, msg), JD_WA);
    cr_assert(strstr(msg, "expected 'ab\\x00c', got 'ab\\x00d'"), "%s", msg);
}

Test(judge_checker_default, messages_are_utf8_and_cut_between_characters)
{
    char msg[JD_MSG_MAX];
    /* 30 two-byte letters: cut at 40 bytes would split one */
    char team[128] = "", ans[] = "x";
    for (int i = 0; i < 30; i++)
        strcat(team, "\xc3\xa9");
    cr_assert_eq(check(team, ans, NULL, msg), JD_WA);
    const char *got = strstr(msg, "got '");
    cr_assert(got, "%s", msg);
    cr_assert(strstr(got, "\xc3\xa9..."), "whole characters then '...': %s", msg);
    /* invalid UTF-8 from the team is shown as \xNN, control bytes are kept */
    cr_assert_eq(check("\xff\xfe\x1b[2K", "x", NULL, msg), JD_WA);
    cr_assert(strstr(msg, "'\\xff\\xfe\x1b[2K'"), "%s", msg);
}

/* ---- the token cap: memory does not grow with a token ------------------- */

/* A buffer of n copies of c followed by tail. */
static char *repeated(int c, size_t n, const char *tail, size_t *len)
{
    size_t tl = strlen(tail);
    char *s = malloc(n + tl + 1);
    cr_assert(s);
    memset(s, c, n);
    memcpy(s + n, tail, tl + 1);
    *len = n + tl;
    return s;
}

Test(judge_checker_default, tokens_over_the_cap)
{
    const size_t cap = JD_DEFAULT_TOKEN_CAP;
    size_t n1, n2, n3, n4;
    char msg[JD_MSG_MAX];
    char *at_cap = repeated('x', cap, "\n", &n1);
    char *over = repeated('x', cap + 1, "\n", &n2);
    char *over_end = repeated('x', cap + 1, "y 1\n", &n3);
    char *over_end_uc = repeated('x', cap + 1, "Y 1\n", &n4);
    /* identical outputs are accepted, held or not */
    cr_assert_eq(check_n(at_cap, n1, at_cap, n1, NULL, msg), JD_AC, "%s", msg);
    cr_assert_eq(check_n(over, n2, over, n2, NULL, msg), JD_AC, "%s", msg);
    cr_assert_eq(check_n(over_end, n3, over_end, n3, "float_tolerance 1e-6", msg), JD_AC, "%s", msg);
    cr_assert_eq(check_n(over_end, n3, over_end, n3, "space_change_sensitive", msg), JD_AC, "%s", msg);
    /* a team token over the cap against a short answer: WA, saying why */
    cr_assert_eq(check_n(over, n2, "x\n", 2, NULL, msg), JD_WA);
    cr_assert(strstr(msg, "longer than 1 MiB"), "%s", msg);
    cr_assert_eq(check_n(over, n2, at_cap, n1, NULL, msg), JD_WA, "one byte past the answer");
    cr_assert_eq(check_n(at_cap, n1, over, n2, NULL, msg), JD_WA, "one byte short");
    /* past the cap the bytes are still compared, one by one */
    cr_assert_eq(check_n(over_end, n3, over, n2, NULL, msg), JD_WA);
    cr_assert_eq(check_n(over, n2, over_end, n3, NULL, msg), JD_WA);
    cr_assert(strstr(msg, "compared as text"), "%s", msg);
    cr_assert_eq(check_n(over_end_uc, n4, over_end, n3, NULL, msg), JD_AC, "%s", msg);
    cr_assert_eq(check_n(over_end_uc, n4, over_end, n3, "case_sensitive", msg), JD_WA);
    /* a team number over the cap is no number: "1.000...0" is not 1 */
    size_t n5;
    char *long_num = repeated('0', cap + 8, "\n", &n5);
    long_num[0] = '1';
    long_num[1] = '.';
    cr_assert_eq(check_n(long_num, n5, "1\n", 2, "float_tolerance 1e-6", msg), JD_WA);
    cr_assert(strstr(msg, "longer than 1 MiB"), "%s", msg);
    cr_assert_eq(check_n(long_num, n5, long_num, n5, "float_tolerance 1e-6", msg), JD_AC, "%s", msg);
    free(at_cap), free(over), free(over_end), free(over_end_uc), free(long_num);
}

static long status_kib(const char *key)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    long v = -1;
    size_t k = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, key, k) && line[k] == ':')
            v = atol(line + k + 1);
    if (f)
        fclose(f);
    return v;
}

struct peak { long growth_kib; jd_verdict verdict; char message[JD_MSG_MAX]; };

/* Judge team against answer (files) in a child; how far its peak RSS grew. */
static struct peak judge_in_child(const char *team, const char *ans)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        struct peak r = {0};
        /* "5" resets the peak (VmHWM) to the current RSS */
        int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "5", 1) != 1)
            _exit(3);
        close(fd);
        long before = status_kib("VmHWM");
        struct jd_check_result cr;
        jd_check_default_files(team, ans, NULL, &cr);
        r.growth_kib = status_kib("VmHWM") - before;
        r.verdict = cr.verdict;
        memcpy(r.message, cr.message, sizeof r.message);
        _exit(write(p[1], &r, sizeof r) == sizeof r ? 0 : 4);
    }
    close(p[1]);
    struct peak r;
    ssize_t n = read(p[0], &r, sizeof r);
    close(p[0]);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
    cr_assert_eq(n, (ssize_t)sizeof r);
    return r;
}

Test(judge_checker_default, huge_token_keeps_memory_bounded, .timeout = 60)
{
    char dir[] = "/tmp/nsjudge-ckmem-XXXXXX", team[64], team2[64], ans[64];
    cr_assert(mkdtemp(dir));
    snprintf(team, sizeof team, "%s/team", dir);
    snprintf(team2, sizeof team2, "%s/team2", dir);
    snprintf(ans, sizeof ans, "%s/ans", dir);
    /* sparse: 512 MiB of NUL bytes, one token, costs no disk */
    int fd = open(team, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    cr_assert_geq(fd, 0);
    cr_assert_eq(ftruncate(fd, (off_t)512 << 20), 0);
    close(fd);
    fd = open(team2, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    cr_assert_eq(ftruncate(fd, (off_t)64 << 20), 0);
    close(fd);
    FILE *f = fopen(ans, "we");
    cr_assert(f);
    fputs("42\n", f);
    fclose(f);

    /* before: the whole token was held, +512 MiB */
    const long bound_kib = 16 * 1024;
    struct peak r = judge_in_child(team, ans);
    cr_log_info("512 MiB token vs '42': peak RSS +%ld KiB, %s", r.growth_kib, r.message);
    cr_assert_lt(r.growth_kib, bound_kib, "peak RSS grew by %ld KiB", r.growth_kib);
    cr_assert_eq(r.verdict, JD_WA, "%s", r.message);
    cr_assert(strstr(r.message, "longer than 1 MiB"), "%s", r.message);

    /* two identical 64 MiB tokens stream past each other: AC, same bound */
    r = judge_in_child(team2, team2);
    cr_log_info("64 MiB token vs itself: peak RSS +%ld KiB", r.growth_kib);
    cr_assert_lt(r.growth_kib, bound_kib, "peak RSS grew by %ld KiB", r.growth_kib);
    cr_assert_eq(r.verdict, JD_AC, "%s", r.message);
    unlink(team), unlink(team2), unlink(ans), rmdir(dir);
}

/* ---- property tests: random token streams, random flags -----------------
 * Seeded and reproducible: NSJUDGE_FUZZ_SEED=<n> replays a run; a failure
 * prints the seed, the case, the flags and both outputs. */

#define PROP_CASES 10000

struct rng { uint64_t s; };

static uint64_t rnd(struct rng *r)          /* splitmix64 */
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t below(struct rng *r, size_t n)
{
    return (size_t)(rnd(r) % n);
}

static uint64_t base_seed(void)
{
    const char *e = getenv("NSJUDGE_FUZZ_SEED");
    return e && *e ? strtoull(e, NULL, 0) : 0x5eedc0de;
}

enum gkind { G_NUM, G_WORD, G_ODD };
struct gtok { char s[48]; size_t n; enum gkind kind; };

/* Tokens the checker must treat as text or reject as numbers (with their
 * lengths: some hold a NUL). */
#define T(x) {x, sizeof x - 1}
static const struct { const char *s; size_t n; } odd_tokens[] = {
    T("nan"), T("NaN"), T("inf"), T("-inf"), T("infinity"), T("1e400"), T("-1e999"), T("0x1p3"),
    T("0x10"), T("3junk"), T("3\0junk"), T("ab\0c"), T("\0"), T("\xc3\xa9t\xc3\xa9"), T("\xff\xfe"),
    T("\xe2\x80\xae"), T("+.5"), T("1e"), T("--1"), T("."), T("1.2.3"), T("e5"), T("+"), T("-"),
    T("1,5"), T("#!"), T("a-b"), T("\x1b[2K"), T("\x7f"), T("1e+"), T("0.0e0"),
};
#undef T

static void gen_number(struct rng *r, struct gtok *t)
{
    char *p = t->s;
    if (below(r, 4) == 0)
        *p++ = '-';
    else if (below(r, 16) == 0)
        *p++ = '+';
    bool frac = below(r, 2);
    if (frac && below(r, 3) == 0)
        *p++ = '0';
    else {
        *p++ = (char)('1' + below(r, 9));
        for (size_t k = below(r, 7); k; k--)
            *p++ = (char)('0' + below(r, 10));
    }
    if (frac) {
        *p++ = '.';
        for (size_t k = 1 + below(r, 6); k; k--)
            *p++ = (char)('0' + below(r, 10));
        p[-1] = (char)('1' + below(r, 9));      /* at least one nonzero digit */
    }
    if (below(r, 4) == 0)
        p += sprintf(p, "%c%d", below(r, 2) ? 'e' : 'E', (int)below(r, 20) - 4);
    *p = 0;
    t->n = (size_t)(p - t->s);
    t->kind = G_NUM;
}

static void gen_token(struct rng *r, struct gtok *t)
{
    size_t k = below(r, 10);
    if (k < 5) {
        gen_number(r, t);
    } else if (k < 9) {
        t->n = 1 + below(r, 8);
        for (size_t i = 0; i < t->n; i++)
            t->s[i] = (char)((below(r, 2) ? 'a' : 'A') + below(r, 26));
        t->s[t->n] = 0;
        t->kind = G_WORD;
    } else {
        size_t i = below(r, sizeof odd_tokens / sizeof *odd_tokens);
        t->n = odd_tokens[i].n;
        memcpy(t->s, odd_tokens[i].s, t->n);
        t->s[t->n] = 0;
        t->kind = G_ODD;
    }
}

static void gen_space(struct rng *r, char *out, size_t min)
{
    static const char ws[] = "  \n\n\t\r\v\f";
    size_t n = min + below(r, 3);
    for (size_t i = 0; i < n; i++)
        out[i] = ws[below(r, sizeof ws - 1)];
    out[n] = 0;
}

#define MAXTOK 24
struct stream {
    struct gtok t[MAXTOK + 1]; size_t n;
    char ws[MAXTOK + 2][8];      /* ws[i] before t[i]; ws[n] at the end */
};

static void gen_stream(struct rng *r, struct stream *s)
{
    s->n = below(r, MAXTOK);
    for (size_t i = 0; i < s->n; i++)
        gen_token(r, &s->t[i]);
    for (size_t i = 0; i <= s->n; i++)
        gen_space(r, s->ws[i], i > 0 && i < s->n);
}

static size_t render(const struct stream *s, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i <= s->n; i++) {
        size_t w = strlen(s->ws[i]);
        memcpy(out + o, s->ws[i], w), o += w;
        if (i < s->n)
            memcpy(out + o, s->t[i].s, s->t[i].n), o += s->t[i].n;
    }
    return o;
}

static void gen_flags(struct rng *r, struct jd_default_flags *f, char *desc, size_t desclen)
{
    static const double tols[] = {0, 1e-9, 1e-6, 1e-4, 1e-3};
    jd_default_flags_init(f);
    f->case_sensitive = below(r, 2);
    f->space_change_sensitive = below(r, 2);
    switch (below(r, 5)) {
    case 1: f->abs_tol = tols[below(r, 5)]; break;
    case 2: f->rel_tol = tols[below(r, 5)]; break;
    case 3: f->abs_tol = f->rel_tol = tols[below(r, 5)]; break;
    case 4: f->abs_tol = tols[below(r, 5)], f->rel_tol = tols[below(r, 5)]; break;
    }
    snprintf(desc, desclen, "%s%sabs %g rel %g", f->case_sensitive ? "case_sensitive " : "",
             f->space_change_sensitive ? "space_change_sensitive " : "", f->abs_tol, f->rel_tol);
}

/* For failure messages: the bytes, with anything unprintable as \xNN. */
static const char *visible(const char *s, size_t n, char *buf, size_t buflen)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < buflen; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, 5, "\\x%02x", c);
    }
    buf[o] = 0;
    return buf;
}

/* The verdict from memory and, for non-empty outputs, from streams too
 * (the file path reads in blocks): both must agree. */
static jd_verdict judge_both(const char *team, size_t tn, const char *ans, size_t an,
                             const struct jd_default_flags *f, char *msg)
{
    jd_verdict v = jd_default_check_mem(team, tn, ans, an, f, msg, JD_MSG_MAX);
    if (tn && an) {
        FILE *t = fmemopen((void *)team, tn, "rb"), *a = fmemopen((void *)ans, an, "rb");
        cr_assert(t && a);
        char m2[JD_MSG_MAX];
        jd_verdict v2 = jd_default_check(t, a, f, m2, sizeof m2);
        fclose(t), fclose(a);
        cr_assert_eq(v, v2, "memory and stream disagree: %s / %s", msg, m2);
    }
    return v;
}

enum prop { P_IDENTICAL, P_WHITESPACE, P_DIGIT, P_LETTER, P_CASE, P_COUNT, P_JUNK };
static const char *const prop_names[] = {"identical", "whitespace changed", "digit changed",
                                         "letter changed", "case changed", "token added/removed",
                                         "junk after a number"};

/* One random case of a property. Returns false when the stream has nothing
 * to perturb for it (the caller draws another). */
static bool prop_case(enum prop p, uint64_t seed, unsigned *checked)
{
    struct rng r = {seed};
    static struct stream ans, team;
    struct jd_default_flags f;
    char desc[128], msg[JD_MSG_MAX];
    gen_flags(&r, &f, desc, sizeof desc);
    gen_stream(&r, &ans);
    team = ans;
    bool floats = f.abs_tol >= 0 || f.rel_tol >= 0;
    jd_verdict want = JD_WA;
    switch (p) {
    case P_IDENTICAL:
        want = JD_AC;
        break;
    case P_WHITESPACE: {
        bool changed = false;
        for (size_t i = 0; i <= team.n; i++) {
            gen_space(&r, team.ws[i], i > 0 && i < team.n);
            changed = changed || strcmp(team.ws[i], ans.ws[i]);
        }
        if (!changed)
            return false;
        want = f.space_change_sensitive ? JD_WA : JD_AC;
        break;
    }
    case P_DIGIT: {
        /* the first nonzero digit of a number, to another nonzero digit:
         * a change of at least a tenth of the value */
        if (!ans.n)
            return false;
        size_t i = below(&r, ans.n);
        if (ans.t[i].kind != G_NUM)
            return false;
        char *d = team.t[i].s + strcspn(team.t[i].s, "123456789");
        char old = *d;
        do
            *d = (char)('1' + below(&r, 9));
        while (*d == old);
        if (floats) {
            /* beyond the tolerance by a factor of 2 (checked here, with the
             * values both sides print) */
            double a = strtod(ans.t[i].s, NULL), b = strtod(team.t[i].s, NULL), diff = fabs(a - b);
            if (!(diff > 2 * f.abs_tol && diff > 2 * f.rel_tol * fabs(a)))
                return false;
        }
        break;
    }
    case P_LETTER:
    case P_CASE: {
        if (!ans.n)
            return false;
        size_t i = below(&r, ans.n);
        if (ans.t[i].kind != G_WORD)
            return false;
        char *c = &team.t[i].s[below(&r, team.t[i].n)];
        if (p == P_CASE) {
            *c ^= 0x20;
            want = f.case_sensitive ? JD_WA : JD_AC;
        } else {
            char old = (char)(*c | 0x20);
            do
                *c = (char)((*c & 0x20 ? 'a' : 'A') + below(&r, 26));
            while ((*c | 0x20) == old);
        }
        break;
    }
    case P_JUNK: {
        /* a number with anything after it is no longer that number */
        static const struct { const char *s; size_t n; } junk[] = {
            {"\0", 1}, {"\0junk", 5}, {"x", 1}, {"junk", 4}, {"e", 1}, {"e+", 2}, {",5", 2},
            {"/2", 2}, {"\xc2\xa0", 2}, {"\x1b", 1}, {"0x", 2}, {"..", 2},
        };
        if (!ans.n)
            return false;
        size_t i = below(&r, ans.n), k = below(&r, sizeof junk / sizeof *junk);
        if (ans.t[i].kind != G_NUM)
            return false;
        memcpy(team.t[i].s + team.t[i].n, junk[k].s, junk[k].n);
        team.t[i].n += junk[k].n;
        break;
    }
    case P_COUNT: {
        if (below(&r, 2) && ans.n) {
            size_t i = below(&r, ans.n);      /* remove token i and the space before it */
            memmove(&team.t[i], &team.t[i + 1], (team.n - i - 1) * sizeof team.t[0]);
            memmove(&team.ws[i], &team.ws[i + 1], (team.n - i) * sizeof team.ws[0]);
            team.n--;
            if (i == 0 && team.n == 0)
                ;                              /* one run of space left: fine */
            else if (i == 0)
                team.ws[0][0] = 0;
        } else {
            if (ans.n >= MAXTOK)
                return false;
            size_t i = below(&r, ans.n + 1);  /* insert before token i */
            memmove(&team.t[i + 1], &team.t[i], (team.n - i) * sizeof team.t[0]);
            memmove(&team.ws[i + 1], &team.ws[i], (team.n - i + 1) * sizeof team.ws[0]);
            team.n++;
            gen_token(&r, &team.t[i]);
            gen_space(&r, team.ws[i], i > 0);
            if (!team.ws[i + 1][0])
                strcpy(team.ws[i + 1], " ");
        }
        break;
    }
    }
    static char tb[MAXTOK * 64], ab[MAXTOK * 64];
    size_t tn = render(&team, tb), an = render(&ans, ab);
    jd_verdict v = judge_both(tb, tn, ab, an, &f, msg);
    if (v != want) {
        char vt[2048], va[2048];
        cr_assert_fail("property '%s' failed: NSJUDGE_FUZZ_SEED=%llu, case seed %llu\n"
                 "  flags: %s\n  answer: '%s'\n  team:   '%s'\n  got %s (%s), want %s",
                 prop_names[p], (unsigned long long)base_seed(), (unsigned long long)seed, desc,
                 visible(ab, an, va, sizeof va), visible(tb, tn, vt, sizeof vt),
                 jd_verdict_code(v), msg, jd_verdict_code(want));
    }
    (*checked)++;
    return true;
}

static void run_property(enum prop p)
{
    uint64_t base = base_seed() + (uint64_t)p * 1000003;
    unsigned checked = 0, drawn = 0;
    while (checked < PROP_CASES) {
        prop_case(p, base + drawn, &checked);
        drawn++;
        cr_assert_lt(drawn, 40u * PROP_CASES, "the generator rarely fits '%s'", prop_names[p]);
    }
    cr_log_info("%s: %u cases (seed %llu)", prop_names[p], checked,
                (unsigned long long)base_seed());
}

Test(judge_checker_default_props, identical_output_is_accepted) { run_property(P_IDENTICAL); }
Test(judge_checker_default_props, whitespace_changes) { run_property(P_WHITESPACE); }
Test(judge_checker_default_props, changed_digit_is_wrong) { run_property(P_DIGIT); }
Test(judge_checker_default_props, changed_letter_is_wrong) { run_property(P_LETTER); }
Test(judge_checker_default_props, changed_case) { run_property(P_CASE); }
Test(judge_checker_default_props, extra_or_missing_token_is_wrong) { run_property(P_COUNT); }
Test(judge_checker_default_props, junk_after_a_number_is_wrong) { run_property(P_JUNK); }

/* read() calls this process has made so far. */
static long read_syscalls(void)
{
    FILE *f = fopen("/proc/self/io", "re");
    char line[128];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "syscr:", 6))
            v = atol(line + 6);
    if (f)
        fclose(f);
    return v;
}

Test(judge_checker_default, ended_answer_is_not_read_again_per_byte)
{
    /* the team's 4 MiB of trailing whitespace after the answer's last
     * byte: a block reader that forgets EOF reads the ended answer again
     * for every byte (4 million read() calls) */
    char dir[] = "/tmp/nsjudge-ckeof-XXXXXX", team[64], ans[64];
    cr_assert(mkdtemp(dir));
    snprintf(team, sizeof team, "%s/team", dir);
    snprintf(ans, sizeof ans, "%s/ans", dir);
    size_t tn;
    char *t = repeated(' ', 4 << 20, "", &tn);
    t[0] = '1';
    cr_assert_eq(jd_write_file(team, t, tn, 0600), 0);
    cr_assert_eq(jd_write_file(ans, "1\n", 2, 0600), 0);
    free(t);
    struct jd_check_result r;
    long before = read_syscalls();
    cr_assert_geq(before, 0, "/proc/self/io");
    jd_check_default_files(team, ans, NULL, &r);
    long reads = read_syscalls() - before;
    cr_assert_eq(r.verdict, JD_AC, "%s", r.message);
    /* 64 KiB blocks of the team's (stdio's 4 KiB ones made 1029), not one
     * per byte */
    cr_assert_lt(reads, 10000, "%ld read() calls", reads);
    unlink(team), unlink(ans), rmdir(dir);
}
