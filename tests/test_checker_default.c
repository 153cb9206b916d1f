/* test_checker_default.c - the Kattis default validator, a pure function. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
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
