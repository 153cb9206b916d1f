/*
 * test_cli_vocabulary.c - the nsjudge subcommands speak one language: a
 * short flag means one thing everywhere, sizes and durations take the same
 * units, range errors say the range, every subcommand has --help (which the
 * man pages are made from), and `nsjudge version` says what the host has.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <jansson.h>
#include <string.h>
#include "tests/test_judge_util.h"
#include "tests/test_root.h"

/* The subcommands of this binary, as `nsjudge --help` lists them. */
static size_t subcommands(char names[16][32])
{
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s --help", jt_bin());
    cr_assert_eq(jt_sh(cmd, &out), 0);
    size_t n = 0;
    for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
        char name[32];
        if (!strncmp(l, "  ", 2) && sscanf(l, "  %31[a-z] ", name) == 1 && strcmp(name, "help") &&
            n < 16)
            snprintf(names[n++], 32, "%s", name);
    }
    free(out);
    cr_assert_geq(n, 7, "serve worker judge verify run languages version");
    return n;
}

/* The CLI commands of this binary. serve and worker (the service module,
 * server/service/cmd_serve.c) still give -c, -d, -w, -l the meanings --config,
 * --data-dir, --workers, --listen, which run (isolate: --chdir, --dir,
 * --wall-time) and judge (--lang) use otherwise; they join this list when
 * those short forms go. */
static const char *const cli_cmds[] = {"run", "judge", "verify", "languages", "version", "serve", "worker"};

Test(cli_vocabulary, every_subcommand_has_help)
{
    char names[16][32];
    size_t n = subcommands(names);
    for (size_t i = 0; i < n; i++) {
        char cmd[1024], *out = NULL, want[64];
        snprintf(cmd, sizeof cmd, "%s help %s", jt_bin(), names[i]);
        cr_assert_eq(jt_sh(cmd, &out), 0, "nsjudge help %s: %s", names[i], out);
        snprintf(want, sizeof want, "usage: nsjudge %s", names[i]);
        cr_assert(strstr(out, want), "nsjudge help %s: %s", names[i], out);
        cr_assert(strstr(out, "--help"), "nsjudge help %s lists no --help", names[i]);
        free(out);
        snprintf(cmd, sizeof cmd, "%s %s --help", jt_bin(), names[i]);
        cr_assert_eq(jt_sh(cmd, &out), 0, "nsjudge %s --help", names[i]);
        cr_assert(strstr(out, want), "nsjudge %s --help: %s", names[i], out);
        free(out);
    }
}

/* "-j, --jobs N": each short flag of the help texts has one long name. */
Test(cli_vocabulary, a_short_flag_means_one_thing)
{
    char longs[128][48] = {{0}}, where[128][16] = {{0}};
    for (size_t c = 0; c < sizeof cli_cmds / sizeof *cli_cmds; c++) {
        char cmd[1024], *out = NULL;
        snprintf(cmd, sizeof cmd, "%s help %s", jt_bin(), cli_cmds[c]);
        cr_assert_eq(jt_sh(cmd, &out), 0);
        for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
            char s, lng[48];
            if (sscanf(l, " -%c, --%47[a-z_-]", &s, lng) != 2 || !isalpha((unsigned char)s))
                continue;
            if (longs[(int)s][0])
                cr_assert_str_eq(lng, longs[(int)s], "-%c is --%s in %s but --%s in %s", s, lng,
                                 cli_cmds[c], longs[(int)s], where[(int)s]);
            snprintf(longs[(int)s], sizeof longs[0], "%s", lng);
            snprintf(where[(int)s], sizeof where[0], "%s", cli_cmds[c]);
        }
        free(out);
    }
    cr_assert_str_eq(longs['j'], "jobs");
    cr_assert_str_eq(longs['t'], "time");
    cr_assert_str_eq(longs['m'], "mem");
}

/* serve and worker take -c, -d, -w, -l long only (run and judge own those
 * letters), and say so instead of doing something else. */
Test(cli_vocabulary, serve_letters_are_long_only, .timeout = 60)
{
    const char *cases[][3] = {
        {"serve", "-c /dev/null", "--config"}, {"serve", "-d /tmp", "--data-dir"},
        {"serve", "-w 1", "--workers"}, {"serve", "-l 127.0.0.1:1", "--listen"},
        {"worker", "-d /tmp", "--data-dir"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char cmd[1024], *out = NULL;
        snprintf(cmd, sizeof cmd, "timeout 20 %s %s %s 2>&1", jt_bin(), cases[i][0], cases[i][1]);
        cr_expect_eq(jt_sh(cmd, &out), 2, "%s %s: %s", cases[i][0], cases[i][1], out);
        cr_expect(strstr(out, cases[i][2]), "%s %s names %s: %s", cases[i][0], cases[i][1], cases[i][2], out);
        free(out);
    }
}

/* Run a command line; return its exit code and its output (2>&1). */
static int cli(char **out, const char *fmt, const char *a)
{
    char args[3 * PATH_MAX], cmd[4 * PATH_MAX];
    snprintf(args, sizeof args, fmt, a ? a : "");
    snprintf(cmd, sizeof cmd, "timeout 120 %s %s 2>&1", jt_bin(), args);
    return jt_sh(cmd, out);
}

Test(cli_vocabulary, one_unit_and_range_errors_that_say_the_range, .timeout = 120)
{
    const char *hello = jt_path("testdata/problems/hello");
    char target[2 * PATH_MAX + 64];
    snprintf(target, sizeof target, "%s %s/submissions/accepted/hello.c", hello, hello);
    struct { const char *fmt, *arg, *flag, *range; } refused[] = {
        /* --mem is KiB in both: 128 KiB is below the smallest limit, and
         * the message says how to write MiB */
        {"run --mem 128 -- /bin/true", NULL, "--mem", "from 1M to 4T"},
        {"judge --mem 128 %s", target, "--mem", "from 1M to 4T"},
        /* 0 is refused by both (it was "no limit" in run, an error in judge) */
        {"run -t 0 -- /bin/true", NULL, "--time", "from 1ms to 1000000s"},
        {"judge -t 0 %s", target, "--time", "from 1ms to 1000000s"},
        {"verify -t 0 %s", hello, "--time", "from 1ms to 1000000s"},
        {"run --time 2h -- /bin/true", NULL, "--time", "from 1ms to 1000000s"},
        {"judge --jobs 65 %s", target, "--jobs", "from 1 to 64"},
        {"verify -j 0 %s", hello, "--jobs", "from 1 to 64"},
        {"run --processes 0 -- /bin/true", NULL, "--processes", "from 1 to 100000"},
        {"run --fsize 5T -- /bin/true", NULL, "--fsize", "from 1K to 4T"},
        {"run --keep=100000 -- /bin/true", NULL, "--keep", "from 1ms to 86400s"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        char *out = NULL;
        int code = cli(&out, refused[i].fmt, refused[i].arg);
        cr_assert_eq(code, 2, "%s: exit %d: %s", refused[i].fmt, code, out);
        cr_assert(strstr(out, refused[i].flag) && strstr(out, refused[i].range),
                  "%s: the error names %s and says %s: %s", refused[i].fmt, refused[i].flag,
                  refused[i].range, out);
        free(out);
    }
    /* -j is --jobs everywhere: run says to write --json */
    char *out = NULL;
    cr_assert_eq(cli(&out, "run -j -- /bin/true", NULL), 2);
    cr_assert(strstr(out, "--json"), "%s", out);
    free(out);

    test_need_root(); /* the runs below */
    /* the same spellings are taken by every subcommand */
    cr_assert_eq(cli(&out, "run --json --mem 64M --time 500ms --wall-time 2s --stack 8M "
                           "--fsize 1M --tmp-size 16M -- /bin/true", NULL), 0, "%s", out);
    cr_assert(strstr(out, "\"OK\""), "%s", out);
    free(out);
    cr_assert_eq(cli(&out, "run --json --mem 32768K --time 1.5 -- /bin/true", NULL), 0, "%s", out);
    free(out);
    cr_assert_eq(cli(&out, "judge --json --mem 256M --time 1500ms %s", target), 0, "%s", out);
    json_t *o = json_loads(strchr(out, '{'), 0, NULL);
    cr_assert(o, "%s", out);
    cr_assert_float_eq(json_real_value(json_object_get(o, "time_limit")), 1.5, 1e-9);
    json_decref(o);
    free(out);
}

Test(cli_vocabulary, version_says_what_the_host_supports)
{
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd, "%s version --json", jt_bin());
    cr_assert_eq(jt_sh(cmd, &out), 0, "%s", out);
    json_error_t je;
    json_t *o = json_loads(out, 0, &je);
    cr_assert(o, "not JSON (%s): %s", je.text, out);
    cr_assert(json_is_string(json_object_get(o, "version")));
    json_t *cg = json_object_get(o, "cgroup_version");
    cr_assert(json_is_integer(cg) && json_integer_value(cg) >= 0 && json_integer_value(cg) <= 2);
    json_t *ns = json_object_get(o, "namespaces");
    static const char *const kinds[] = {"pid", "net", "mnt", "ipc", "uts", "user", "cgroup"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        cr_assert(json_is_boolean(json_object_get(ns, kinds[i])), "namespace %s", kinds[i]);
    cr_assert(json_is_true(json_object_get(ns, "pid")), "this kernel has PID namespaces");
    json_t *langs = json_object_get(o, "languages"), *l;
    size_t i;
    bool c = false, python = false;
    json_array_foreach(langs, i, l) {
        const char *id = json_string_value(json_object_get(l, "id"));
        if (!strcmp(id, "c")) {
            c = true;
            cr_assert_str_eq(json_string_value(json_object_get(l, "compiler")), "gcc");
            cr_assert(json_is_true(json_object_get(l, "compiler_found")), "gcc is installed here");
        }
        if (!strcmp(id, "python3")) {
            python = true;
            cr_assert(json_is_true(json_object_get(l, "runtime_found")));
        }
        cr_assert(json_is_boolean(json_object_get(l, "available")), "%s", id);
    }
    cr_assert(c && python, "%s", out);
    json_decref(o);
    free(out);

    snprintf(cmd, sizeof cmd, "%s version", jt_bin());
    cr_assert_eq(jt_sh(cmd, &out), 0);
    cr_assert(!strncmp(out, "nsjudge ", 8), "%s", out);
    cr_assert(strstr(out, "\ncgroups: ") && strstr(out, "\nnamespaces: ") &&
              strstr(out, " compiler gcc"), "%s", out);
    free(out);
}

/* scripts/man makes the pages from --help: version's page has its options. */
Test(cli_vocabulary, man_pages_come_from_help, .timeout = 60)
{
    char dir[] = "/tmp/nsjudge-man-XXXXXX", cmd[2048], *out = NULL;
    cr_assert(mkdtemp(dir));
    cr_assert(snprintf(cmd, sizeof cmd, "sh %s/scripts/man/gen-man.sh %s %s && cat %s/nsjudge-version.1 %s/nsjudge-verify.1",
                       jt_repo(), jt_bin(), dir, dir, dir) < (int)sizeof cmd, "%s: buffer too small", __func__);
    cr_assert_eq(jt_sh(cmd, &out), 0, "%s", out);
    cr_assert(strstr(out, ".TH NSJUDGE-VERSION 1") && strstr(out, "--json"), "%s", out);
    cr_assert(strstr(out, "--werror") && strstr(out, "--fixed_timelim"), "%s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    jt_sh(cmd, NULL);
}
