/* test_problem.c - loading problem packages, broken ones, and scoring. */
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include "judge/internal.h"
#include "tests/test_judge_util.h"

/* A scratch package built file by file. */
static char pkg[256];

static void pkg_new(void)
{
    snprintf(pkg, sizeof pkg, "/tmp/nsjudge-pkg-XXXXXX");
    cr_assert(mkdtemp(pkg));
}

static void put(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", pkg, rel);
    for (char *s = path + strlen(pkg) + 1; (s = strchr(s, '/')); s++) {
        *s = 0;
        mkdir(path, 0755);
        *s = '/';
    }
    cr_assert_eq(jd_write_file(path, text, strlen(text), 0644), 0, "%s", path);
}

static int load(struct jd_problem **p, char *err)
{
    return jd_problem_load(pkg, NULL, p, err, JD_MSG_MAX);
}

static void pkg_done(void)
{
    sb_rm_rf(pkg);
}

Test(judge_problem, plain_directory, .fini = pkg_done)
{
    pkg_new();
    put("b.in", "2\n");
    put("b.out", "2\n");
    put("a.in", "1\n");
    put("a.ans", "1\n");
    put("notes.txt", "ignored\n");
    struct jd_problem *p;
    char err[JD_MSG_MAX];
    cr_assert_eq(load(&p, err), 0, "%s", err);
    cr_assert(p->plain);
    cr_assert_eq(jd_problem_test_count(p), 2);
    cr_assert_str_eq(p->tests[0].name, "a");
    cr_assert_str_eq(p->tests[1].name, "b");
    cr_assert(jd_has_suffix(p->tests[1].ans_path, "b.out"));
    cr_assert_eq(jd_problem_time_limit(p), 1.0);
    cr_assert_not(jd_problem_time_limit_given(p));
    cr_assert_eq(p->mem_kib, 256 * 1024);
    jd_problem_free(p);
}

Test(judge_problem, options_override_limits)
{
    struct jd_problem_options o = {.time_limit_s = 2.5, .mem_limit_kib = 1024};
    struct jd_problem *p;
    char err[JD_MSG_MAX];
    cr_assert_eq(jd_problem_load(jt_path("testdata/problems/sum"), &o, &p, err, sizeof err), 0, "%s", err);
    cr_assert_eq(jd_problem_time_limit(p), 2.5);
    cr_assert(jd_problem_time_limit_given(p));
    cr_assert_eq(p->mem_kib, 1024);
    jd_problem_free(p);
}

Test(judge_problem, legacy_package)
{
    struct jd_problem *p = jt_problem("sum");
    cr_assert_str_eq(jd_problem_name(p), "Sum of Two");
    cr_assert_str_eq(p->format_version, "legacy");
    cr_assert_not(jd_problem_time_limit_given(p), "sum has no time limit: verify infers it");
    cr_assert_eq(p->time_multiplier, 5.0);
    cr_assert_eq(p->time_safety_margin, 2.0);
    cr_assert_eq(p->mem_kib, 64 * 1024);
    cr_assert_eq(p->output_kib, 1024);
    cr_assert_eq(p->checker, JD_CHECK_DEFAULT);
    cr_assert_eq(jd_problem_test_count(p), 3);
    cr_assert_str_eq(p->tests[0].name, "sample/1");
    cr_assert_str_eq(p->tests[1].name, "secret/01");
    cr_assert_str_eq(p->tests[2].name, "secret/02");
    cr_assert(p->groups[p->tests[0].group].is_sample);
    cr_assert_not(p->groups[p->tests[1].group].is_sample);
    cr_assert_eq(jd_strv_len(p->input_validators), 1);
    cr_assert(jd_has_suffix(p->input_validators[0], "input_validators/two_ints.py"));
    jd_problem_free(p);
}

Test(judge_problem, newer_formats)
{
    struct jd_problem *p = jt_problem("floats");
    cr_assert_str_eq(p->format_version, "2023-07-draft");
    cr_assert_str_eq(jd_problem_name(p), "Divide", "name map: the English one");
    cr_assert(jd_problem_time_limit_given(p));
    cr_assert_eq(p->time_multiplier, 2.0);
    cr_assert_eq(p->time_safety_margin, 1.5);
    /* output_validator_args from data/testdata.yaml reach every test */
    char **f = p->groups[p->tests[2].group].validator_flags;
    cr_assert(f && f[0] && f[1]);
    cr_assert_str_eq(f[0], "float_tolerance");
    cr_assert_str_eq(f[1], "1e-6");
    jd_problem_free(p);

    p = jt_problem("guess");
    cr_assert_str_eq(p->format_version, "2025-09");
    cr_assert(jd_problem_is_interactive(p));
    cr_assert_eq(p->checker, JD_CHECK_KATTIS);
    cr_assert(jd_has_suffix(p->checker_path, "output_validator"));
    /* an interactive test may have no .ans */
    cr_assert_str_eq(p->tests[2].ans_path, "");
    jd_problem_free(p);
}

Test(judge_problem, validators_found)
{
    struct jd_problem *p = jt_problem("pairs");
    cr_assert_eq(p->checker, JD_CHECK_KATTIS);
    cr_assert(jd_has_suffix(p->checker_path, "output_validators/pairs"));
    char **f = p->groups[0].validator_flags;
    cr_assert(f && f[0] && !strcmp(f[0], "max_value") && f[1] && !strcmp(f[1], "1000000"));
    cr_assert(p->groups[p->tests[1].group].validator_flags[0], "flags are inherited");
    jd_problem_free(p);

    p = jt_problem("permutation");
    cr_assert_eq(p->checker, JD_CHECK_TESTLIB);
    cr_assert(jd_has_suffix(p->checker_path, "checker.c"));
    jd_problem_free(p);
}

Test(judge_problem, groups_and_scores)
{
    struct jd_problem *p = jt_problem("triangle");
    cr_assert(jd_problem_is_scoring(p));
    cr_assert_eq(jd_problem_test_count(p), 5);
    cr_assert_str_eq(p->tests[1].name, "secret/group1/1");
    cr_assert_str_eq(p->tests[4].name, "secret/group2/2");
    const struct jd_group *g1 = &p->groups[p->tests[1].group];
    const struct jd_group *g2 = &p->groups[p->tests[4].group];
    cr_assert_str_eq(g1->name, "secret/group1");
    cr_assert(g1->aggregation_min && g2->aggregation_min);
    cr_assert_eq(g1->accept_score, 40);
    cr_assert_eq(g2->accept_score, 60);
    cr_assert(g1->on_reject_continue, "inherited from secret/testdata.yaml");
    jd_problem_free(p);
}

static void results_for(const struct jd_problem *p, struct jd_test_result *r, const jd_verdict *v)
{
    for (size_t i = 0; i < p->n_tests; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].verdict = v[i];
        r[i].score = NAN;
    }
}

Test(judge_problem, scoring_sum_of_min_groups)
{
    struct jd_problem *p = jt_problem("triangle");
    struct jd_test_result r[5];
    struct jd_report rep;
    jd_verdict all[] = {JD_AC, JD_AC, JD_AC, JD_AC, JD_AC};
    results_for(p, r, all);
    memset(&rep, 0, sizeof rep);
    jd_score(p, r, false, &rep);
    cr_assert_eq(rep.verdict, JD_AC);
    cr_assert_float_eq(rep.score, 100, 1e-9);
    cr_assert_float_eq(rep.max_score, 100, 1e-9);

    jd_verdict part[] = {JD_AC, JD_AC, JD_AC, JD_AC, JD_WA};
    results_for(p, r, part);
    jd_score(p, r, false, &rep);
    cr_assert_eq(rep.verdict, JD_WA);
    cr_assert_float_eq(rep.score, 40, 1e-9, "group 2 fails as a whole (min)");

    /* samples count for the verdict, not for the score */
    jd_verdict sample_only[] = {JD_WA, JD_AC, JD_AC, JD_AC, JD_AC};
    results_for(p, r, sample_only);
    jd_score(p, r, false, &rep);
    cr_assert_eq(rep.verdict, JD_WA);
    cr_assert_float_eq(rep.score, 100, 1e-9);
    jd_problem_free(p);
}

Test(judge_problem, on_reject_break_skips_the_rest)
{
    struct jd_problem *p = jt_problem("sum");
    struct jd_test_result r[3];
    bool need[3];
    jd_verdict v[] = {JD_AC, JD_TLE, JD_PENDING};
    results_for(p, r, v);
    jd_tests_needed(p, r, false, need);
    cr_assert(need[0] && need[1]);
    cr_assert_not(need[2], "pass-fail: the first rejection ends judging");
    jd_tests_needed(p, r, true, need);
    cr_assert(need[2], "--all judges everything");
    struct jd_report rep = {0};
    jd_score(p, r, false, &rep);
    cr_assert_eq(rep.verdict, JD_TLE);
    jd_problem_free(p);

    /* scoring problems continue by default */
    p = jt_problem("triangle");
    struct jd_test_result t[5];
    bool n5[5];
    jd_verdict w[] = {JD_AC, JD_WA, JD_PENDING, JD_PENDING, JD_PENDING};
    results_for(p, t, w);
    jd_tests_needed(p, t, false, n5);
    cr_assert(n5[2] && n5[3] && n5[4]);
    jd_problem_free(p);
}

Test(judge_problem, declared_group_score_and_score_txt, .fini = pkg_done)
{
    pkg_new();
    put("problem.yaml", "problem_format_version: 2023-07-draft\ntype: scoring\nlimits:\n  time_limit: 1\n");
    put("data/sample/1.in", "");
    put("data/sample/1.ans", "");
    put("data/secret/a/test_group.yaml", "scoring:\n  score: 30\n  aggregation: min\n");
    put("data/secret/a/1.in", "");
    put("data/secret/a/1.ans", "");
    put("data/secret/a/2.in", "");
    put("data/secret/a/2.ans", "");
    put("data/secret/b/test_group.yaml", "scoring:\n  score: 70\n");
    put("data/secret/b/1.in", "");
    put("data/secret/b/1.ans", "");
    put("data/secret/b/2.in", "");
    put("data/secret/b/2.ans", "");
    struct jd_problem *p;
    char err[JD_MSG_MAX];
    cr_assert_eq(load(&p, err), 0, "%s", err);
    struct jd_test_result r[5];
    jd_verdict v[] = {JD_AC, JD_AC, JD_AC, JD_AC, JD_WA};
    results_for(p, r, v);
    struct jd_report rep = {0};
    jd_score(p, r, false, &rep);
    cr_assert_float_eq(rep.max_score, 100, 1e-9);
    cr_assert_float_eq(rep.score, 30 + 35, 1e-9, "b sums: half of its tests");
    /* a validator's score.txt replaces accept_score */
    put("data/secret/b/testdata.yaml", "range: 0 20\n");
    jd_problem_free(p);
    cr_assert_eq(load(&p, err), 0, "%s", err);
    jd_score(p, r, false, &rep);
    cr_assert_float_eq(rep.score, 30 + 20, 1e-9, "b clamped to its range");
    put("data/secret/b/testdata.yaml", "");
    jd_problem_free(p);
    cr_assert_eq(load(&p, err), 0, "%s", err);
    r[1].score = 0.5;
    jd_score(p, r, false, &rep);
    cr_assert_float_eq(rep.score, 15 + 35, 1e-9, "a takes the min: 0.5 of 1");
    jd_problem_free(p);
}

static void expect_error(const char *needle)
{
    struct jd_problem *p = NULL;
    char err[JD_MSG_MAX] = "";
    int r = load(&p, err);
    cr_assert_lt(r, 0, "expected a load error mentioning %s", needle);
    cr_assert_null(p);
    cr_assert(strstr(err, needle), "error '%s' should mention '%s'", err, needle);
}

Test(judge_problem, missing_answer_names_the_file, .fini = pkg_done)
{
    pkg_new();
    put("problem.yaml", "name: x\n");
    put("data/secret/7.in", "1\n");
    expect_error("data/secret/7.in");
}

Test(judge_problem, bad_yaml_names_file_and_line, .fini = pkg_done)
{
    pkg_new();
    put("problem.yaml", "name: x\nlimits:\n  time_limit: [1\n");
    put("data/secret/1.in", "1\n");
    put("data/secret/1.ans", "1\n");
    expect_error("problem.yaml:");
}

Test(judge_problem, bad_values_are_rejected, .fini = pkg_done)
{
    pkg_new();
    put("problem.yaml", "limits:\n  time_limit: fast\n");
    put("data/secret/1.in", "1\n");
    put("data/secret/1.ans", "1\n");
    expect_error("time_limit");
    put("problem.yaml", "problem_format_version: 1999-01\n");
    expect_error("problem_format_version");
    put("problem.yaml", "type: multi-pass\n");
    expect_error("multi-pass");   /* needs a validator */
    put("problem.yaml", "limits:\n  validation_passes: 1\n");
    expect_error("validation_passes");
    put("problem.yaml", "name: x\n");
    put("data/secret/testdata.yaml", "on_reject: maybe\n");
    expect_error("data/secret/testdata.yaml");
}

Test(judge_problem, packages_without_tests, .fini = pkg_done)
{
    pkg_new();
    put("problem.yaml", "name: x\n");
    expect_error("data");
    put("data/sample/readme.txt", "no tests\n");
    expect_error("no tests");
}

Test(judge_problem, interactive_needs_a_validator, .fini = pkg_done)
{
    pkg_new();
    put("problem.yaml", "validation: custom interactive\n");
    put("data/secret/1.in", "1\n");
    expect_error("interactive");
}

Test(judge_problem, timelimit_file, .fini = pkg_done)
{
    pkg_new();
    put("problem.yaml", "name: x\n");
    put(".timelimit", "3\n");
    put("data/secret/1.in", "1\n");
    put("data/secret/1.ans", "1\n");
    struct jd_problem *p;
    char err[JD_MSG_MAX];
    cr_assert_eq(load(&p, err), 0, "%s", err);
    cr_assert_eq(jd_problem_time_limit(p), 3.0);
    cr_assert(jd_problem_time_limit_given(p));
    jd_problem_free(p);
}

Test(judge_problem, not_a_directory)
{
    struct jd_problem *p = NULL;
    char err[JD_MSG_MAX];
    cr_assert_lt(jd_problem_load("/nonexistent/problem", NULL, &p, err, sizeof err), 0);
    cr_assert(strstr(err, "/nonexistent/problem"), "%s", err);
}

Test(judge_problem, verdict_codes)
{
    jd_verdict v;
    for (int i = JD_AC; i <= JD_JE; i++) {
        cr_assert_eq(jd_verdict_parse(jd_verdict_code((jd_verdict)i), &v), 0);
        cr_assert_eq(v, (jd_verdict)i);
    }
    cr_assert_str_eq(jd_verdict_code(JD_MLE), "MLE");
    cr_assert_str_eq(jd_verdict_name(JD_TLE), "Time Limit Exceeded");
    cr_assert_eq(jd_verdict_parse("wrong_answer", &v), 0);
    cr_assert_eq(v, JD_WA);
    cr_assert_lt(jd_verdict_parse("XYZ", &v), 0);
}

/* ---- interactive verdict rules (pure) ----------------------------------- */

static struct sb_result sbr(sb_status st, int code, int sig)
{
    struct sb_result r;
    memset(&r, 0, sizeof r);
    r.status = st;
    r.exit_code = code;
    r.signal = sig;
    return r;
}

Test(judge_problem, interactive_verdicts)
{
    char msg[JD_MSG_MAX];
    struct sb_result ok = sbr(SB_OK, 0, 0), acc = sbr(SB_RE, 42, 0), rej = sbr(SB_RE, 43, 0);
    cr_assert_eq(jd_interactive_verdict(&ok, &acc, false, "", msg, sizeof msg), JD_AC);
    cr_assert_eq(jd_interactive_verdict(&ok, &rej, false, "too many guesses", msg, sizeof msg), JD_WA);
    cr_assert_str_eq(msg, "too many guesses");
    /* the validator must say 42 or 43 */
    struct sb_result v0 = sbr(SB_OK, 0, 0), vto = sbr(SB_TO, 0, 0), vseg = sbr(SB_SG, 0, 11);
    cr_assert_eq(jd_interactive_verdict(&ok, &v0, false, "", msg, sizeof msg), JD_JE);
    cr_assert(strstr(msg, "exit code 0"), "%s", msg);
    cr_assert_eq(jd_interactive_verdict(&ok, &vto, false, "", msg, sizeof msg), JD_JE);
    cr_assert_eq(jd_interactive_verdict(&ok, &vseg, false, "", msg, sizeof msg), JD_JE);
    /* the submission's own limits win over the rejection they caused */
    struct sb_result to = sbr(SB_TO, 0, 0), ml = sbr(SB_ML, 0, 0);
    cr_assert_eq(jd_interactive_verdict(&to, &rej, false, "", msg, sizeof msg), JD_TLE);
    cr_assert_eq(jd_interactive_verdict(&ml, &rej, false, "", msg, sizeof msg), JD_MLE);
    /* crashes */
    struct sb_result segv = sbr(SB_SG, 0, SIGSEGV), pipe = sbr(SB_SG, 0, SIGPIPE), re = sbr(SB_RE, 3, 0);
    cr_assert_eq(jd_interactive_verdict(&segv, &rej, false, "", msg, sizeof msg), JD_RTE);
    cr_assert_eq(jd_interactive_verdict(&segv, &acc, false, "", msg, sizeof msg), JD_RTE);
    cr_assert_eq(jd_interactive_verdict(&re, &acc, false, "", msg, sizeof msg), JD_RTE);
    /* hung up on by a validator that rejected early: wrong answer */
    cr_assert_eq(jd_interactive_verdict(&pipe, &rej, false, "", msg, sizeof msg), JD_WA);
    cr_assert_eq(jd_interactive_verdict(&re, &rej, false, "", msg, sizeof msg), JD_WA);
    /* an error exit before the validator ended (problemtools guess_rte.c:
     * exits 42 at once; the validator rejects the EOF it then reads) */
    cr_assert_eq(jd_interactive_verdict(&re, &rej, true, "", msg, sizeof msg), JD_RTE);
    /* a clean exit first stays the validator's call */
    cr_assert_eq(jd_interactive_verdict(&ok, &rej, true, "", msg, sizeof msg), JD_WA);
    struct sb_result xx = sbr(SB_XX, 0, 0);
    cr_assert_eq(jd_interactive_verdict(&xx, &acc, false, "", msg, sizeof msg), JD_JE);
}

/* ---- numbers out of range: refused with the file, the line and the key --------- */

Test(judge_problem, huge_limits_name_file_line_and_key, .fini = pkg_done)
{
    pkg_new();
    put("data/secret/1.in", "1\n");
    put("data/secret/1.ans", "1\n");
    /* (uint64_t)(1e300 * 1024) was undefined behaviour, and a wrapped limit */
    put("problem.yaml", "name: x\nlimits:\n  memory: 1e300\n");
    expect_error("problem.yaml:3: bad limits.memory '1e300'");
    put("problem.yaml", "name: x\nlimits:\n  output: 5e15\n");
    expect_error("problem.yaml:3: bad limits.output");
    put("problem.yaml", "limits:\n  code: -1\n");
    expect_error("problem.yaml:2: bad limits.code");
    /* 0.0001 MiB truncated to 0 KiB, which means no limit at all */
    put("problem.yaml", "limits:\n  memory: 0.0001\n");
    expect_error("problem.yaml:2: bad limits.memory");
    put("problem.yaml", "limits:\n  time_limit: 1e300\n");
    expect_error("problem.yaml:2: bad limits.time_limit");
    put("problem.yaml", "limits:\n  time_limit: .inf\n");
    expect_error("limits.time_limit");
    put("problem.yaml", "limits:\n  time_limit: inf\n");
    expect_error("problem.yaml:2: bad limits.time_limit");
    put("problem.yaml", "limits:\n  compilation_time: nan\n");
    expect_error("problem.yaml:2: bad limits.compilation_time");
    put("problem.yaml", "limits:\n  validation_passes: 1e300\n");
    expect_error("problem.yaml:2: bad limits.validation_passes");
}

Test(judge_problem, negative_time_multipliers_name_the_line, .fini = pkg_done)
{
    pkg_new();
    put("data/secret/1.in", "1\n");
    put("data/secret/1.ans", "1\n");
    put("problem.yaml", "name: x\nlimits:\n  time_multiplier: -1\n");
    expect_error("problem.yaml:3: bad limits.time_multiplier '-1'");
    put("problem.yaml", "problem_format_version: 2023-07-draft\nlimits:\n  time_multipliers:\n"
                        "    ac_to_time_limit: 2\n    time_limit_to_tle: -1.5\n");
    expect_error("problem.yaml:5: bad limits.time_multipliers.time_limit_to_tle '-1.5'");
    put("problem.yaml", "limits:\n  time_safety_margin: 1e9\n");
    expect_error("problem.yaml:2: bad limits.time_safety_margin");
    /* in range still loads */
    put("problem.yaml", "limits:\n  time_multiplier: 3\n  memory: 512\n");
    struct jd_problem *p = NULL;
    char err[JD_MSG_MAX] = "";
    cr_assert_eq(load(&p, err), 0, "%s", err);
    cr_assert_eq(p->mem_kib, 512 * 1024);
    jd_problem_free(p);
}

Test(judge_problem, testdata_scores_and_timelimit_file_out_of_range, .fini = pkg_done)
{
    pkg_new();
    put("problem.yaml", "name: x\ntype: scoring\n");
    put("data/secret/1.in", "1\n");
    put("data/secret/1.ans", "1\n");
    put("data/secret/testdata.yaml", "on_reject: continue\naccept_score: nan\n");
    expect_error("data/secret/testdata.yaml:2: bad accept_score");
    put("data/secret/testdata.yaml", "max_score: 1e300\n");
    expect_error("data/secret/testdata.yaml:1: bad max_score");
    put("data/secret/testdata.yaml", "range: nan 5\n");
    expect_error("range");
    put("data/secret/testdata.yaml", "range: -inf inf\n"); /* the format's own default */
    struct jd_problem *p = NULL;
    char err[JD_MSG_MAX] = "";
    cr_assert_eq(load(&p, err), 0, "%s", err);
    jd_problem_free(p);
    put("data/secret/testdata.yaml", "range: 0 100\n");
    put(".timelimit", "1e300\n");
    expect_error(".timelimit");
    put(".timelimit", "nan\n");
    expect_error(".timelimit");
}
