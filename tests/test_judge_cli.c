/*
 * test_judge_cli.c - the nsjudge judge / verify / languages commands, run as
 * a user would run them. `verify` must pass on every test problem.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>
#include "tests/test_judge_util.h"

static void verify_problem(const char *name)
{
    test_need_root();
    char cmd[1024], *out = NULL;
    cr_assert(snprintf(cmd, sizeof cmd, "%s verify --json -j 2 %s/testdata/problems/%s 2>&1", jt_bin(), jt_repo(), name) <
              (int)sizeof cmd, "%s: buffer too small", __func__);
    int code = jt_sh(cmd, &out);
    json_error_t je;
    json_t *o = json_loads(out, 0, &je);
    cr_assert(o, "verify %s printed no JSON (exit %d): %s", name, code, out);
    json_int_t bad = json_integer_value(json_object_get(o, "mismatches"));
    json_t *subs = json_object_get(o, "submissions");
    cr_assert_gt(json_array_size(subs), 0);
    size_t i;
    json_t *s;
    json_array_foreach(subs, i, s) {
        if (!json_is_true(json_object_get(s, "ok"))) {
            json_t *rep = json_object_get(s, "report");
            cr_log_error("%s: expected %s, got %s: %s", json_string_value(json_object_get(s, "submission")),
                         json_string_value(json_object_get(s, "expected")),
                         json_string_value(json_object_get(rep, "verdict")),
                         json_string_value(json_object_get(rep, "message")));
        }
        /* C, C++, Python 3 and Java are installed here: none may be skipped */
        const char *lang = json_string_value(json_object_get(s, "language"));
        if (lang && (!strcmp(lang, "c") || !strcmp(lang, "cpp") || !strcmp(lang, "python3") ||
                     !strcmp(lang, "java")))
            cr_assert(!json_is_true(json_object_get(s, "skipped")), "%s skipped", lang);
    }
    cr_assert_eq(bad, 0, "verify %s: %lld mismatches", name, (long long)bad);
    cr_assert_eq(code, 0, "verify %s exit code", name);
    json_decref(o);
    free(out);
}

/* Each problem has its own test (they run in parallel); this one makes sure
 * a problem added to testdata/problems gets one too. */
static const char *const verified[] = {"hello", "sum", "floats", "pairs", "permutation", "guess",
                                       "triangle", "doubling"};

Test(judge_cli_verify, every_problem_has_a_test)
{
    char cmd[1024], *out = NULL;
    cr_assert(snprintf(cmd, sizeof cmd, "ls %s/testdata/problems", jt_repo()) <
              (int)sizeof cmd, "%s: buffer too small", __func__);
    cr_assert_eq(jt_sh(cmd, &out), 0);
    int n = 0;
    for (char *name = strtok(out, "\n"); name; name = strtok(NULL, "\n"), n++) {
        bool found = false;
        for (size_t i = 0; i < sizeof verified / sizeof *verified; i++)
            found = found || !strcmp(name, verified[i]);
        cr_assert(found, "testdata/problems/%s has no verify test in tests/test_judge_cli.c", name);
    }
    cr_assert_eq(n, (int)(sizeof verified / sizeof *verified));
    free(out);
}

Test(judge_cli_verify, hello, .timeout = 180) { verify_problem("hello"); }
Test(judge_cli_verify, sum, .timeout = 180) { verify_problem("sum"); }
Test(judge_cli_verify, floats, .timeout = 180) { verify_problem("floats"); }
Test(judge_cli_verify, pairs, .timeout = 180) { verify_problem("pairs"); }
Test(judge_cli_verify, permutation, .timeout = 180) { verify_problem("permutation"); }
Test(judge_cli_verify, guess, .timeout = 180) { verify_problem("guess"); }
Test(judge_cli_verify, triangle, .timeout = 180) { verify_problem("triangle"); }
Test(judge_cli_verify, doubling, .timeout = 180) { verify_problem("doubling"); }

Test(judge_cli_verify, infers_the_time_limit, .timeout = 180)
{
    test_need_root();
    char cmd[1024], *out = NULL;
    cr_assert(snprintf(cmd, sizeof cmd, "%s verify --json %s/testdata/problems/hello", jt_bin(), jt_repo()) <
              (int)sizeof cmd, "%s: buffer too small", __func__);
    jt_sh(cmd, &out);
    json_t *o = json_loads(out, 0, NULL);
    cr_assert(o, "%s", out);
    cr_assert(json_is_true(json_object_get(o, "time_limit_inferred")));
    double tl = json_real_value(json_object_get(o, "time_limit"));
    cr_assert_geq(tl, 1.0, "at least one second, whole seconds");
    cr_assert_float_eq(json_real_value(json_object_get(o, "tle_time_limit")), tl * 2, 1e-9,
                       "legacy time_safety_margin 2");
    json_decref(o);
    free(out);
}

Test(judge_cli_verify, reports_a_mismatch)
{
    test_need_root();
    /* a copy of hello where a wrong program sits under accepted/ */
    char dir[] = "/tmp/nsjudge-vm-XXXXXX", cmd[2048], *out = NULL;
    cr_assert(mkdtemp(dir));
    cr_assert(snprintf(cmd, sizeof cmd,
                    "mkdir -p %s/p/submissions/accepted && cp %s/testdata/problems/hello/*.in %s/testdata/problems/hello/1.ans "
                    "%s/testdata/problems/hello/2.out %s/p/ && cp %s/testdata/problems/hello/submissions/wrong_answer/hello_world.c "
                    "%s/p/submissions/accepted/", dir, jt_repo(), jt_repo(), jt_repo(), dir, jt_repo(), dir) <
              (int)sizeof cmd, "%s: buffer too small", __func__);
    cr_assert_eq(jt_sh(cmd, NULL), 0);
    snprintf(cmd, sizeof cmd, "%s verify %s/p", jt_bin(), dir);
    int code = jt_sh(cmd, &out);
    cr_assert_eq(code, 1, "exit 1 on a mismatch: %s", out);
    cr_assert(strstr(out, "MISMATCH"), "%s", out);
    cr_assert(strstr(out, "1 mismatches"), "%s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    jt_sh(cmd, NULL);
}

Test(judge_cli, judge_exit_codes_and_json)
{
    test_need_root();
    char cmd[1024], *out = NULL;
    const char *p = jt_path("testdata/problems/sum");
    snprintf(cmd, sizeof cmd, "%s judge %s %s/submissions/accepted/sum.c", jt_bin(), p, p);
    cr_assert_eq(jt_sh(cmd, &out), 0, "%s", out);
    cr_assert(strstr(out, "verdict: AC"), "%s", out);
    cr_assert(strstr(out, "secret/02"), "the table lists the tests: %s", out);
    free(out);

    snprintf(cmd, sizeof cmd, "%s judge --json --all -t 1 %s %s/submissions/wrong_answer/minus.py", jt_bin(), p, p);
    cr_assert_eq(jt_sh(cmd, &out), 1);
    json_t *o = json_loads(out, 0, NULL);
    cr_assert(o, "%s", out);
    cr_assert_str_eq(json_string_value(json_object_get(o, "verdict")), "WA");
    cr_assert_eq(json_array_size(json_object_get(o, "tests")), 3, "--all");
    json_decref(o);
    free(out);

    snprintf(cmd, sizeof cmd, "%s judge --lang cobol %s %s/submissions/accepted/sum.c 2>&1", jt_bin(), p, p);
    cr_assert_eq(jt_sh(cmd, &out), 2);
    cr_assert(strstr(out, "unknown language"), "%s", out);
    free(out);

    snprintf(cmd, sizeof cmd, "%s judge /nonexistent %s/submissions/accepted/sum.c 2>&1", jt_bin(), p);
    cr_assert_eq(jt_sh(cmd, &out), 2);
    cr_assert(strstr(out, "/nonexistent"), "%s", out);
    free(out);
}

Test(judge_cli, judge_with_limits_and_jobs)
{
    test_need_root();
    char cmd[1024], *out = NULL;
    const char *p = jt_path("testdata/problems/triangle");
    snprintf(cmd, sizeof cmd, "%s judge -j 2 --mem 128M --time 2 --json %s %s/submissions/partially_accepted/int32.cpp",
             jt_bin(), p, p);
    cr_assert_eq(jt_sh(cmd, &out), 1);
    json_t *o = json_loads(out, 0, NULL);
    cr_assert(o, "%s", out);
    cr_assert_float_eq(json_real_value(json_object_get(o, "score")), 40, 1e-9);
    cr_assert_float_eq(json_real_value(json_object_get(o, "time_limit")), 2, 1e-9);
    json_decref(o);
    free(out);
}

Test(judge_cli, languages_and_help)
{
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s languages --json", jt_bin());
    cr_assert_eq(jt_sh(cmd, &out), 0);
    json_t *a = json_loads(out, 0, NULL);
    cr_assert(json_is_array(a), "%s", out);
    bool found = false;
    size_t i;
    json_t *l;
    json_array_foreach(a, i, l)
        if (!strcmp(json_string_value(json_object_get(l, "id")), "java")) {
            found = true;
            cr_assert(json_is_true(json_object_get(l, "available")));
        }
    cr_assert(found);
    json_decref(a);
    free(out);

    snprintf(cmd, sizeof cmd, "NSJUDGE_LANGUAGES=/nonexistent.json %s languages 2>&1", jt_bin());
    cr_assert_eq(jt_sh(cmd, &out), 2);
    cr_assert(strstr(out, "/nonexistent.json"), "%s", out);
    free(out);

    static const char *const cmds[] = {"judge", "verify", "languages"};
    for (int k = 0; k < 3; k++) {
        snprintf(cmd, sizeof cmd, "%s %s --help", jt_bin(), cmds[k]);
        cr_assert_eq(jt_sh(cmd, &out), 0);
        cr_assert(strstr(out, "usage: nsjudge"), "%s", out);
        cr_assert(strstr(out, "--languages"), "%s", out);
        free(out);
    }
}

Test(judge_cli_verify, reports_an_invalid_input, .timeout = 180)
{
    test_need_root();
    char dir[] = "/tmp/nsjudge-vi-XXXXXX", cmd[2048], *out = NULL;
    cr_assert(mkdtemp(dir));
    /* sum with one bad input and only its C solutions */
    cr_assert(snprintf(cmd, sizeof cmd,
                    "cp -r %s/testdata/problems/sum %s/p && printf 'x y\\n' > %s/p/data/secret/01.in && "
                    "find %s/p/submissions -type f ! -name sum.c -delete", jt_repo(), dir, dir, dir) <
              (int)sizeof cmd, "%s: buffer too small", __func__);
    cr_assert_eq(jt_sh(cmd, NULL), 0);
    snprintf(cmd, sizeof cmd, "%s verify %s/p", jt_bin(), dir);
    int code = jt_sh(cmd, &out);
    cr_assert_eq(code, 1, "an invalid input fails verify: %s", out);
    cr_assert(strstr(out, "input secret/01 rejected by input_validators/two_ints.py"), "%s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    jt_sh(cmd, NULL);
}

Test(judge_cli, interrupt_removes_scratch, .timeout = 60)
{
    test_need_root();
    char tmp[] = "/tmp/nsjudge-int-XXXXXX", cmd[2048], *out = NULL;
    cr_assert(mkdtemp(tmp));
    /* verify runs for seconds (a TLE program is in there); interrupt it */
    cr_assert(snprintf(cmd, sizeof cmd,
                    "TMPDIR=%s %s verify %s/testdata/problems/sum >/dev/null 2>&1 & pid=$!; sleep 1.5; "
                    "kill -INT $pid; wait $pid; echo \"exit=$?\"; ls -A %s | wc -l",
                    tmp, jt_bin(), jt_repo(), tmp) <
              (int)sizeof cmd, "%s: buffer too small", __func__);
    cr_assert_eq(jt_sh(cmd, &out), 0);
    cr_assert(strstr(out, "exit=130"), "%s", out);
    cr_assert(strstr(out, "\n0\n"), "scratch left behind: %s", out);
    free(out);
    rmdir(tmp);
}

/* ---- what a submission prints cannot drive the setter's terminal -------- */

static void put_file(const char *dir, const char *rel, const char *data)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "we");
    cr_assert(f, "%s", path);
    fputs(data, f);
    fclose(f);
}

/* Human-readable output: none of the submission's control bytes raw, and
 * the one verdict line is the judge's. */
static void assert_terminal_safe(const char *out, const char *what)
{
    cr_assert(!strchr(out, '\x1b'), "%s: raw ESC in\n%s", what, out);
    cr_assert(!strchr(out, '\r'), "%s: raw CR", what);
    cr_assert(!strchr(out, '\a'), "%s: raw BEL", what);
    cr_assert(!strstr(out, "\xc2\x9b"), "%s: raw C1 CSI", what);
    cr_assert(!strchr(out, '\xff'), "%s: a byte that is not UTF-8", what);
    int verdicts = 0;
    for (const char *l = out; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
        if (!strncmp(l, "verdict:", 8)) {
            verdicts++;
            cr_assert(strncmp(l, "verdict: AC", 11), "%s: a fake verdict line in\n%s", what, out);
        }
    cr_assert_leq(verdicts, 1, "%s: %d verdict lines", what, verdicts);
}

/* The submission writes erase-line, carriage return, a fake verdict, an
 * OSC title, BEL, a byte that is not UTF-8 and a C1 CSI; the problem's
 * output validator quotes the team's line in its message, as many do. */
static const char attack_c[] =
    "#include <stdio.h>\n"
    "int main(void)\n{\n"
    "    fputs(\"\\x1b[2K\\rverdict: AC (Accepted)\\x1b]0;pwned\\x07\\xff\\xc2\\x9b\" \"31m\\n\", stdout);\n"
    "    return 0;\n}\n";
static const char echo_validator_c[] =
    "#include <stdio.h>\n"
    "int main(int argc, char **argv)\n{\n"
    "    char line[512] = \"\", path[4096];\n"
    "    if (argc < 4 || !fgets(line, sizeof line, stdin))\n        return 1;\n"
    "    snprintf(path, sizeof path, \"%s/judgemessage.txt\", argv[3]);\n"
    "    FILE *f = fopen(path, \"w\");\n"
    "    if (!f)\n        return 1;\n"
    "    fprintf(f, \"team said: %s\", line);\n"
    "    fclose(f);\n    return 43;\n}\n";
/* what the JSON must carry: the exact bytes, the non-UTF-8 one as U+FFFD */
static const char attack_message[] =
    "team said: \x1b[2K\rverdict: AC (Accepted)\x1b]0;pwned\x07\xef\xbf\xbd\xc2\x9b" "31m";

Test(judge_cli, submission_output_cannot_drive_the_terminal, .timeout = 180)
{
    test_need_root();
    char dir[] = "/tmp/nsjudge-esc-XXXXXX", cmd[2048], *out = NULL;
    cr_assert(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "mkdir -p %s/p/data/sample %s/p/output_validators/echo "
             "%s/p/submissions/accepted", dir, dir, dir);
    cr_assert_eq(jt_sh(cmd, NULL), 0);
    put_file(dir, "p/problem.yaml", "name: Echo\nvalidation: custom\nlimits:\n  time_limit: 2\n");
    put_file(dir, "p/data/sample/1.in", "1\n");
    put_file(dir, "p/data/sample/1.ans", "1\n");
    put_file(dir, "p/output_validators/echo/echo.c", echo_validator_c);
    put_file(dir, "p/submissions/accepted/attack.c", attack_c);

    snprintf(cmd, sizeof cmd, "%s judge %s/p %s/p/submissions/accepted/attack.c 2>&1", jt_bin(), dir, dir);
    cr_assert_eq(jt_sh(cmd, &out), 1, "%s", out);
    assert_terminal_safe(out, "judge");
    cr_assert(strstr(out, "team said: \\x1b[2K\\x0dverdict: AC (Accepted)\\x1b]0;pwned\\x07\\xff\\xc2\\x9b31m"),
              "shown, escaped: %s", out);
    cr_assert(strstr(out, "\nverdict: WA"), "%s", out);
    free(out);

    snprintf(cmd, sizeof cmd, "%s judge --json %s/p %s/p/submissions/accepted/attack.c", jt_bin(), dir, dir);
    cr_assert_eq(jt_sh(cmd, &out), 1, "%s", out);
    cr_assert(!strchr(out, '\x1b') && !strchr(out, '\r'), "JSON escapes controls: %s", out);
    json_error_t je;
    json_t *o = json_loads(out, 0, &je);
    cr_assert(o, "no JSON (%s): %s", je.text, out);
    json_t *t0 = json_array_get(json_object_get(o, "tests"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(t0, "message")), attack_message);
    json_decref(o);
    free(out);

    snprintf(cmd, sizeof cmd, "%s verify %s/p 2>&1", jt_bin(), dir);
    cr_assert_eq(jt_sh(cmd, &out), 1, "%s", out);
    assert_terminal_safe(out, "verify");
    cr_assert(strstr(out, "MISMATCH: test sample/1: team said: \\x1b[2K\\x0dverdict"), "%s", out);
    free(out);

    snprintf(cmd, sizeof cmd, "%s verify --json %s/p", jt_bin(), dir);
    cr_assert_eq(jt_sh(cmd, &out), 1, "%s", out);
    o = json_loads(out, 0, &je);
    cr_assert(o, "no JSON (%s): %s", je.text, out);
    json_t *rep = json_object_get(json_array_get(json_object_get(o, "submissions"), 0), "report");
    t0 = json_array_get(json_object_get(rep, "tests"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(t0, "message")), attack_message);
    json_decref(o);
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    jt_sh(cmd, NULL);
}

Test(judge_cli, default_checker_and_compiler_text_is_escaped, .timeout = 180)
{
    test_need_root();
    char dir[] = "/tmp/nsjudge-esc2-XXXXXX", cmd[2048], *out = NULL;
    cr_assert(mkdtemp(dir));
    put_file(dir, "1.in", "1\n");
    put_file(dir, "1.ans", "42\n");
    /* a token has no whitespace: ESC[1G moves to column 1 as \r would,
     * U+00A0 looks like a space */
    put_file(dir, "tok.c", "#include <stdio.h>\nint main(void) { fputs(\"\\x1b[2K\\x1b[1Gverdict:\\xc2\\xa0\" "
                           "\"AC\\n\", stdout); return 0; }\n");
    /* gcc quotes the source line of an #error, raw */
    put_file(dir, "ce.c", "#error \"\x1b[2Kverdict: AC (Accepted)\"\nint main(void) { return 0; }\n");

    snprintf(cmd, sizeof cmd, "%s judge %s %s/tok.c 2>&1", jt_bin(), dir, dir);
    cr_assert_eq(jt_sh(cmd, &out), 1, "%s", out);
    assert_terminal_safe(out, "default checker");
    cr_assert(strstr(out, "got '\\x1b[2K\\x1b[1Gverdict:\xc2\xa0" "AC'"), "%s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "%s judge --json %s %s/tok.c", jt_bin(), dir, dir);
    cr_assert_eq(jt_sh(cmd, &out), 1, "%s", out);
    json_t *o = json_loads(out, 0, NULL);
    cr_assert(o, "%s", out);
    const char *m = json_string_value(json_object_get(json_array_get(json_object_get(o, "tests"), 0), "message"));
    cr_assert(m && strstr(m, "got '\x1b[2K\x1b[1Gverdict:\xc2\xa0" "AC'"), "exact in JSON: %s", m);
    json_decref(o);
    free(out);

    snprintf(cmd, sizeof cmd, "%s judge %s %s/ce.c 2>&1", jt_bin(), dir, dir);
    cr_assert_eq(jt_sh(cmd, &out), 1, "%s", out);
    assert_terminal_safe(out, "compiler output");
    cr_assert(strstr(out, "#error \"\\x1b[2Kverdict: AC (Accepted)\""), "%s", out);
    cr_assert(strstr(out, "\nverdict: CE"), "%s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "%s judge --json %s %s/ce.c", jt_bin(), dir, dir);
    cr_assert_eq(jt_sh(cmd, &out), 1, "%s", out);
    o = json_loads(out, 0, NULL);
    cr_assert(o, "%s", out);
    m = json_string_value(json_object_get(o, "compile_output"));
    cr_assert(m && strstr(m, "#error \"\x1b[2Kverdict: AC (Accepted)\""), "exact in JSON: %s", m);
    json_decref(o);
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    jt_sh(cmd, NULL);
}

/* ---- what the problem setter is told ------------------------------------ */

/* A small package in dir: one secret test (1 -> 1) and what files add. */
static void small_package(const char *dir, const char *problem_yaml)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "mkdir -p %s/data/secret %s/submissions/accepted", dir, dir);
    cr_assert_eq(jt_sh(cmd, NULL), 0);
    if (problem_yaml)
        put_file(dir, "problem.yaml", problem_yaml);
    put_file(dir, "data/secret/1.in", "1\n");
    put_file(dir, "data/secret/1.ans", "1\n");
}

Test(judge_cli, misspelt_package_keys_are_named, .timeout = 180)
{
    test_need_root();
    char dir[] = "/tmp/nsjudge-keys-XXXXXX", cmd[2048], *out = NULL;
    cr_assert(mkdtemp(dir));
    small_package(dir, "name: Keys\n"
                       "limits:\n"
                       "  tme_limit: 2\n"
                       "  memory: 256\n"
                       "tme_limit: 3\n"
                       "credits: Someone\n");
    put_file(dir, "data/secret/testdata.yaml", "on_reject: continue\non_rejct: break\n");
    /* the text language echoes the file: "1" is the answer */
    put_file(dir, "submissions/accepted/one.txt", "1\n");

    snprintf(cmd, sizeof cmd, "%s judge %s %s/submissions/accepted/one.txt 2>&1", jt_bin(), dir, dir);
    cr_assert_eq(jt_sh(cmd, &out), 0, "a warning does not stop judge: %s", out);
    char want[1024];
    snprintf(want, sizeof want, "warning: %s/problem.yaml:3: unknown key 'limits.tme_limit'", dir);
    cr_assert(strstr(out, want), "want %s in\n%s", want, out);
    cr_assert(strstr(out, "did you mean limits.time_limit?"), "%s", out);
    snprintf(want, sizeof want, "%s/problem.yaml:5: unknown key 'tme_limit'", dir);
    cr_assert(strstr(out, want), "want %s in\n%s", want, out);
    /* credits is a 2023-07 key, not a legacy one */
    snprintf(want, sizeof want, "%s/problem.yaml:6: unknown key 'credits' (not a key of the legacy format)", dir);
    cr_assert(strstr(out, want), "want %s in\n%s", want, out);
    snprintf(want, sizeof want, "%s/data/secret/testdata.yaml:2: unknown key 'on_rejct'", dir);
    cr_assert(strstr(out, want), "want %s in\n%s", want, out);
    cr_assert(!strstr(out, "'memory'") && !strstr(out, "'on_reject'") && !strstr(out, "'name'"),
              "valid keys are not flagged: %s", out);
    cr_assert(strstr(out, "verdict: AC"), "%s", out);
    free(out);

    snprintf(cmd, sizeof cmd, "%s judge --json %s %s/submissions/accepted/one.txt 2>/dev/null", jt_bin(), dir, dir);
    cr_assert_eq(jt_sh(cmd, &out), 0, "%s", out);
    json_t *o = json_loads(out, 0, NULL);
    cr_assert(o, "%s", out);
    json_t *w = json_object_get(o, "warnings");
    cr_assert_eq(json_array_size(w), 4, "%s", out);
    cr_assert(strstr(json_string_value(json_array_get(w, 0)), "problem.yaml:3: unknown key 'limits.tme_limit'") ||
              strstr(out, "problem.yaml:3: unknown key 'limits.tme_limit'"), "%s", out);
    json_decref(o);
    free(out);

    snprintf(cmd, sizeof cmd, "%s verify --werror %s 2>&1", jt_bin(), dir);
    cr_assert_eq(jt_sh(cmd, &out), 2, "--werror: a package error: %s", out);
    cr_assert(strstr(out, "error: ") && strstr(out, "unknown key 'limits.tme_limit'"), "%s", out);
    cr_assert(!strstr(out, "one.txt"), "nothing is judged: %s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "%s verify -e %s 2>&1", jt_bin(), dir);
    cr_assert_eq(jt_sh(cmd, &out), 2, "-e is --werror (problemtools): %s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "%s verify %s 2>&1", jt_bin(), dir);
    cr_assert_eq(jt_sh(cmd, &out), 0, "without --werror a warning: %s", out);
    cr_assert(strstr(out, "warning: ") && strstr(out, "unknown key 'on_rejct'"), "%s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    jt_sh(cmd, NULL);
}

/* Every key of the 2023-07 format (and its drafts) and of the legacy one
 * is known: none is flagged. */
Test(judge_cli, valid_package_keys_are_not_flagged, .timeout = 180)
{
    test_need_root();
    static const char *const yamls[] = {
        "problem_format_version: 2023-07-draft\n"
        "type: pass-fail\n"
        "name:\n  en: Keys\n"
        "uuid: 5ca6ba5b-36d7-4ed7-b6b5-6a7ae9b1f0a4\n"
        "version: 1.0\n"
        "credits:\n  authors: A. Author\n"
        "source:\n  name: NWERC\n  url: https://nwerc.example\n"
        "license: cc by-sa\n"
        "rights_owner: Someone\n"
        "embargo_until: 2030-01-01\n"
        "keywords: [graphs]\n"
        "languages: all\n"
        "allow_file_writing: false\n"
        "constants:\n  maxn: 10\n"
        "limits:\n"
        "  time_multipliers:\n    ac_to_time_limit: 2.0\n    time_limit_to_tle: 1.5\n"
        "  time_limit: 1\n  time_resolution: 1.0\n  memory: 256\n  output: 8\n  code: 128\n"
        "  compilation_time: 60\n  compilation_memory: 2048\n  validation_time: 60\n"
        "  validation_memory: 2048\n  validation_output: 8\n",
        "name: Keys\n"
        "uuid: 5ca6ba5b-36d7-4ed7-b6b5-6a7ae9b1f0a4\n"
        "author: A. Author\n"
        "source: NWERC 2015\n"
        "source_url: https://nwerc.example\n"
        "license: cc by\n"
        "rights_owner: Someone\n"
        "keywords: graphs trees\n"
        "validation: default\n"
        "validator_flags: float_tolerance 1e-6\n"
        "grading:\n  objective: max\n"
        "limits:\n"
        "  time_multiplier: 5\n  time_safety_margin: 2\n  memory: 256\n  output: 8\n  code: 128\n"
        "  compilation_time: 60\n  compilation_memory: 2048\n  validation_time: 60\n"
        "  validation_memory: 2048\n  validation_output: 8\n",
    };
    static const char *const groups[] = {
        "scoring:\n  score: 10\n  aggregation: sum\ninput_validator_args: [--small]\n"
        "output_validator_args: [case_sensitive]\nfull_feedback: false\nhint: think\ndescription: small\n"
        "static_validation: false\n",
        "on_reject: continue\ngrading: default\ngrader_flags: sum\ninput_validator_flags: small\n"
        "output_validator_flags: case_sensitive\naccept_score: 1\nreject_score: 0\nrange: 0 10\n",
    };
    for (size_t i = 0; i < 2; i++) {
        char dir[] = "/tmp/nsjudge-keys-XXXXXX", cmd[2048], *out = NULL;
        cr_assert(mkdtemp(dir));
        small_package(dir, yamls[i]);
        put_file(dir, i == 0 ? "data/secret/test_group.yaml" : "data/secret/testdata.yaml", groups[i]);
        put_file(dir, "submissions/accepted/one.txt", "1\n");
        snprintf(cmd, sizeof cmd, "%s judge %s %s/submissions/accepted/one.txt 2>&1", jt_bin(), dir, dir);
        jt_sh(cmd, &out);
        cr_assert(!strstr(out, "unknown key"), "format %zu: %s", i, out);
        cr_assert(strstr(out, "verdict: AC"), "%s", out);
        free(out);
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        jt_sh(cmd, NULL);
    }
}

Test(judge_cli_verify, progress_once_table_and_default_limit, .timeout = 180)
{
    test_need_root();
    char dir[] = "/tmp/nsjudge-prog-XXXXXX", cmd[2048], *out = NULL;
    cr_assert(mkdtemp(dir));
    /* no time limit and no accepted program: the limit is a default */
    small_package(dir, NULL);
    snprintf(cmd, sizeof cmd, "rmdir %s/submissions/accepted && mkdir -p %s/submissions/wrong_answer "
             "%s/submissions/time_limit_exceeded", dir, dir, dir);
    cr_assert_eq(jt_sh(cmd, NULL), 0);
    put_file(dir, "submissions/wrong_answer/two.txt", "2\n");
    /* sleeps: a wall-clock time-out, its CPU time stays near 0 */
    put_file(dir, "submissions/time_limit_exceeded/sleepy.py", "import time\ntime.sleep(60)\n");

    /* not a terminal: one compact line per program on stderr */
    snprintf(cmd, sizeof cmd, "%s verify %s 2>%s/err; cat %s/err", jt_bin(), dir, dir, dir);
    cr_assert_eq(jt_sh(cmd, &out), 0, "%s", out);
    cr_assert(strstr(out, "time limit 1s (a default: no accepted submission ran to infer it from)"), "%s", out);
    cr_assert(strstr(out, "/2] wrong_answer/two.txt WA"), "compact progress: %s", out);
    cr_assert(strstr(out, "/2] time_limit_exceeded/sleepy.py TLE"), "compact progress: %s", out);
    /* the table: the time-out is marked as a wall-clock one */
    const char *row = strstr(out, "\ntime_limit_exceeded/sleepy.py ");
    cr_assert(row, "%s", out);
    const char *eol = strchr(row + 1, '\n');
    cr_assert(eol && memmem(row, (size_t)(eol - row), "s wall", 6), "wall TLE marked: %.*s",
              (int)(eol ? eol - row : 80), row);
    size_t headers = 0;
    for (const char *h = out; (h = strstr(h, "\nsubmission ")); h++)
        headers++;
    cr_assert_eq(headers, 1, "one table: %s", out);
    free(out);

    snprintf(cmd, sizeof cmd, "%s verify --json %s", jt_bin(), dir);
    cr_assert_eq(jt_sh(cmd, &out), 0, "%s", out);
    json_t *o = json_loads(out, 0, NULL);
    cr_assert(o, "%s", out);
    cr_assert_str_eq(json_string_value(json_object_get(o, "time_limit_source")), "default");
    cr_assert(json_is_false(json_object_get(o, "time_limit_inferred")));
    json_decref(o);
    free(out);

    /* a terminal: one live line rewritten in place, [k/N] PROGRAM TEST, and
     * no per-program lines before the table */
    snprintf(cmd, sizeof cmd, "script -qec '%s verify -t 1 %s' /dev/null", jt_bin(), dir);
    cr_assert_eq(jt_sh(cmd, &out), 0, "%s", out);
    cr_assert(strstr(out, "\r\033[K[1/2] ") || strstr(out, "\r\033[K[2/2] "), "%s", out);
    cr_assert(strstr(out, "wrong_answer/two.txt secret/1 WA"), "%s", out);
    cr_assert(strstr(out, "time limit 1s,"), "-t fixes the limit: %s", out);
    cr_assert(!strstr(out, " expected wrong_answer"), "the old per-program lines: %s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    jt_sh(cmd, NULL);
}

Test(judge_cli, compiler_messages_name_the_submitted_file, .timeout = 120)
{
    test_need_root();
    char dir[] = "/tmp/nsjudge-ce-XXXXXX", cmd[2048], *out = NULL;
    cr_assert(mkdtemp(dir));
    put_file(dir, "1.in", "1\n");
    put_file(dir, "1.ans", "1\n");
    /* domain.c in a string is not main.c */
    put_file(dir, "sol.c", "#include <stdio.h>\nint main(void)\n{\n    puts(\"domain.c\"); return x;\n}\n");
    snprintf(cmd, sizeof cmd, "%s judge %s %s/sol.c 2>&1", jt_bin(), dir, dir);
    cr_assert_eq(jt_sh(cmd, &out), 1, "%s", out);
    cr_assert(strstr(out, "sol.c:4:"), "gcc's error names sol.c: %s", out);
    cr_assert(!strstr(out, "main.c:") && !strstr(out, "\nmain.c"), "%s", out);
    cr_assert(strstr(out, "\"domain.c\""), "only whole names are replaced: %s", out);
    const char *v = strstr(out, "verdict: CE");
    cr_assert(v, "%s", out);
    const char *eol = strchr(v, '\n');
    cr_assert(eol && !memmem(v, (size_t)(eol - v), "time", 4) && !memmem(v, (size_t)(eol - v), "memory", 6),
              "a CE line has no time or memory: %.*s", (int)(eol ? eol - v : 80), v);
    free(out);
    snprintf(cmd, sizeof cmd, "%s judge --json %s %s/sol.c", jt_bin(), dir, dir);
    cr_assert_eq(jt_sh(cmd, &out), 1, "%s", out);
    json_t *o = json_loads(out, 0, NULL);
    cr_assert(o, "%s", out);
    const char *co = json_string_value(json_object_get(o, "compile_output"));
    cr_assert(co && strstr(co, "sol.c:4:") && !strstr(co, "main.c:"), "%s", co);
    json_decref(o);
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    jt_sh(cmd, NULL);
}
