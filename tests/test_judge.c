/*
 * test_judge.c - judging through the library with the real sandbox and real
 * compilers: every verdict, checkers, interactive problems, scoring,
 * parallel boxes, and the Judge0-style single run.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include "judge/internal.h"
#include "tests/test_judge_util.h"

static struct sb_slot *slots[4];
static int n_open;
static struct jd_langs *langs;

static void setup(int n)
{
    jt_slots(slots, n);
    n_open = n;
    langs = jt_langs();
}

static void teardown(void)
{
    jt_close_slots(slots, n_open);
    n_open = 0;
    jd_langs_free(langs);
    langs = NULL;
}

struct judged {
    struct jd_report rep;
    int progress_calls;
};

static void count_progress(void *ctx, const struct jd_report *r, size_t i, size_t n)
{
    ((struct judged *)ctx)->progress_calls++;
}

/* Judge testdata/problems/PROB/submissions/SUB. */
static void judge_opts(const char *prob, const char *sub, double tl, bool all, int parallel,
                       size_t n_slots, struct judged *out)
{
    char rel[512], err[JD_MSG_MAX];
    struct jd_problem *p = jt_problem(prob);
    snprintf(rel, sizeof rel, "testdata/problems/%s/submissions/%s", prob, sub);
    const char *src = jt_path(rel);
    const struct jd_lang *l = jd_lang_for_path(langs, src);
    cr_assert(l, "no language for %s", src);
    if (!l->available)
        cr_skip_test("%s is not installed", l->id);
    struct jd_judge_options o = {
        .run_all = all, .parallel = parallel, .slots = slots, .n_slots = n_slots, .langs = langs,
        .time_limit_s = tl, .progress = count_progress, .progress_ctx = out,
    };
    memset(out, 0, sizeof *out);
    int r = jd_judge(p, l, src, &o, &out->rep, err, sizeof err);
    cr_assert_eq(r, 0, "jd_judge: %s", err);
    jd_problem_free(p);
}

static struct judged judge(const char *prob, const char *sub)
{
    struct judged j;
    judge_opts(prob, sub, 1.0, false, 1, (size_t)n_open, &j);
    return j;
}

#define EXPECT(j, v) cr_assert_eq((j).rep.verdict, (v), "got %s, expected %s: %s", \
    jd_verdict_code((j).rep.verdict), jd_verdict_code(v), (j).rep.message)

Test(judge_run, accepted_in_four_languages, .fini = teardown, .timeout = 120)
{
    setup(1);
    static const char *const subs[] = {"accepted/sum.c", "accepted/sum.cpp", "accepted/sum.py",
                                       "accepted/Sum.java"};
    for (int i = 0; i < 4; i++) {
        struct judged j = judge("sum", subs[i]);
        EXPECT(j, JD_AC);
        cr_assert_eq(j.rep.n_tests, 3, "%s", subs[i]);
        cr_assert_eq(j.progress_calls, 4, "compile + one per test");
        for (size_t t = 0; t < 3; t++)
            cr_assert_eq(j.rep.tests[t].verdict, JD_AC);
        cr_assert_gt(j.rep.max_mem_kib, 0);
        jd_report_free(&j.rep);
    }
}

Test(judge_run, rejections, .fini = teardown, .timeout = 120)
{
    setup(1);
    struct { const char *sub; jd_verdict v; } c[] = {
        {"wrong_answer/minus.py", JD_WA},
        {"wrong_answer/int_overflow.c", JD_WA},
        {"time_limit_exceeded/spin.c", JD_TLE},
        {"time_limit_exceeded/sleep.py", JD_TLE},
        {"memory_limit_exceeded/hog.c", JD_MLE},
        {"memory_limit_exceeded/hog.cpp", JD_MLE},
        {"output_limit_exceeded/flood.c", JD_OLE},
        {"run_time_error/raise.py", JD_RTE},
    };
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        struct judged j = judge("sum", c[i].sub);
        EXPECT(j, c[i].v);
        cr_assert_eq(j.rep.tests[j.rep.n_tests - 1].verdict, c[i].v, "%s", c[i].sub);
        jd_report_free(&j.rep);
    }
}

Test(judge_run, crash_reports_the_signal, .fini = teardown)
{
    setup(1);
    struct judged j = judge("sum", "run_time_error/segv.c");
    EXPECT(j, JD_RTE);
    cr_assert_eq(j.rep.tests[0].signal, SIGSEGV);
    cr_assert(strstr(j.rep.tests[0].message, "SEGV"), "%s", j.rep.tests[0].message);
    jd_report_free(&j.rep);
}

Test(judge_run, compile_errors, .fini = teardown, .timeout = 120)
{
    setup(1);
    struct judged j = judge("sum", "compile_error/syntax.c");
    EXPECT(j, JD_CE);
    cr_assert(j.rep.compile_output && strstr(j.rep.compile_output, "error"), "%s",
              j.rep.compile_output ? j.rep.compile_output : "(none)");
    cr_assert_eq(j.rep.n_tests, 0);
    jd_report_free(&j.rep);

    /* #include "/dev/random": stopped by the compile limits, not a stall */
    j = judge("sum", "compile_error/dev_random.c");
    EXPECT(j, JD_CE);
    cr_assert(j.rep.compile_output && strlen(j.rep.compile_output) <= JD_COMPILE_OUTPUT_CAP + 200);
    jd_report_free(&j.rep);

    j = judge("hello", "compile_error/Main.java");
    EXPECT(j, JD_CE);
    cr_assert(strstr(j.rep.compile_output, "Main.java"), "%s", j.rep.compile_output);
    jd_report_free(&j.rep);
}

Test(judge_run, first_rejection_stops_unless_all, .fini = teardown)
{
    setup(1);
    struct judged j;
    judge_opts("sum", "wrong_answer/minus.py", 1.0, false, 1, 1, &j);
    EXPECT(j, JD_WA);
    cr_assert_eq(j.rep.n_tests, 1, "pass-fail: stops at the sample");
    jd_report_free(&j.rep);
    judge_opts("sum", "wrong_answer/minus.py", 1.0, true, 1, 1, &j);
    EXPECT(j, JD_WA);
    cr_assert_eq(j.rep.n_tests, 3, "--all: every test");
    for (int i = 0; i < 3; i++)
        cr_assert_eq(j.rep.tests[i].verdict, JD_WA, "a - b is wrong on every test");
    jd_report_free(&j.rep);
}

Test(judge_run, parallel_boxes_same_result, .fini = teardown)
{
    setup(2);
    struct judged j;
    judge_opts("triangle", "partially_accepted/int32.cpp", 1.0, false, 2, 2, &j);
    EXPECT(j, JD_WA);
    cr_assert_eq(j.rep.n_tests, 5);
    static const char *const names[] = {"sample/1", "secret/group1/1", "secret/group1/2",
                                        "secret/group2/1", "secret/group2/2"};
    for (int i = 0; i < 5; i++)
        cr_assert_str_eq(j.rep.tests[i].name, names[i], "tests are reported in problem order");
    cr_assert_float_eq(j.rep.score, 40, 1e-9);
    cr_assert_float_eq(j.rep.max_score, 100, 1e-9);
    jd_report_free(&j.rep);
}

Test(judge_run, scoring_full_marks, .fini = teardown)
{
    setup(1);
    struct judged j = judge("triangle", "accepted/formula.py");
    EXPECT(j, JD_AC);
    cr_assert_float_eq(j.rep.score, 100, 1e-9);
    jd_report_free(&j.rep);
}

Test(judge_run, float_tolerance, .fini = teardown)
{
    setup(1);
    struct judged j = judge("floats", "accepted/relative.cpp");
    EXPECT(j, JD_AC);
    jd_report_free(&j.rep);
    j = judge("floats", "wrong_answer/two_decimals.c");
    EXPECT(j, JD_WA);
    cr_assert(strstr(j.rep.message, "difference"), "%s", j.rep.message);
    jd_report_free(&j.rep);
}

Test(judge_run, kattis_validator_messages, .fini = teardown)
{
    setup(1);
    struct judged j = judge("pairs", "accepted/one.py");
    EXPECT(j, JD_AC);
    jd_report_free(&j.rep);
    j = judge("pairs", "wrong_answer/zero.c");
    EXPECT(j, JD_WA);
    cr_assert(strstr(j.rep.tests[0].message, "out of range"), "judgemessage.txt: %s",
              j.rep.tests[0].message);
    jd_report_free(&j.rep);
}

Test(judge_run, testlib_checker_codes, .fini = teardown)
{
    setup(1);
    struct judged j = judge("permutation", "accepted/rotate.py");
    EXPECT(j, JD_AC);
    jd_report_free(&j.rep);
    j = judge("permutation", "wrong_answer/repeat.c");
    EXPECT(j, JD_WA);
    cr_assert(strstr(j.rep.message, "repeated"), "%s", j.rep.message);
    jd_report_free(&j.rep);
    j = judge("permutation", "presentation_error/commas.py");
    EXPECT(j, JD_PE);
    jd_report_free(&j.rep);
}

Test(judge_run, interactive, .fini = teardown, .timeout = 150)
{
    setup(2);
    struct judged j = judge("guess", "accepted/binary.py");
    EXPECT(j, JD_AC);
    cr_assert_eq(j.rep.n_tests, 3);
    jd_report_free(&j.rep);
    j = judge("guess", "wrong_answer/linear.c");
    EXPECT(j, JD_WA);
    cr_assert(strstr(j.rep.message, "too many guesses"), "%s", j.rep.message);
    jd_report_free(&j.rep);
    j = judge("guess", "time_limit_exceeded/no_flush.c");
    EXPECT(j, JD_TLE);
    jd_report_free(&j.rep);
    j = judge("guess", "run_time_error/crash.py");
    EXPECT(j, JD_RTE);
    jd_report_free(&j.rep);
}

Test(judge_run, interactive_with_one_slot_is_a_judging_error, .fini = teardown)
{
    setup(1);
    struct judged j;
    judge_opts("guess", "accepted/binary.c", 1.0, false, 1, 1, &j);
    EXPECT(j, JD_JE);
    cr_assert(strstr(j.rep.message, "two box slots"), "%s", j.rep.message);
    jd_report_free(&j.rep);
}

/* A copy of the pairs problem with a different validator. */
static char tmpd[256];
static void broken_validator(const char *code)
{
    snprintf(tmpd, sizeof tmpd, "/tmp/nsjudge-bv-XXXXXX");
    cr_assert(mkdtemp(tmpd));
    char dst[512];
    snprintf(dst, sizeof dst, "%s/p", tmpd);
    cr_assert_eq(jd_copy_tree(jt_path("testdata/problems/pairs"), dst), 0);
    snprintf(dst, sizeof dst, "%s/p/output_validators/pairs/validate.c", tmpd);
    cr_assert_eq(jd_write_file(dst, code, strlen(code), 0644), 0);
}

static struct judged judge_tmp(void)
{
    struct judged j;
    char dir[512], err[JD_MSG_MAX];
    snprintf(dir, sizeof dir, "%s/p", tmpd);
    struct jd_problem *p = NULL;
    cr_assert_eq(jd_problem_load(dir, NULL, &p, err, sizeof err), 0, "%s", err);
    struct jd_judge_options o = {.slots = slots, .n_slots = 1, .langs = langs};
    memset(&j, 0, sizeof j);
    cr_assert_eq(jd_judge(p, jd_lang_by_id(langs, "c"), jt_path("testdata/problems/pairs/submissions/accepted/half.c"),
                          &o, &j.rep, err, sizeof err), 0, "%s", err);
    jd_problem_free(p);
    return j;
}

static void teardown_tmp(void)
{
    teardown();
    sb_rm_rf(tmpd);
}

Test(judge_run, validator_that_does_not_compile, .fini = teardown_tmp)
{
    setup(1);
    broken_validator("int main(void) { return 42 }\n");
    struct judged j = judge_tmp();
    EXPECT(j, JD_JE);
    cr_assert(strstr(j.rep.message, "output_validators/pairs"), "names the validator: %s", j.rep.message);
    cr_assert(strstr(j.rep.message, "does not compile"), "%s", j.rep.message);
    jd_report_free(&j.rep);
}

Test(judge_run, validator_with_a_bad_exit_code, .fini = teardown_tmp)
{
    setup(1);
    broken_validator("int main(void) { return 0; }\n");
    struct judged j = judge_tmp();
    EXPECT(j, JD_JE);
    cr_assert(strstr(j.rep.message, "exit code 0"), "%s", j.rep.message);
    jd_report_free(&j.rep);
}

Test(judge_run, input_validators, .fini = teardown)
{
    setup(1);
    static const char *const probs[] = {"sum", "triangle"};
    static const size_t counts[] = {3, 5};
    for (int k = 0; k < 2; k++) {
        struct jd_problem *p = jt_problem(probs[k]);
        struct jd_input_result *v = NULL;
        size_t n = 0;
        char err[JD_MSG_MAX];
        cr_assert_eq(jd_validate_inputs(p, langs, slots[0], &v, &n, err, sizeof err), 0, "%s", err);
        cr_assert_eq(n, counts[k], "%s: one check per input", probs[k]);
        for (size_t i = 0; i < n; i++)
            cr_assert(v[i].valid, "%s %s: %s", probs[k], v[i].test, v[i].message);
        jd_input_results_free(v, n);
        jd_problem_free(p);
    }
}

/* Hello World in every language of the table that is installed here. */
Test(judge_run, every_installed_language, .fini = teardown, .timeout = 180)
{
    setup(1);
    static const struct { const char *lang, *file, *code; } progs[] = {
        {"c", "a.c", "#include <stdio.h>\nint main(void){puts(\"Hello, World!\");return 0;}\n"},
        {"cpp", "a.cpp", "#include <iostream>\nint main(){std::cout<<\"Hello, World!\\n\";}\n"},
        {"python3", "a.py", "print('Hello, World!')\n"},
        {"java", "Main.java", "public class Main{public static void main(String[] a){System.out.println(\"Hello, World!\");}}\n"},
        {"rust", "a.rs", "fn main() { println!(\"Hello, World!\"); }\n"},
        {"javascript", "a.js", "console.log('Hello, World!');\n"},
        {"pascal", "a.pas", "program Hello;\nbegin\n  writeln('Hello, World!');\nend.\n"},
        {"perl", "a.pl", "print \"Hello, World!\\n\";\n"},
        {"fortran", "a.f90", "program hello\n  print '(A)', 'Hello, World!'\nend program hello\n"},
        {"ada", "a.adb", "with Ada.Text_IO;\nprocedure Main is\nbegin\n   Ada.Text_IO.Put_Line (\"Hello, World!\");\nend Main;\n"},
        {"bash", "a.sh", "echo 'Hello, World!'\n"},
        {"text", "a.txt", "Hello, World!\n"},
    };
    char dir[] = "/tmp/nsjudge-langs-XXXXXX", err[JD_MSG_MAX];
    cr_assert(mkdtemp(dir));
    struct jd_problem *p = jt_problem("hello");
    int judged = 0;
    for (size_t i = 0; i < sizeof progs / sizeof *progs; i++) {
        const struct jd_lang *l = jd_lang_by_id(langs, progs[i].lang);
        cr_assert(l, "%s", progs[i].lang);
        if (!l->available) {
            cr_log_warn("%s is not installed: skipped", progs[i].lang);
            continue;
        }
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, progs[i].file);
        cr_assert_eq(jd_write_file(path, progs[i].code, strlen(progs[i].code), 0644), 0);
        struct jd_judge_options o = {.slots = slots, .n_slots = 1, .langs = langs};
        struct jd_report rep;
        cr_assert_eq(jd_judge(p, l, path, &o, &rep, err, sizeof err), 0, "%s", err);
        cr_assert_eq(rep.verdict, JD_AC, "%s: %s: %s %s", progs[i].lang, jd_verdict_code(rep.verdict),
                     rep.message, rep.compile_output ? rep.compile_output : "");
        jd_report_free(&rep);
        judged++;
    }
    cr_assert_geq(judged, 4, "C, C++, Python 3 and Java at least");
    jd_problem_free(p);
    sb_rm_rf(dir);
}

Test(judge_run, python_output_validator, .fini = teardown_tmp)
{
    setup(1);
    broken_validator("");   /* a copy of pairs; its C validator replaced below */
    char path[512];
    snprintf(path, sizeof path, "%s/p/output_validators/pairs/validate.c", tmpd);
    unlink(path);
    snprintf(path, sizeof path, "%s/p/output_validators/pairs/validate.h", tmpd);
    unlink(path);
    const char *py =
        "import sys\n"
        "n = int(open(sys.argv[1]).read())\n"
        "try:\n"
        "    x, y = map(int, sys.stdin.read().split())\n"
        "except ValueError:\n"
        "    sys.exit(43)\n"
        "if x < 1 or y < 1 or x + y != n:\n"
        "    open(sys.argv[3] + 'judgemessage.txt', 'w').write('python says no')\n"
        "    sys.exit(43)\n"
        "sys.exit(42)\n";
    snprintf(path, sizeof path, "%s/p/output_validators/pairs/validate.py", tmpd);
    cr_assert_eq(jd_write_file(path, py, strlen(py), 0644), 0);
    struct judged j = judge_tmp();
    EXPECT(j, JD_AC);
    jd_report_free(&j.rep);

    char dir[512], err[JD_MSG_MAX];
    snprintf(dir, sizeof dir, "%s/p", tmpd);
    struct jd_problem *p = NULL;
    cr_assert_eq(jd_problem_load(dir, NULL, &p, err, sizeof err), 0, "%s", err);
    struct jd_judge_options o = {.slots = slots, .n_slots = 1, .langs = langs};
    struct jd_report rep;
    cr_assert_eq(jd_judge(p, jd_lang_by_id(langs, "c"), jt_path("testdata/problems/pairs/submissions/wrong_answer/zero.c"),
                          &o, &rep, err, sizeof err), 0, "%s", err);
    cr_assert_eq(rep.verdict, JD_WA);
    cr_assert(strstr(rep.message, "python says no"), "%s", rep.message);
    jd_report_free(&rep);
    jd_problem_free(p);
}

Test(judge_run, testlib_partial_points, .fini = teardown_tmp)
{
    setup(1);
    snprintf(tmpd, sizeof tmpd, "/tmp/nsjudge-pts-XXXXXX");
    cr_assert(mkdtemp(tmpd));
    char dst[512], err[JD_MSG_MAX];
    snprintf(dst, sizeof dst, "%s/p", tmpd);
    cr_assert_eq(jd_copy_tree(jt_path("testdata/problems/permutation"), dst), 0);
    const char *y = "name: points\ntype: scoring\nlimits:\n  time_limit: 1\n";
    const char *chk = "#include <stdio.h>\nint main(void) { fprintf(stderr, \"points 0.25 partly right\\n\"); return 7; }\n";
    snprintf(dst, sizeof dst, "%s/p/problem.yaml", tmpd);
    cr_assert_eq(jd_write_file(dst, y, strlen(y), 0644), 0);
    snprintf(dst, sizeof dst, "%s/p/checker.c", tmpd);
    cr_assert_eq(jd_write_file(dst, chk, strlen(chk), 0644), 0);
    snprintf(dst, sizeof dst, "%s/p", tmpd);
    struct jd_problem *p = NULL;
    cr_assert_eq(jd_problem_load(dst, NULL, &p, err, sizeof err), 0, "%s", err);
    struct jd_judge_options o = {.slots = slots, .n_slots = 1, .langs = langs};
    struct jd_report rep;
    cr_assert_eq(jd_judge(p, jd_lang_by_id(langs, "c"), jt_path("testdata/problems/permutation/submissions/accepted/reverse.c"),
                          &o, &rep, err, sizeof err), 0, "%s", err);
    cr_assert_eq(rep.verdict, JD_AC, "%s: %s", jd_verdict_code(rep.verdict), rep.message);
    cr_assert_eq(rep.n_tests, 3);
    cr_assert_float_eq(rep.tests[1].score, 0.25, 1e-9);
    cr_assert_float_eq(rep.score, 0.5, 1e-9, "two secret tests at 0.25 (samples do not count)");
    cr_assert(strstr(rep.tests[1].message, "partly right"), "%s", rep.tests[1].message);
    jd_report_free(&rep);
    jd_problem_free(p);
}

Test(judge_run, package_compile_limits, .fini = teardown_tmp)
{
    setup(1);
    snprintf(tmpd, sizeof tmpd, "/tmp/nsjudge-cl-XXXXXX");
    cr_assert(mkdtemp(tmpd));
    char dst[512], err[JD_MSG_MAX];
    snprintf(dst, sizeof dst, "%s/p", tmpd);
    cr_assert_eq(jd_copy_tree(jt_path("testdata/problems/floats"), dst), 0);
    const char *y = "problem_format_version: 2023-07-draft\nlimits:\n  time_limit: 1\n  compilation_memory: 4\n";
    snprintf(dst, sizeof dst, "%s/p/problem.yaml", tmpd);
    cr_assert_eq(jd_write_file(dst, y, strlen(y), 0644), 0);
    snprintf(dst, sizeof dst, "%s/p", tmpd);
    struct jd_problem *p = NULL;
    cr_assert_eq(jd_problem_load(dst, NULL, &p, err, sizeof err), 0, "%s", err);
    struct jd_judge_options o = {.slots = slots, .n_slots = 1, .langs = langs};
    struct jd_report rep;
    cr_assert_eq(jd_judge(p, jd_lang_by_id(langs, "cpp"), jt_path("testdata/problems/floats/submissions/accepted/relative.cpp"),
                          &o, &rep, err, sizeof err), 0, "%s", err);
    cr_assert_eq(rep.verdict, JD_CE, "a 4 MiB compile limit: %s", jd_verdict_code(rep.verdict));
    jd_report_free(&rep);
    jd_problem_free(p);
}

Test(judge_run, multi_pass, .fini = teardown_tmp)
{
    setup(1);
    struct judged j = judge("doubling", "accepted/double.c");
    EXPECT(j, JD_AC);
    jd_report_free(&j.rep);
    j = judge("doubling", "wrong_answer/small_only.py");
    EXPECT(j, JD_WA);
    cr_assert(strstr(j.rep.message, "1003"), "the second pass ran on nextpass.in: %s", j.rep.message);
    jd_report_free(&j.rep);

    /* a validator that always asks for one more pass runs out of passes: JE */
    snprintf(tmpd, sizeof tmpd, "/tmp/nsjudge-mp-XXXXXX");
    cr_assert(mkdtemp(tmpd));
    char dst[512], err[JD_MSG_MAX];
    snprintf(dst, sizeof dst, "%s/p", tmpd);
    cr_assert_eq(jd_copy_tree(jt_path("testdata/problems/doubling"), dst), 0);
    const char *v = "#include <stdio.h>\nint main(int c, char **v) { char p[4096];\n"
                    "  snprintf(p, sizeof p, \"%s/nextpass.in\", v[3]);\n"
                    "  FILE *f = fopen(p, \"w\"); fputs(\"5\\n\", f); fclose(f); return 42; }\n";
    snprintf(dst, sizeof dst, "%s/p/output_validator/validate.c", tmpd);
    cr_assert_eq(jd_write_file(dst, v, strlen(v), 0644), 0);
    snprintf(dst, sizeof dst, "%s/p", tmpd);
    struct jd_problem *p = NULL;
    cr_assert_eq(jd_problem_load(dst, NULL, &p, err, sizeof err), 0, "%s", err);
    struct jd_judge_options o = {.slots = slots, .n_slots = 1, .langs = langs};
    struct jd_report rep;
    cr_assert_eq(jd_judge(p, jd_lang_by_id(langs, "c"), jt_path("testdata/problems/doubling/submissions/accepted/double.c"),
                          &o, &rep, err, sizeof err), 0, "%s", err);
    cr_assert_eq(rep.verdict, JD_JE, "%s", jd_verdict_code(rep.verdict));
    cr_assert(strstr(rep.message, "validation_passes"), "%s", rep.message);
    jd_report_free(&rep);
    jd_problem_free(p);
}

Test(judge_run, single_file_checker_with_its_header, .fini = teardown_tmp)
{
    setup(1);
    /* permutation's checker, but its verdict codes come from a header beside it */
    snprintf(tmpd, sizeof tmpd, "/tmp/nsjudge-hdr-XXXXXX");
    cr_assert(mkdtemp(tmpd));
    char dst[512], err[JD_MSG_MAX];
    snprintf(dst, sizeof dst, "%s/p", tmpd);
    cr_assert_eq(jd_copy_tree(jt_path("testdata/problems/permutation"), dst), 0);
    char *code = NULL;
    cr_assert_eq(jd_read_file(jt_path("testdata/problems/permutation/checker.c"), 1 << 20, &code, NULL), 0);
    char *with = jd_asprintf("#include \"verdicts.h\"\n%s", code);
    snprintf(dst, sizeof dst, "%s/p/checker.c", tmpd);
    cr_assert_eq(jd_write_file(dst, with, strlen(with), 0644), 0);
    const char *h = "#define CHECKER_USES_A_HEADER 1\n";
    snprintf(dst, sizeof dst, "%s/p/verdicts.h", tmpd);
    cr_assert_eq(jd_write_file(dst, h, strlen(h), 0644), 0);
    free(code);
    free(with);
    snprintf(dst, sizeof dst, "%s/p", tmpd);
    struct jd_problem *p = NULL;
    cr_assert_eq(jd_problem_load(dst, NULL, &p, err, sizeof err), 0, "%s", err);
    struct jd_judge_options o = {.slots = slots, .n_slots = 1, .langs = langs};
    struct jd_report rep;
    cr_assert_eq(jd_judge(p, jd_lang_by_id(langs, "python3"),
                          jt_path("testdata/problems/permutation/submissions/accepted/rotate.py"), &o, &rep,
                          err, sizeof err), 0, "%s", err);
    cr_assert_eq(rep.verdict, JD_AC, "%s: %s", jd_verdict_code(rep.verdict), rep.message);
    jd_report_free(&rep);
    jd_problem_free(p);
}

/* ---- jd_run_single ------------------------------------------------------ */

static char scratch[256];

static void single(const char *lang, const char *src, const char *in, const char *expected,
                   struct jd_single_request *rq, struct jd_single_result *res)
{
    snprintf(scratch, sizeof scratch, "/tmp/nsjudge-single-XXXXXX");
    cr_assert(mkdtemp(scratch));
    rq->lang = jd_lang_by_id(langs, lang);
    cr_assert(rq->lang);
    rq->source = src;
    rq->source_len = strlen(src);
    rq->stdin_data = in;
    rq->stdin_len = in ? strlen(in) : 0;
    rq->expected = expected;
    rq->expected_len = expected ? strlen(expected) : 0;
    if (!rq->limits.cpu_s)
        rq->limits.cpu_s = 2;
    if (!rq->limits.mem_kib)
        rq->limits.mem_kib = 256 * 1024;
    cr_assert_eq(jd_run_single(slots[0], rq, scratch, res), 0);
}

static void teardown_single(void)
{
    teardown();
    sb_rm_rf(scratch);
}

Test(judge_single, accepted_and_wrong, .fini = teardown_single)
{
    setup(1);
    struct jd_single_request rq = {0};
    struct jd_single_result res;
    single("python3", "print(int(input()) * 2)\n", "21\n", "42\n", &rq, &res);
    cr_assert_eq(res.verdict, JD_AC, "%s", res.message);
    cr_assert_str_eq(res.stdout_data, "42\n");
    cr_assert_eq(res.status, SB_OK);
    jd_single_result_free(&res);
    sb_rm_rf(scratch);
    struct jd_single_request rq2 = {0};
    single("c", "#include <stdio.h>\nint main(void){puts(\"41\");return 0;}\n", "", "42", &rq2, &res);
    cr_assert_eq(res.verdict, JD_WA, "%s", res.message);
    jd_single_result_free(&res);
}

/* one more job in the same scratch dir, as a service worker runs them */
static void single_again(const char *lang, const char *src, struct jd_single_request *rq,
                         struct jd_single_result *res)
{
    rq->lang = jd_lang_by_id(langs, lang);
    rq->source = src;
    rq->source_len = strlen(src);
    rq->limits.cpu_s = 2;
    rq->limits.mem_kib = 256 * 1024;
    cr_assert_eq(jd_run_single(slots[0], rq, scratch, res), 0);
}

static bool mounted_under(const char *dir)
{
    FILE *f = fopen("/proc/self/mounts", "re");
    char line[4096];
    bool found = false;
    while (f && fgets(line, sizeof line, f))
        found |= strstr(line, dir) != NULL;
    if (f)
        fclose(f);
    return found;
}

/* A worker's scratch dir serves job after job: what one job left (its
 * stderr file, a killed judge's tmpfs mount) must not reach the next, and
 * an interpreted program's dir is a plain directory (no tmpfs per job). */
Test(judge_single, scratch_reused_across_jobs, .fini = teardown_single)
{
    setup(1);
    struct jd_single_request rq = {0};
    struct jd_single_result res;
    single("bash", "echo out; echo first-err >&2\n", NULL, NULL, &rq, &res);
    cr_assert_eq(res.verdict, JD_AC, "%s", res.message);
    cr_assert_str_eq(res.stderr_data, "first-err\n");
    jd_single_result_free(&res);

    /* stderr into stdout: the earlier job's stderr file is not read back */
    struct jd_single_request rq2 = {.redirect_stderr_to_stdout = true};
    single_again("bash", "echo two\n", &rq2, &res);
    cr_assert_eq(res.verdict, JD_AC, "%s", res.message);
    cr_assert_str_eq(res.stdout_data, "two\n");
    cr_assert(!res.stderr_data || !res.stderr_len, "%s", res.stderr_data);
    jd_single_result_free(&res);

    /* the program dir of an interpreted language is on the scratch dir's
     * own filesystem, not a tmpfs mounted for the job */
    char *host_fs = NULL, cmd[400];
    snprintf(cmd, sizeof cmd, "stat -f -c %%T %s", scratch);
    cr_assert_eq(jt_sh(cmd, &host_fs), 0);
    struct jd_single_request rq3 = {0};
    single_again("bash", "stat -f -c %T /box\n", &rq3, &res);
    cr_assert_eq(res.verdict, JD_AC, "%s", res.message);
    cr_assert_str_eq(res.stdout_data, host_fs, "box on %s, scratch on %s", res.stdout_data, host_fs);
    free(host_fs);
    jd_single_result_free(&res);

    /* the program dir itself is kept (same inode: the sandbox keeps its
     * mount of it, no unmount per job), but nothing in it outlives a job */
    char boxdir[400], stray[420];
    struct stat before, after;
    snprintf(boxdir, sizeof boxdir, "%s/box", scratch);
    cr_assert_eq(stat(boxdir, &before), 0);
    snprintf(stray, sizeof stray, "%s/stray", boxdir);
    cr_assert_eq(jd_write_file(stray, "x", 1, 0644), 0);
    struct jd_single_request rq5 = {0};
    single_again("bash", "ls /box\n", &rq5, &res);
    cr_assert_eq(res.verdict, JD_AC, "%s", res.message);
    cr_assert_str_eq(res.stdout_data, "main.sh\n", "a file of the earlier job is gone");
    jd_single_result_free(&res);
    cr_assert_eq(stat(boxdir, &after), 0);
    cr_assert_eq(before.st_ino, after.st_ino, "the program dir is used again");
    /* the source file of the same language is written over (no unlink and
     * create per job), with the new job's source; another language's goes */
    char src_path[420];
    struct stat s1;
    snprintf(src_path, sizeof src_path, "%s/main.sh", boxdir);
    int old_src = open(src_path, O_RDONLY | O_CLOEXEC); /* the file itself, not its name */
    cr_assert_geq(old_src, 0);
    single_again("bash", "echo rewritten\n", &rq5, &res);
    cr_assert_str_eq(res.stdout_data, "rewritten\n");
    jd_single_result_free(&res);
    cr_assert_eq(fstat(old_src, &s1), 0);
    cr_assert_eq(s1.st_nlink, 1, "main.sh was removed and made anew");
    close(old_src);
    /* a shorter source over a longer one: nothing of the old one is left */
    single_again("bash", "echo a\n", &rq5, &res);
    cr_assert_eq(res.verdict, JD_AC, "%s: %s", res.message, res.stderr_data);
    cr_assert_str_eq(res.stdout_data, "a\n");
    jd_single_result_free(&res);
    /* a link planted under the source's name is replaced, not written
     * through: only a regular file of that name is kept */
    char outside[] = "/tmp/nsjudge-outside-src-XXXXXX", victim[300];
    cr_assert(mkdtemp(outside));
    snprintf(victim, sizeof victim, "%s/victim", outside);
    cr_assert_eq(jd_write_file(victim, "keep", 4, 0644), 0);
    cr_assert_eq(unlink(src_path), 0);
    cr_assert_eq(symlink(victim, src_path), 0);
    single_again("bash", "echo b\n", &rq5, &res);
    cr_assert_eq(res.verdict, JD_AC, "%s: %s", res.message, res.stderr_data);
    cr_assert_str_eq(res.stdout_data, "b\n");
    jd_single_result_free(&res);
    char *kept = NULL;
    size_t kept_len = 0;
    cr_assert_eq(jd_read_file(victim, 100, &kept, &kept_len), 0);
    cr_assert_str_eq(kept, "keep", "the link's target was written");
    free(kept);
    struct stat ls;
    cr_assert_eq(lstat(src_path, &ls), 0);
    cr_assert(S_ISREG(ls.st_mode), "the link is still there");
    cr_assert_eq(sb_rm_rf(outside), 0);
    single_again("text", "plain\n", &rq5, &res);
    cr_assert_str_eq(res.stdout_data, "plain\n");
    jd_single_result_free(&res);
    cr_assert(!jd_is_file(src_path), "the Bash job's source outlived a Plain Text job");
    /* a link in its place is removed, not followed */
    char target[] = "/tmp/nsjudge-elsewhere-XXXXXX"; /* outside the scratch dir */
    cr_assert(mkdtemp(target));
    snprintf(stray, sizeof stray, "%s/keepme", target);
    cr_assert_eq(jd_write_file(stray, "x", 1, 0644), 0);
    cr_assert_eq(sb_rm_rf(boxdir), 0);
    cr_assert_eq(symlink(target, boxdir), 0);
    single_again("bash", "ls /box\n", &rq5, &res);
    cr_assert_eq(res.verdict, JD_AC, "%s", res.message);
    cr_assert_str_eq(res.stdout_data, "main.sh\n");
    jd_single_result_free(&res);
    struct stat l;
    cr_assert_eq(lstat(boxdir, &l), 0);
    cr_assert(S_ISDIR(l.st_mode), "the link was replaced by a dir");
    cr_assert(jd_is_file(stray), "the link's target was not emptied");
    cr_assert_eq(sb_rm_rf(target), 0);

    /* a tmpfs left mounted below the scratch dir (a judge killed mid-run)
     * is unmounted and the job runs */
    char left[400], file[420];
    snprintf(left, sizeof left, "%s/judge/box", scratch);
    cr_assert_eq(sb_mkdir_p(left, 0755), 0);
    char err[SB_MSG_MAX];
    cr_assert_eq(sb_scratch_mount(left, 1024, err, sizeof err), 0, "%s", err);
    snprintf(file, sizeof file, "%s/leftover", left);
    cr_assert_eq(jd_write_file(file, "x", 1, 0644), 0);
    struct jd_single_request rq4 = {0};
    single_again("bash", "ls /box; echo ok\n", &rq4, &res);
    cr_assert_eq(res.verdict, JD_AC, "%s", res.message);
    cr_assert_str_eq(res.stdout_data, "main.sh\nok\n");
    cr_assert(!mounted_under(scratch), "a scratch mount is left under %s", scratch);
    jd_single_result_free(&res);
}

Test(judge_single, compile_error_has_output, .fini = teardown_single)
{
    setup(1);
    struct jd_single_request rq = {0};
    struct jd_single_result res;
    single("cpp", "int main() { return x; }\n", NULL, NULL, &rq, &res);
    cr_assert_eq(res.verdict, JD_CE);
    cr_assert(res.compile_output && strstr(res.compile_output, "was not declared"), "%s",
              res.compile_output ? res.compile_output : "(none)");
    jd_single_result_free(&res);
}

Test(judge_single, additional_files_zip, .fini = teardown_single)
{
    setup(1);
    /* a zip with data.txt and sub/more.txt, made by Python's zipfile */
    char *zip = NULL;
    int code = jt_sh("python3 -c \"import io,zipfile,sys; b=io.BytesIO(); z=zipfile.ZipFile(b,'w'); "
                     "z.writestr('data.txt','from the zip'); z.writestr('sub/more.txt','!'); z.close(); "
                     "sys.stdout.write(b.getvalue().hex())\"", &zip);
    cr_assert_eq(code, 0);
    size_t n = strlen(zip) / 2;
    char *bin = malloc(n);
    for (size_t i = 0; i < n; i++)
        sscanf(zip + 2 * i, "%2hhx", (unsigned char *)&bin[i]);
    struct jd_single_request rq = {.additional_files_zip = bin, .additional_files_len = n};
    struct jd_single_result res;
    single("bash", "cat data.txt sub/more.txt\n", NULL, "from the zip!", &rq, &res);
    cr_assert_eq(res.verdict, JD_AC, "%s / %s", res.message, res.stdout_data ? res.stdout_data : "");
    jd_single_result_free(&res);
    sb_rm_rf(scratch);

    /* an archive that climbs out of the box dir is refused */
    free(zip);
    code = jt_sh("python3 -c \"import io,zipfile,sys; b=io.BytesIO(); z=zipfile.ZipFile(b,'w'); "
                 "z.writestr('../evil.txt','x'); z.close(); sys.stdout.write(b.getvalue().hex())\"", &zip);
    n = strlen(zip) / 2;
    for (size_t i = 0; i < n; i++)
        sscanf(zip + 2 * i, "%2hhx", (unsigned char *)&bin[i]);
    struct jd_single_request rq2 = {.additional_files_zip = bin, .additional_files_len = n};
    single("bash", "ls\n", NULL, NULL, &rq2, &res);
    cr_assert_eq(res.verdict, JD_CE, "%s", res.message);
    cr_assert(strstr(res.message, "unsafe path"), "%s", res.message);
    jd_single_result_free(&res);
    free(bin);
    free(zip);
}

Test(judge_single, args_stderr_runs_and_limits, .fini = teardown_single)
{
    setup(1);
    struct jd_single_request rq = {.command_line_arguments = "a bb", .redirect_stderr_to_stdout = true,
                                   .number_of_runs = 3};
    struct jd_single_result res;
    single("bash", "echo \"$#:$2\"; echo err >&2; exit 3\n", NULL, NULL, &rq, &res);
    cr_assert_eq(res.verdict, JD_RTE, "%s", res.message);
    cr_assert_eq(res.exit_code, 3);
    cr_assert_str_eq(res.stdout_data, "2:bb\nerr\n");
    jd_single_result_free(&res);
    sb_rm_rf(scratch);

    struct jd_single_request rq2 = {.limits = {.cpu_s = 0.5}};
    single("c", "int main(void){for(;;);}\n", NULL, NULL, &rq2, &res);
    cr_assert_eq(res.verdict, JD_TLE, "%s", res.message);
    jd_single_result_free(&res);
    sb_rm_rf(scratch);

    struct jd_single_request rq3 = {.output_cap = 10};
    single("python3", "print('x' * 1000)\n", NULL, NULL, &rq3, &res);
    cr_assert_eq(res.verdict, JD_AC);
    cr_assert_eq(res.stdout_len, 10, "capped");
    jd_single_result_free(&res);
}

static bool keep_named(int dfd, const char *name, unsigned char type, void *ctx)
{
    (void)dfd;
    return type == DT_REG && !strcmp(name, ctx);
}

/* Emptying a dir: every entry goes (files, dirs with contents, links, not
 * followed), however many there are (more than one read of the listing),
 * except what keep names; the dir itself stays. */
Test(judge_files, empty_dir_removes_all_but_kept)
{
    char dir[] = "/tmp/nsjudge-empty-XXXXXX", out[] = "/tmp/nsjudge-outside-XXXXXX", p[600];
    cr_assert(mkdtemp(dir) && mkdtemp(out));
    for (int i = 0; i < 600; i++) {
        snprintf(p, sizeof p, "%s/a-rather-long-file-name-to-fill-the-listing-%04d", dir, i);
        cr_assert_eq(jd_write_file(p, "x", 1, 0644), 0);
    }
    snprintf(p, sizeof p, "%s/sub/deeper", dir);
    cr_assert_eq(sb_mkdir_p(p, 0755), 0);
    snprintf(p, sizeof p, "%s/keep.txt", out);
    cr_assert_eq(jd_write_file(p, "outside", 7, 0644), 0);
    char link[600];
    snprintf(link, sizeof link, "%s/link", dir);
    cr_assert_eq(symlink(out, link), 0);
    snprintf(p, sizeof p, "%s/keep.txt", dir);
    cr_assert_eq(jd_write_file(p, "kept", 4, 0644), 0);
    cr_assert_eq(jd_empty_dir(dir, keep_named, "keep.txt"), 0);
    char **names;
    size_t n;
    cr_assert_eq(jd_list_dir(dir, &names, &n), 0);
    cr_assert_eq(n, 1, "%zu entries left", n);
    cr_assert_str_eq(names[0], "keep.txt");
    jd_strv_free(names);
    snprintf(p, sizeof p, "%s/keep.txt", out);
    cr_assert(jd_is_file(p), "the link was followed");
    cr_assert_eq(jd_empty_dir(dir, NULL, NULL), 0);
    cr_assert_eq(jd_list_dir(dir, &names, &n), 0);
    cr_assert_eq(n, 0);
    jd_strv_free(names);
    cr_assert_eq(sb_rm_rf(dir), 0);
    cr_assert_eq(sb_rm_rf(out), 0);
}
