/*
 * test_judge_packages.c - problem packages in the layouts other tools write
 * (Kattis problemtools 2023-07, Polygon), built here as small packages of
 * our own and judged through the CLI (`nsjudge verify`, `nsjudge judge`)
 * and the HTTP API, as a problem setter would.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include "tests/test_judge_util.h"
#include "tests/test_server.h"

struct pkg_file { const char *rel, *text; };

/* Java as Kattis runs it: hello.java holds public class hello and runs as
 * class hello; a directory runs the class that has main (Runner, not the
 * first by name). */
static const struct pkg_file java_files[] = {
    {"problem.yaml",
     "problem_format_version: 2023-07-draft\n"
     "name: Greet\n"},
    {"data/secret/1.ans",
     "Hello Ada\n"},
    {"data/secret/1.in",
     "Ada\n"},
    {"submissions/accepted/hello.java",
     "import java.util.Scanner;\n"
     "public class hello {\n"
     "    public static void main(String[] args) {\n"
     "        System.out.println(\"Hello \" + new Scanner(System.in).next());\n"
     "    }\n"
     "}\n"},
    {"submissions/accepted/dirjava/Greeting.java",
     "public class Greeting {\n"
     "    static String of(String n) { return \"Hello \" + n; }\n"
     "}\n"},
    {"submissions/accepted/dirjava/Runner.java",
     "public class Runner {\n"
     "    public static void main(String[] args) throws Exception {\n"
     "        java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));\n"
     "        System.out.println(Greeting.of(r.readLine().trim()));\n"
     "    }\n"
     "}\n"},
    {"submissions/wrong_answer/shout.java",
     "public class shout {\n"
     "    public static void main(String[] args) { System.out.println(\"HELLO\"); }\n"
     "}\n"},
    {NULL, NULL},
};

static const struct pkg_file guess_files[] = {
    {"problem.yaml",
     "problem_format_version: 2023-07-draft\n"
     "name: Guess\n"
     "type: interactive\n"
     "limits:\n"
     "  time_limit: 1\n"},
    {"data/secret/1.ans",
     "7\n"},
    {"data/secret/1.in",
     "7\n"},
    {"output_validator/guess_validator/validate.cc",
     "#include \"validate.h\"\n"
     "#include <unistd.h>\n"
     "int main(int argc, char **argv)\n"
     "{\n"
     "    if (argc < 4) return 1;\n"
     "    int secret;\n"
     "    FILE *in = std::fopen(argv[1], \"r\");\n"
     "    if (!in || std::fscanf(in, \"%d\", &secret) != 1) return 1;\n"
     "    for (int i = 0; i < 4; i++) {\n"
     "        int g;\n"
     "        if (std::scanf(\"%d\", &g) != 1) { judge_message(argv[3], \"no guess\"); return reject_code; }\n"
     "        if (g == secret) { std::puts(\"correct\"); std::fflush(stdout); return accept_code; }\n"
     "        usleep(100000); /* reply after a submission that quit has gone */\n"
    "        std::puts(g < secret ? \"higher\" : \"lower\");\n"
     "        std::fflush(stdout);\n"
     "    }\n"
     "    judge_message(argv[3], \"too many guesses\");\n"
     "    return reject_code;\n"
     "}\n"},
    {"output_validator/guess_validator/validate.h",
     "#include <cstdio>\n"
     "#include <string>\n"
     "static void judge_message(const char *dir, const std::string &m)\n"
     "{\n"
     "    std::string p = std::string(dir) + \"/judgemessage.txt\";\n"
     "    if (FILE *f = std::fopen(p.c_str(), \"w\")) { std::fputs(m.c_str(), f); std::fclose(f); }\n"
     "}\n"
     "static const int accept_code = 42, reject_code = 43;\n"},
    {"submissions/accepted/bisect.c",
     "#include <stdio.h>\n"
     "#include <string.h>\n"
     "int main(void) {\n"
     "    int lo = 1, hi = 10; char r[32];\n"
     "    for (;;) { int m = (lo + hi) / 2; printf(\"%d\\n\", m); fflush(stdout);\n"
     "        if (scanf(\"%31s\", r) != 1 || !strcmp(r, \"correct\")) return 0;\n"
     "        if (!strcmp(r, \"higher\")) lo = m + 1; else hi = m - 1; }\n"
     "}\n"},
    /* one guess, then gone (problemtools guess.py): the validator's reply
     * must not kill it with SIGPIPE (JE); it reads EOF and says WA */
    {"submissions/wrong_answer/once.c",
     "#include <stdio.h>\nint main(void) { printf(\"5\\n\"); return 0; }\n"},
    /* exits with an error before reading: the validator then rejects the
     * EOF, but the submission ended first: run-time error, as Kattis says */
    {"submissions/run_time_error/quits.c",
     "int main(void) { return 3; }\n"},
    {"submissions/wrong_answer/upward.c",
     "#include <stdio.h>\n"
     "#include <string.h>\n"
     "int main(void) {\n"
     "    char r[32];\n"
     "    for (int g = 1;; g++) { printf(\"%d\\n\", g); fflush(stdout);\n"
     "        if (scanf(\"%31s\", r) != 1 || !strcmp(r, \"correct\")) return 0; }\n"
     "}\n"},
    {NULL, NULL},
};

/* Input validators: one in a language this host lacks (checktestdata is
 * not installed here) next to one that runs. */
static const struct pkg_file validated_files[] = {
    {"problem.yaml", "problem_format_version: 2023-07-draft\nname: Letters\n"},
    {"data/secret/1.in", "abc\n"},
    {"data/secret/1.ans", "abc\n"},
    {"input_validators/letters.ctd", "STRING(\"a\",\"z\") NEWLINE EOF\n"},
    {"input_validators/alpha.py",
     "import sys\nsys.exit(42 if sys.stdin.read().strip().isalpha() else 43)\n"},
    {"submissions/accepted/cat.py", "print(input())\n"},
    {NULL, NULL},
};

static void put(const char *root, const char *rel, const char *text)
{
    char path[1024], cmd[1200];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    char *slash = strrchr(path, '/');
    *slash = 0;
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    *slash = '/';
    FILE *f = fopen(path, "we");
    cr_assert(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

/* Writes the package under a fresh temp dir; returns its path (malloc'd). */
static char *make_pkg(const char *name, const struct pkg_file *files)
{
    char tmpl[] = "/tmp/nsjudge-pkg-XXXXXX";
    cr_assert(mkdtemp(tmpl));
    char *root = NULL;
    cr_assert(asprintf(&root, "%s/%s", tmpl, name) > 0);
    for (const struct pkg_file *f = files; f->rel; f++)
        put(root, f->rel, f->text);
    return root;
}

static void rm_pkg(char *root)
{
    char cmd[1200];
    char *slash = strrchr(root, '/');
    *slash = 0;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
    free(root);
}

/* verify --json: every submission judged (none skipped) as its directory
 * says; returns the parsed report. */
static json_t *verify_ok(const char *root, const char *extra_flags)
{
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s verify --json -j 2 %s '%s' 2>/dev/null", jt_bin(), extra_flags,
             root);
    int code = jt_sh(cmd, &out);
    json_t *o = json_loads(out, 0, NULL);
    cr_assert(o, "verify printed no JSON (exit %d): %s", code, out);
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(o, "submissions"), i, s) {
        json_t *rep = json_object_get(s, "report");
        cr_expect(json_is_true(json_object_get(s, "ok")) && !json_is_true(json_object_get(s, "skipped")),
                  "%s: expected %s, got %s: %s", json_string_value(json_object_get(s, "submission")),
                  json_string_value(json_object_get(s, "expected")),
                  json_string_value(json_object_get(rep, "verdict")),
                  json_string_value(json_object_get(rep, "message")));
    }
    cr_assert_eq(json_integer_value(json_object_get(o, "mismatches")), 0, "%s", out);
    cr_assert_eq(code, 0, "verify exit code: %s", out);
    free(out);
    return o;
}

/* verify --json finds n invalid test inputs (and so exits 1). */
static void verify_invalid_inputs(const char *root, const char *extra_flags, long n)
{
    char cmd[3000], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s verify --json -j 2 %s '%s' 2>/dev/null", jt_bin(), extra_flags, root);
    cr_assert_eq(jt_sh(cmd, &out), 1, "%s", out);
    json_t *o = json_loads(out, 0, NULL);
    cr_assert(o, "%s", out);
    cr_assert_eq(json_integer_value(json_object_get(o, "invalid_inputs")), n, "%s", out);
    json_decref(o);
    free(out);
}

/* `nsjudge judge --json` of submissions/SUB (env: assignments put before
 * the command, or NULL) must give verdict; returns its output to free. */
static char *judge_out(const char *env, const char *root, const char *sub, const char *verdict)
{
    char cmd[3000], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s %s judge --json '%s' '%s/submissions/%s' 2>&1", env ? env : "",
             jt_bin(), root, root, sub);
    jt_sh(cmd, &out);
    json_t *o = json_loads(out, 0, NULL);
    cr_assert(o, "%s", out);
    cr_assert_str_eq(json_string_value(json_object_get(o, "verdict")), verdict, "%s: %s", sub, out);
    json_decref(o);
    return out;
}

static void judge_one(const char *root, const char *sub, const char *verdict)
{
    free(judge_out(NULL, root, sub, verdict));
}

Test(packages_cli, java_class_named_after_its_file, .timeout = 240)
{
    test_need_root();
    char *root = make_pkg("greet", java_files);
    json_t *o = verify_ok(root, "");
    cr_assert_eq(json_array_size(json_object_get(o, "submissions")), 3);
    json_decref(o);
    judge_one(root, "accepted/hello.java", "AC");
    judge_one(root, "accepted/dirjava", "AC");
    judge_one(root, "wrong_answer/shout.java", "WA");
    /* a file not named after its class takes the public class it declares:
     * the one in the code, not one named in a comment or a string */
    put(root, "submissions/accepted/sol.java",
        "import java.util.Scanner;\n"
        "// public class Old was its name before\n"
        "/* public class Older */\n"
        "public class Solution {\n"
        "    static final String S = \"public class Fake\";\n"
        "    public static void main(String[] args) {\n"
        "        System.out.println(\"Hello \" + new Scanner(System.in).next());\n"
        "    }\n"
        "}\n");
    judge_one(root, "accepted/sol.java", "AC");
    rm_pkg(root);
}

Test(packages_cli, output_validator_program_directory, .timeout = 240)
{
    test_need_root();
    char *root = make_pkg("guess", guess_files);
    json_decref(verify_ok(root, ""));
    judge_one(root, "accepted/bisect.c", "AC");
    judge_one(root, "wrong_answer/upward.c", "WA");
    judge_one(root, "run_time_error/quits.c", "RTE");
    judge_one(root, "wrong_answer/once.c", "WA");
    rm_pkg(root);
}

/* A .ctd validator without checktestdata: skipped with a warning that
 * names it; the Python validator still runs and still rejects. */
Test(packages_cli, validator_in_missing_language_is_skipped, .timeout = 240)
{
    test_need_root();
    char *root = make_pkg("letters", validated_files);
    json_t *o = verify_ok(root, "");
    json_t *ins = json_object_get(o, "inputs");
    size_t i, skipped = 0, ran = 0;
    json_t *e;
    json_array_foreach(ins, i, e) {
        const char *val = json_string_value(json_object_get(e, "validator"));
        if (json_is_true(json_object_get(e, "skipped"))) {
            skipped++;
            cr_assert_str_eq(val, "input_validators/letters.ctd");
            cr_assert(strstr(json_string_value(json_object_get(e, "message")), "checktestdata"),
                      "the warning names the missing tool");
        } else {
            ran++;
            cr_assert_str_eq(val, "input_validators/alpha.py");
            cr_assert(json_is_true(json_object_get(e, "valid")));
        }
    }
    cr_assert_eq(skipped, 1);
    cr_assert_eq(ran, 1);
    cr_assert_eq(json_integer_value(json_object_get(o, "skipped_input_validators")), 1);
    json_decref(o);

    /* the human report says so on stderr too */
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s verify -j 2 '%s' 2>&1 >/dev/null", jt_bin(), root);
    jt_sh(cmd, &out);
    cr_assert(strstr(out, "warning: input validator input_validators/letters.ctd skipped"), "%s", out);
    free(out);

    /* skipping one validator does not switch the others off */
    put(root, "data/secret/2.in", "12\n");
    put(root, "data/secret/2.ans", "12\n");
    verify_invalid_inputs(root, "", 1);
    rm_pkg(root);
}

/* problemtools' older name input_format_validators/ is read too: an
 * invalid input there fails verify (before, the validator never ran). */
Test(packages_cli, input_format_validators_are_read, .timeout = 240)
{
    test_need_root();
    static const struct pkg_file files[] = {
        {"problem.yaml", "name: Older\n"},
        {"data/secret/1.in", "abc\n"},
        {"data/secret/1.ans", "abc\n"},
        {"input_format_validators/alpha.py",
         "import sys\nsys.exit(42 if sys.stdin.read().strip().isalpha() else 43)\n"},
        {"submissions/accepted/cat.py", "print(input())\n"},
        {NULL, NULL},
    };
    char *root = make_pkg("older", files);
    json_t *o = verify_ok(root, "");
    cr_assert_eq(json_array_size(json_object_get(o, "inputs")), 1);
    json_decref(o);
    put(root, "data/secret/2.in", "12\n");
    put(root, "data/secret/2.ans", "12\n");
    verify_invalid_inputs(root, "", 1);
    rm_pkg(root);
}

/* A language whose validators exit 0 on a valid input (as checktestdata
 * and viva do): the table's input_valid_exit decides, not a fixed 42. */
Test(packages_cli, input_valid_exit_from_the_language_table, .timeout = 240)
{
    test_need_root();
    static const struct pkg_file files[] = {
        {"problem.yaml", "problem_format_version: 2023-07-draft\nname: Zero\n"},
        {"data/secret/1.in", "5\n"},
        {"data/secret/1.ans", "5\n"},
        {"input_validators/digits.zchk", "read x; case \"$x\" in *[!0-9]*|'') exit 1;; esac; exit 0\n"},
        {"submissions/accepted/cat.py", "print(input())\n"},
        {NULL, NULL},
    };
    char *root = make_pkg("zero", files);
    /* the shipped table plus a bash-run validator language that exits 0 */
    char *text = NULL;
    size_t len = 0;
    FILE *f = fopen(jt_path("configs/languages.json"), "re");
    cr_assert(f);
    json_t *tab = json_loadf(f, 0, NULL);
    fclose(f);
    cr_assert(tab);
    json_array_append_new(json_object_get(tab, "languages"),
                          json_pack("{s:s, s:[s], s:[s,s], s:i}", "id", "zchk", "extensions", "zchk",
                                    "run", "bash", "{src}", "input_valid_exit", 0));
    char langs[1200];
    snprintf(langs, sizeof langs, "%s/../langs.json", root);
    cr_assert_eq(json_dump_file(tab, langs, 0), 0);
    json_decref(tab);
    (void)text;
    (void)len;
    char flags[1300];
    snprintf(flags, sizeof flags, "--languages '%s'", langs);
    json_t *o = verify_ok(root, flags);
    cr_assert_eq(json_integer_value(json_object_get(o, "invalid_inputs")), 0);
    cr_assert_eq(json_array_size(json_object_get(o, "inputs")), 1);
    json_decref(o);
    /* and a non-digit input is still rejected (exit 1 is not 0) */
    put(root, "data/secret/2.in", "x\n");
    put(root, "data/secret/2.ans", "x\n");
    verify_invalid_inputs(root, flags, 1);
    rm_pkg(root);
}

/* problemtools keeps a program over the memory limit under run_time_error/
 * (it has no MLE verdict): verify accepts MLE there, and still not AC/WA. */
Test(packages_cli, run_time_error_accepts_memory_limit, .timeout = 240)
{
    test_need_root();
    static const struct pkg_file files[] = {
        {"problem.yaml", "name: Hog\nlimits:\n  memory: 64\n  time_limit: 2\n"},
        {"data/secret/1.in", "1\n"},
        {"data/secret/1.ans", "1\n"},
        {"submissions/accepted/cat.py", "print(input())\n"},
        {"submissions/run_time_error/hog.c",
         "#include <stdlib.h>\n#include <stdio.h>\n"
         "int main(void) { size_t n = 256u << 20; volatile char *p = malloc(n);\n"
         "  if (!p) return 1; for (size_t i = 0; i < n; i += 4096) p[i] = (char)i;\n"
         "  printf(\"%d\\n\", 1 + p[n / 2] * 0); return 0; }\n"},
        {"submissions/run_time_error/crash.c", "int main(void) { return 3; }\n"},
        {NULL, NULL},
    };
    char *root = make_pkg("hog", files);
    json_t *o = verify_ok(root, "");
    size_t i;
    json_t *s;
    bool saw_mle = false;
    json_array_foreach(json_object_get(o, "submissions"), i, s) {
        const char *v = json_string_value(json_object_get(json_object_get(s, "report"), "verdict"));
        if (strstr(json_string_value(json_object_get(s, "submission")), "hog.c"))
            saw_mle = v && !strcmp(v, "MLE");
    }
    cr_assert(saw_mle, "hog.c is judged MLE (and accepted as run_time_error)");
    json_decref(o);
    rm_pkg(root);
}

/* Kattis: a .py whose #! line names python2 is Python 2. This host has no
 * Python 2 in the box, so it is skipped (as a missing language is), not
 * run under Python 3 and failed as a compile error. */
Test(packages_cli, python2_shebang_is_python2, .timeout = 240)
{
    test_need_root();
    static const struct pkg_file files[] = {
        {"problem.yaml", "name: Two\n"},
        {"data/secret/1.in", "3\n"},
        {"data/secret/1.ans", "3\n"},
        {"submissions/accepted/old.py", "#!/usr/bin/env python2\nprint raw_input()\n"},
        {"submissions/accepted/new.py", "#!/usr/bin/env python3\nprint(input())\n"},
        {"submissions/accepted/plain.py", "print(input())\n"},
        /* a word that only starts with python2 is not python2 */
        {"submissions/accepted/py27ish.py", "#!/opt/python27x/bin/python3\nprint(input())\n"},
        {NULL, NULL},
    };
    char *root = make_pkg("two", files);
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s verify --json -j 2 '%s' 2>/dev/null", jt_bin(), root);
    int code = jt_sh(cmd, &out);
    json_t *o = json_loads(out, 0, NULL);
    cr_assert(o, "%s", out);
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(o, "submissions"), i, s) {
        const char *name = json_string_value(json_object_get(s, "submission"));
        const char *lang = json_string_value(json_object_get(s, "language"));
        if (strstr(name, "old.py")) {
            cr_assert_str_eq(lang, "python2", "%s", out);
        } else {
            cr_assert_str_eq(lang, "python3", "%s: %s", name, out);
            cr_assert(json_is_true(json_object_get(s, "ok")), "%s", name);
        }
    }
    cr_assert_eq(json_integer_value(json_object_get(o, "mismatches")), 0, "%s", out);
    cr_assert_eq(code, 0, "%s", out);
    json_decref(o);
    free(out);
    rm_pkg(root);
}

/* Validators get compile limits of their own (validator_compile_limits,
 * default at least 60 s CPU): a validator whose compile takes longer than
 * the language's submission compile limit still builds. The "compiler"
 * here burns 2 s of CPU under a 1 s compile limit for submissions. */
Test(packages_cli, validators_have_their_own_compile_limits, .timeout = 240)
{
    test_need_root();
    static const struct pkg_file files[] = {
        {"problem.yaml", "name: Slow build\n"},
        {"data/secret/1.in", "5\n"},
        {"data/secret/1.ans", "5\n"},
        {"input_validators/check.slow", "exit 42\n"},
        {"output_validators/same.slow", "read want < \"$2\"; read got; [ \"$want\" = \"$got\" ] && exit 42; exit 43\n"},
        {"submissions/accepted/cat.py", "print(input())\n"},
        {"submissions/compile_error/cat.slow", "cat\n"},
        {NULL, NULL},
    };
    char *root = make_pkg("slowbuild", files);
    FILE *f = fopen(jt_path("configs/languages.json"), "re");
    cr_assert(f);
    json_t *tab = json_loadf(f, 0, NULL);
    fclose(f);
    cr_assert(tab);
    json_array_append_new(
        json_object_get(tab, "languages"),
        json_pack("{s:s, s:[s], s:[s,s,s], s:[s,s], s:{s:i, s:i}}", "id", "slow", "extensions", "slow",
                  /* 3 s of CPU, not of wall time: a loaded host gives a
                   * wall-time loop less than the 1 s limit */
                  "compile", "python3", "-c",
                  "import time\ne = time.process_time() + 3\nwhile time.process_time() < e: pass",
                  "run", "bash", "{src}", "compile_limits", "cpu_s", 1, "wall_s", 20));
    char langs[1200], flags[1300];
    snprintf(langs, sizeof langs, "%s/../langs.json", root);
    cr_assert_eq(json_dump_file(tab, langs, 0), 0);
    json_decref(tab);
    snprintf(flags, sizeof flags, "--languages '%s'", langs);
    /* the submission in that language hits the 1 s limit (CE), the
     * validators build under their own limits and run */
    json_t *o = verify_ok(root, flags);
    cr_assert_eq(json_array_size(json_object_get(o, "inputs")), 1);
    cr_assert_eq(json_integer_value(json_object_get(o, "invalid_inputs")), 0);
    json_decref(o);
    rm_pkg(root);
}

/* Polygon: interactor.c at the top of the package, run as testlib runs
 * one (interactor input output answer, talking to the solution on
 * stdin/stdout; exit 0 OK, 1 WA, 2 PE, 3 FAIL). testlib.h is not on this
 * machine, so the interactor is a small C program with the same argv and
 * exit codes, reporting on stderr as testlib does. */
static const struct pkg_file polygon_files[] = {
    {"problem.yaml", "name: Polygon guess\n"},
    {"data/secret/1.in", "7\n"},
    {"data/secret/1.ans", "7\n"},
    {"interactor.c",
     "#include <stdio.h>\n#include <string.h>\n"
     "int main(int argc, char **argv) {\n"
     "  if (argc < 4) return 3;\n"
     "  FILE *in = fopen(argv[1], \"r\"), *out = fopen(argv[2], \"w\");\n"
     "  int secret;\n"
     "  if (!in || !out || fscanf(in, \"%d\", &secret) != 1) { fprintf(stderr, \"FAIL bad input\\n\"); return 3; }\n"
     "  for (int i = 1; i <= 5; i++) {\n"
     "    char tok[64]; int g;\n"
     "    if (scanf(\"%63s\", tok) != 1) { fprintf(stderr, \"wrong answer no guess\\n\"); return 1; }\n"
     "    if (strcmp(tok, \"guess\") || scanf(\"%d\", &g) != 1) { fprintf(stderr, \"wrong output format expected guess N\\n\"); return 2; }\n"
     "    if (g == secret) { puts(\"correct\"); fflush(stdout); fprintf(out, \"%d\\n\", i); fprintf(stderr, \"ok found in %d\\n\", i); return 0; }\n"
     "    puts(g < secret ? \"higher\" : \"lower\"); fflush(stdout);\n"
     "  }\n"
     "  fprintf(stderr, \"wrong answer too many guesses\\n\"); return 1;\n"
     "}\n"},
    {"submissions/accepted/bisect.c",
     "#include <stdio.h>\n#include <string.h>\n"
     "int main(void) { int lo = 1, hi = 10; char r[32];\n"
     "  for (;;) { int m = (lo + hi) / 2; printf(\"guess %d\\n\", m); fflush(stdout);\n"
     "    if (scanf(\"%31s\", r) != 1 || !strcmp(r, \"correct\")) return 0;\n"
     "    if (!strcmp(r, \"higher\")) lo = m + 1; else hi = m - 1; } }\n"},
    {"submissions/wrong_answer/upward.c",
     "#include <stdio.h>\n#include <string.h>\n"
     "int main(void) { char r[32];\n"
     "  for (int g = 1;; g++) { printf(\"guess %d\\n\", g); fflush(stdout);\n"
     "    if (scanf(\"%31s\", r) != 1 || !strcmp(r, \"correct\")) return 0; } }\n"},
    {"submissions/presentation_error/bare.c",
     "#include <stdio.h>\nint main(void) { printf(\"7\\n\"); fflush(stdout); char r[32]; scanf(\"%31s\", r); return 0; }\n"},
    {"submissions/run_time_error/quits.c", "int main(void) { return 3; }\n"},
    {NULL, NULL},
};

Test(packages_cli, polygon_testlib_interactor, .timeout = 240)
{
    test_need_root();
    char *root = make_pkg("polyguess", polygon_files);
    json_decref(verify_ok(root, ""));
    judge_one(root, "accepted/bisect.c", "AC");
    char *out = judge_out(NULL, root, "wrong_answer/upward.c", "WA");
    /* the interactor's stderr is the message */
    cr_assert(strstr(out, "too many guesses"), "%s", out);
    free(out);
    judge_one(root, "presentation_error/bare.c", "PE");
    /* a FAIL (exit 3) is the judge's error, never the submission's */
    put(root, "data/secret/2.in", "not a number\n");
    put(root, "data/secret/2.ans", "0\n");
    judge_one(root, "accepted/bisect.c", "JE");
    rm_pkg(root);
}

/* Kotlin, from Debian's kotlin package: hello.kt (class HelloKt) and a
 * directory whose main is in the second file both run as compiled. */
Test(packages_cli, kotlin_file_and_directory, .timeout = 300)
{
    test_need_root();
    static const struct pkg_file files[] = {
        {"problem.yaml", "problem_format_version: 2023-07-draft\nname: Greet\n"},
        {"data/secret/1.in", "Ada\n"},
        {"data/secret/1.ans", "Hello Ada\n"},
        {"submissions/accepted/hello.kt", "fun main() {\n    println(\"Hello \" + readLine()!!.trim())\n}\n"},
        {"submissions/accepted/dirkt/Greeting.kt", "fun greet(n: String) = \"Hello \" + n\n"},
        {"submissions/accepted/dirkt/Runner.kt", "fun main() {\n    println(greet(readLine()!!.trim()))\n}\n"},
        {"submissions/wrong_answer/shout.kt", "fun main() {\n    println(\"HELLO\")\n}\n"},
        {"submissions/compile_error/broken.kt", "fun main() {\n    println(\n"},
        {NULL, NULL},
    };
    char *root = make_pkg("greetkt", files);
    json_t *o = verify_ok(root, "");
    cr_assert_eq(json_array_size(json_object_get(o, "submissions")), 4, "every Kotlin submission was judged");
    json_decref(o);
    rm_pkg(root);
}

/* The layout of problemtools' examples/oddecho: a scoring problem with
 * `grading: show_test_data_groups`, two subtasks whose testdata.yaml
 * files are problemtools' own (min grader, ranges, input validator flags),
 * a C++ input validator directory with a header, and submissions that
 * score all, part and nothing. The tests and submissions are ours: the
 * stored public copy of the example mixes commits and misses files. */
static const struct pkg_file oddecho_files[] = {
    {"problem.yaml",
     "license: cc by-sa\nauthor: nsjudge tests\nsource: after problemtools' oddecho\n"
     "type: scoring\nname: Echo\ngrading:\n    show_test_data_groups: true\n"},
    {"data/sample/1.in", "5\nhello\ni\nam\nan\necho\n"},
    {"data/sample/1.ans", "hello\nam\necho\n"},
    {"data/secret/testdata.yaml",
     "on_reject: continue\nrange: 0 100\ngrader_flags: first_error accept_if_any_accepted\n"},
    {"data/secret/subtask1/testdata.yaml",
     "on_reject: break\naccept_score: 1\nrange: 0 1\ngrader_flags: min\ninput_validator_flags: nFive=1\n"},
    {"data/secret/subtask1/1.in", "5\na\nb\nc\nd\ne\n"},
    {"data/secret/subtask1/1.ans", "a\nc\ne\n"},
    {"data/secret/subtask2/testdata.yaml",
     "on_reject: break\naccept_score: 50\nrange: 0 50\ngrader_flags: min\ninput_validator_flags: nFive=0\n"},
    {"data/secret/subtask2/1.in", "2\nx\ny\n"},
    {"data/secret/subtask2/1.ans", "x\n"},
    {"data/secret/subtask2/2.in", "7\na\nb\nc\nd\ne\nf\ng\n"},
    {"data/secret/subtask2/2.ans", "a\nc\ne\ng\n"},
    {"input_validators/validator/validator.h",
     "#include <cstdlib>\n#include <cstring>\n#include <iostream>\n#include <string>\n"
     "static void fail(const char *why) { std::cerr << why << std::endl; std::exit(43); }\n"},
    {"input_validators/validator/validator.cpp",
     "#include \"validator.h\"\n"
     "int main(int argc, char **argv) {\n"
     "  bool five = false;\n"
     "  for (int i = 1; i < argc; i++) if (!std::strcmp(argv[i], \"nFive=1\")) five = true;\n"
     "  int n; if (!(std::cin >> n) || n < 1 || n > 10) fail(\"n out of range\");\n"
     "  if (five && n != 5) fail(\"subtask 1 has n = 5\");\n"
     "  for (int i = 0; i < n; i++) { std::string w; if (!(std::cin >> w)) fail(\"missing word\"); }\n"
     "  std::string extra; if (std::cin >> extra) fail(\"trailing data\");\n"
     "  return 42;\n"
     "}\n"},
    {"submissions/accepted/echo.py",
     "n = int(input())\nw = [input() for _ in range(n)]\nprint('\\n'.join(w[::2]))\n"},
    {"submissions/partially_accepted/five.cpp",
     "#include <iostream>\n#include <string>\n"
     "int main() { int n; std::cin >> n; std::string w;\n"
     "  for (int i = 0; i < n; i++) { std::cin >> w; if (i % 2 == 0 && (n == 5 || i == 0)) std::cout << w << '\\n'; } }\n"},
    {"submissions/wrong_answer/all.py",
     "n = int(input())\nfor _ in range(n):\n    print(input())\n"},
    {NULL, NULL},
};

Test(packages_cli, oddecho_layout, .timeout = 240)
{
    test_need_root();
    char *root = make_pkg("oddecho", oddecho_files);
    json_t *o = verify_ok(root, "");
    cr_assert_eq(json_array_size(json_object_get(o, "submissions")), 3);
    /* subtask scores add up: 1 + 50 for all, 1 for n = 5 only, 0 */
    const struct { const char *sub; double score; } want[] = {
        {"accepted/echo.py", 51}, {"partially_accepted/five.cpp", 1}, {"wrong_answer/all.py", 0}};
    size_t i;
    json_t *sv;
    json_array_foreach(json_object_get(o, "submissions"), i, sv) {
        json_t *rep = json_object_get(sv, "report");
        for (size_t k = 0; k < 3; k++)
            if (!strcmp(json_string_value(json_object_get(sv, "submission")), want[k].sub))
                cr_expect_float_eq(json_real_value(json_object_get(rep, "score")), want[k].score, 1e-9,
                                   "%s", want[k].sub);
        cr_expect_float_eq(json_real_value(json_object_get(rep, "max_score")), 51, 1e-9);
    }
    /* the input validator ran on every test with its group's flags */
    cr_assert_eq(json_integer_value(json_object_get(o, "invalid_inputs")), 0);
    json_decref(o);
    /* the validator's flags reach it: a subtask-1 input with n != 5 is invalid */
    put(root, "data/secret/subtask1/2.in", "3\na\nb\nc\n");
    put(root, "data/secret/subtask1/2.ans", "a\nc\n");
    verify_invalid_inputs(root, "", 1);
    rm_pkg(root);
}

/* Polygon: a testlib checker.* beside the interactor judges the
 * interactor's output file once the interactor accepted (checker input
 * output answer, output being what the interactor wrote to argv[2]).
 * Here the interactor allows five guesses and writes how many were used;
 * the checker wants at most four. */
static const char polygon_checker[] =
    "#include <stdio.h>\n"
    "int main(int argc, char **argv) {\n"
    "  if (argc < 4) return 3;\n"
    "  FILE *o = fopen(argv[2], \"r\"); int used;\n"
    "  if (!o || fscanf(o, \"%d\", &used) != 1) { fprintf(stderr, \"wrong answer no count\\n\"); return 1; }\n"
    "  if (used > 4) { fprintf(stderr, \"wrong answer %d guesses, 4 allowed\\n\", used); return 1; }\n"
    "  fprintf(stderr, \"ok %d guesses\\n\", used); return 0;\n"
    "}\n";

Test(packages_cli, polygon_checker_after_interactor, .timeout = 240)
{
    test_need_root();
    char *root = make_pkg("polycheck", polygon_files);
    put(root, "checker.c", polygon_checker);
    /* five guesses: the interactor accepts, the checker does not */
    put(root, "submissions/wrong_answer/from3.c",
        "#include <stdio.h>\n#include <string.h>\n"
        "int main(void) { char r[32];\n"
        "  for (int g = 3;; g++) { printf(\"guess %d\\n\", g); fflush(stdout);\n"
        "    if (scanf(\"%31s\", r) != 1 || !strcmp(r, \"correct\")) return 0; } }\n");
    json_decref(verify_ok(root, ""));
    judge_one(root, "accepted/bisect.c", "AC");
    char *out = judge_out(NULL, root, "wrong_answer/from3.c", "WA");
    cr_assert(strstr(out, "5 guesses, 4 allowed"), "the checker's message: %s", out);
    free(out);
    rm_pkg(root);
}

/* The interactor's box writes the feedback dir: an interactor that leaves
 * a symlink as its output file must not get a host file mounted into the
 * checker's box. This checker accepts anything and repeats its first line:
 * without the check the verdict would be AC with a line of /etc/passwd. */
Test(packages_cli, polygon_interactor_output_symlink_is_refused, .timeout = 240)
{
    test_need_root();
    static const struct pkg_file files[] = {
        {"problem.yaml", "name: Link\n"},
        {"data/secret/1.in", "7\n"},
        {"data/secret/1.ans", "7\n"},
        {"interactor.c",
         "#include <stdio.h>\n#include <unistd.h>\n"
         "int main(int argc, char **argv) {\n"
         "  if (argc < 4) return 3;\n"
         "  unlink(argv[2]);\n"
         "  if (symlink(\"/etc/passwd\", argv[2]) < 0) { fprintf(stderr, \"FAIL symlink\\n\"); return 3; }\n"
         "  puts(\"correct\"); fflush(stdout); return 0;\n"
         "}\n"},
        {"checker.c",
         "#include <stdio.h>\n"
         "int main(int argc, char **argv) {\n"
         "  char line[256] = \"\"; FILE *o = fopen(argv[2], \"r\");\n"
         "  if (o && fgets(line, sizeof line, o)) fprintf(stderr, \"ok %s\", line);\n"
         "  return 0;\n"
         "}\n"},
        {"submissions/accepted/any.c", "int main(void) { return 0; }\n"},
        {NULL, NULL},
    };
    char *root = make_pkg("polylink", files);
    char *out = judge_out(NULL, root, "accepted/any.c", "JE");
    cr_assert_null(strstr(out, "root:"), "a host file reached the checker: %s", out);
    cr_assert(strstr(out, "no output file"), "%s", out);
    free(out);
    rm_pkg(root);
}

/* ---- compiled validators are kept on disk, keyed by content ------------- */

/* Names in dir that are cache entries (not .tmp leftovers). */
static size_t cache_entries(const char *dir, char *first, size_t firstlen)
{
    char cmd[1200], *out = NULL;
    snprintf(cmd, sizeof cmd, "ls -1 '%s' 2>/dev/null", dir);
    jt_sh(cmd, &out);
    size_t n = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        cr_assert_neq(line[0], '.', "a temporary entry was left: %s", line);
        if (n++ == 0 && first)
            snprintf(first, firstlen, "%s/%s", dir, line);
    }
    free(out);
    return n;
}

static void judge_cached(const char *cache, const char *root, const char *sub, const char *verdict)
{
    char env[1300];
    snprintf(env, sizeof env, "NSJUDGE_CACHE_DIR='%s'", cache);
    free(judge_out(env, root, sub, verdict));
}

/* The second `nsjudge judge` takes the validator from the cache: its
 * binary, swapped in the entry for one that accepts everything, decides.
 * A changed source is another key and is built again. */
Test(packages_cli, validator_is_built_once_per_content, .timeout = 240)
{
    test_need_root();
    static const struct pkg_file files[] = {
        {"problem.yaml", "name: Never\n"},
        {"data/secret/1.in", "1\n"},
        {"data/secret/1.ans", "1\n"},
        {"output_validators/never/never.c", "int main(void) { return 43; }\n"},
        {"submissions/accepted/one.py", "print(1)\n"},
        {NULL, NULL},
    };
    char *root = make_pkg("never", files);
    char cache[1200], entry[1400], cmd[3000];
    snprintf(cache, sizeof cache, "%s/../cache", root);
    judge_cached(cache, root, "accepted/one.py", "WA");
    cr_assert_eq(cache_entries(cache, entry, sizeof entry), 1);
    /* every executable in the entry (the compiled validator) now accepts */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && n=0; for f in *; do [ -x \"$f\" ] && [ -f \"$f\" ] && "
             "printf '#!/bin/sh\\nexit 42\\n' > \"$f\" && n=$((n+1)); done; [ $n -ge 1 ]",
             entry);
    cr_assert_eq(system(cmd), 0, "no executable in the cache entry %s", entry);
    judge_cached(cache, root, "accepted/one.py", "AC");
    cr_assert_eq(cache_entries(cache, NULL, 0), 1);
    /* the same validator, changed: built afresh, so it rejects again */
    put(root, "output_validators/never/never.c", "/* v2 */ int main(void) { return 43; }\n");
    judge_cached(cache, root, "accepted/one.py", "WA");
    cr_assert_eq(cache_entries(cache, NULL, 0), 2);
    rm_pkg(root);
}

/* What the compile step leaves in the box is untrusted: a symlink (which
 * the judge, as root, would otherwise follow when storing the entry and
 * copy a host file into it) or a fifo never reaches the cache. */
Test(packages_cli, build_cache_stores_no_symlink, .timeout = 240)
{
    test_need_root();
    static const struct pkg_file files[] = {
        {"problem.yaml", "name: Links\n"},
        {"data/secret/1.in", "1\n"},
        {"data/secret/1.ans", "1\n"},
        {"output_validators/v.lnk", "exit 42\n"},
        {"submissions/accepted/one.py", "print(1)\n"},
        {NULL, NULL},
    };
    char *root = make_pkg("links", files);
    FILE *f = fopen(jt_path("configs/languages.json"), "re");
    cr_assert(f);
    json_t *tab = json_loadf(f, 0, NULL);
    fclose(f);
    cr_assert(tab);
    json_array_append_new(
        json_object_get(tab, "languages"),
        json_pack("{s:s, s:[s], s:[s,s,s], s:[s,s]}", "id", "lnk", "extensions", "lnk", "compile", "sh",
                  "-c", "ln -s /etc/passwd leak && ln -s / root && mkfifo pipe && mkdir d && ln -s /etc d/up",
                  "run", "sh", "{src}"));
    char langs[1200], cache[1200], entry[1400], cmd[4000], *out = NULL;
    snprintf(langs, sizeof langs, "%s/../langs.json", root);
    snprintf(cache, sizeof cache, "%s/../cache", root);
    cr_assert_eq(json_dump_file(tab, langs, 0), 0);
    json_decref(tab);
    snprintf(cmd, sizeof cmd,
             "NSJUDGE_CACHE_DIR='%s' %s judge --json --languages '%s' '%s' '%s/submissions/accepted/one.py' 2>&1",
             cache, jt_bin(), langs, root, root);
    jt_sh(cmd, &out);
    cr_assert(strstr(out, "\"AC\""), "%s", out);
    free(out);
    cr_assert_eq(cache_entries(cache, entry, sizeof entry), 1);
    snprintf(cmd, sizeof cmd, "cd '%s' && ls -la . d; test -f main.lnk && test -d d && ! test -e leak && "
             "! test -L leak && ! test -e root && ! test -e pipe && ! test -e d/up && ! test -L d/up", entry);
    out = NULL;
    int rc = jt_sh(cmd, &out);
    cr_assert_eq(rc, 0, "the cache entry holds what it must not: %s", out);
    free(out);
    rm_pkg(root);
}

/* ---- through the HTTP API ----------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "%s", path);
    char *buf = malloc(1 << 20);
    cr_assert(buf);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

/* Uploads the package at root as a .tgz under id, then submits each
 * case's file (a problem submission in that Judge0 language) and checks
 * its verdict. */
struct http_case { const char *file; int language_id; const char *verdict; };

static void upload_and_judge(struct srv *s, const char *root, const char *id,
                             const struct http_case *cases, size_t n)
{
    char cmd[2048], path[1400];
    const char *base = strrchr(root, '/') + 1;
    snprintf(cmd, sizeof cmd, "tar -C '%s/..' -czf '%s/%s.tgz' '%s'", root, s->dir, id, base);
    cr_assert_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/%s.tgz", s->dir, id);
    size_t len;
    char *tgz = slurp(path, &len);
    const char *hdr[] = {"Content-Type: application/gzip", NULL};
    snprintf(path, sizeof path, "/problems?id=%s", id);
    struct hresp r = http(s, "POST", path, tgz, len, hdr);
    free(tgz);
    cr_assert_eq(r.code, 201, "%s", r.body);
    hresp_free(&r);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/submissions/%s", root, cases[i].file);
        char *src = slurp(path, &len);
        json_t *b = json_pack("{s:i, s:s%, s:s}", "language_id", cases[i].language_id, "source_code",
                              src, len, "problem_id", id);
        free(src);
        r = http_json_post(s, "/submissions?wait=true&fields=status,verdict,message,compile_output", b);
        cr_assert_eq(r.code, 201, "%s", r.body);
        cr_expect_str_eq(jstr(r.json, "verdict"), cases[i].verdict, "%s: %s", cases[i].file, r.body);
        hresp_free(&r);
    }
}

/* The problemtools layout output_validator/<name>/validate.cc + .h,
 * uploaded as an archive and judged by a worker. */
Test(packages_http, output_validator_program_directory, .timeout = 300)
{
    test_need_root();
    char *root = make_pkg("guess", guess_files);
    struct srv s;
    srv_start(&s, 1, NULL);
    const struct http_case cases[] = {
        {"accepted/bisect.c", 50, "AC"},
        {"wrong_answer/upward.c", 50, "WA"},
    };
    upload_and_judge(&s, root, "guess", cases, 2);
    /* the validator was compiled into the data dir's cache, which outlives restarts */
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "%s/data/build-cache", s.dir);
    cr_assert_eq(cache_entries(cmd, NULL, 0), 1, "%s", cmd);
    srv_cleanup(&s);
    rm_pkg(root);
}

/* Over HTTP a source has no file name: a Java source is named after the
 * public class it declares (hello.java's class hello, a Solution), and a
 * Polygon package's interactor and checker judge a worker's runs. */
Test(packages_http, java_class_and_polygon_checker, .timeout = 300)
{
    test_need_root();
    char *java = make_pkg("greet", java_files);
    char *poly = make_pkg("polycheck", polygon_files);
    put(poly, "checker.c", polygon_checker);
    put(poly, "submissions/wrong_answer/from3.c",
        "#include <stdio.h>\n#include <string.h>\n"
        "int main(void) { char r[32];\n"
        "  for (int g = 3;; g++) { printf(\"guess %d\\n\", g); fflush(stdout);\n"
        "    if (scanf(\"%31s\", r) != 1 || !strcmp(r, \"correct\")) return 0; } }\n");
    put(java, "submissions/accepted/Solution.java",
        "import java.util.Scanner;\n"
        "public final class Solution {\n"
        "    public static void main(String[] args) {\n"
        "        System.out.println(\"Hello \" + new Scanner(System.in).next());\n"
        "    }\n"
        "}\n");
    struct srv s;
    srv_start(&s, 1, NULL);
    const struct http_case jc[] = {
        {"accepted/hello.java", 62, "AC"},
        {"accepted/Solution.java", 62, "AC"},
        {"wrong_answer/shout.java", 62, "WA"},
    };
    upload_and_judge(&s, java, "greet", jc, 3);
    const struct http_case pc[] = {
        {"accepted/bisect.c", 50, "AC"},
        {"wrong_answer/from3.c", 50, "WA"},
        {"presentation_error/bare.c", 50, "PE"},
    };
    upload_and_judge(&s, poly, "polycheck", pc, 3);
    srv_cleanup(&s);
    rm_pkg(java);
    rm_pkg(poly);
}

/* score.txt is the validator's word on a scoring test, read as a number
 * from 0 to 1e9: "nan", "inf", "1e400" or junk after the number is the
 * validator's fault (JE), never a score that poisons the sum. */
Test(packages_cli, score_txt_must_be_a_number, .timeout = 240)
{
    test_need_root();
    static const struct pkg_file files[] = {
        {"problem.yaml", "name: Scores\ntype: scoring\n"},
        {"data/secret/1.in", "1\n"},
        {"data/secret/1.ans", "1\n"},
        {"output_validators/v.sh", "exit 42\n"},
        {"submissions/accepted/one.py", "print(1)\n"},
        {NULL, NULL},
    };
    const struct { const char *score, *verdict; } cases[] = {
        {"25", "AC"}, {" 7.5 ", "AC"}, {"nan", "JE"}, {"inf", "JE"}, {"1e400", "JE"},
        {"-3", "JE"}, {"12abc", "JE"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *root = make_pkg("scores", files);
        char v[256];
        snprintf(v, sizeof v, "printf '%%s\\n' '%s' > \"$3/score.txt\"; exit 42\n", cases[i].score);
        put(root, "output_validators/v.sh", v);
        char *out = judge_out(NULL, root, "accepted/one.py", cases[i].verdict);
        if (!strcmp(cases[i].verdict, "JE"))
            cr_expect(strstr(out, "score.txt"), "the message names score.txt: %s", out);
        free(out);
        rm_pkg(root);
    }
}
