/*
 * test_sandbox_cli.c - `nsjudge run` as a user runs it: JSON and meta
 * output, limit flags, and exit codes for sandbox errors and bad usage.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/test_root.h"

/* Run a shell command line, capture stdout, return the exit code. */
static int sh(const char *cmdline, char *out, size_t outlen)
{
    FILE *p = popen(cmdline, "r");
    cr_assert(p);
    size_t n = fread(out, 1, outlen - 1, p);
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *bin(void)
{
    const char *b = getenv("NSJUDGE_BIN");
    cr_assert(b, "NSJUDGE_BIN not set (run through make test)");
    return b;
}

static json_t *run_json(const char *args, int *rc)
{
    char cmd[2048], out[4096];
    snprintf(cmd, sizeof cmd, "%s run --json %s 2>/dev/null", bin(), args);
    *rc = sh(cmd, out, sizeof out);
    /* the program's own stdout comes first; the JSON is the last line */
    char *last = out, *nl;
    while ((nl = strchr(last, '\n')) && nl[1])
        last = nl + 1;
    json_error_t e;
    json_t *j = json_loads(last, 0, &e);
    cr_assert(j, "not JSON: %s (%s)", last, e.text);
    return j;
}

TestSuite(sandbox_cli, .timeout = 60);

Test(sandbox_cli, echo_json_ok)
{
    test_need_root();
    int rc;
    json_t *j = run_json("-- /bin/echo hi", &rc);
    cr_assert_eq(rc, 0);
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "OK");
    const char *keys[] = {"exit_code", "signal", "time", "wall_time", "memory", "message"};
    for (size_t i = 0; i < 6; i++)
        cr_assert(json_object_get(j, keys[i]), "missing key %s", keys[i]);
    json_decref(j);
}

Test(sandbox_cli, limit_flags)
{
    test_need_root();
    int rc;
    json_t *j = run_json("--time 0.2 -- /bin/sh -c 'while :; do :; done'", &rc);
    cr_assert_eq(rc, 0, "a TLE is not a sandbox failure");
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "TO");
    json_decref(j);
    j = run_json("--mem 32768 -- /usr/bin/python3 -c 'x = bytearray(100 << 20)'", &rc);
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "ML");
    json_decref(j);
    /* the same limit with a unit (a bare number is KiB, as in isolate) */
    j = run_json("--mem 32M -- /usr/bin/python3 -c 'x = bytearray(100 << 20)'", &rc);
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "ML");
    json_decref(j);
    j = run_json("--time 200ms -- /bin/sh -c 'while :; do :; done'", &rc);
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "TO");
    cr_assert_lt(json_real_value(json_object_get(j, "time")), 1.0, "200ms, not 200 s");
    json_decref(j);
    j = run_json("--fsize 64 --stdout /dev/null -- /bin/sh -c 'head -c 1000000 /dev/zero > /box/big'", &rc);
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "RE",
                     "sh reports the failed write of a too-big file");
    json_decref(j);
    j = run_json("--wall-time 0.2 -- /bin/sleep 5", &rc);
    cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "TO");
    json_decref(j);
    j = run_json("--processes 4 -- /bin/sh -c 'for i in 1 2 3 4 5 6; do sleep 1 & done; wait'", &rc);
    cr_assert_str_neq(json_string_value(json_object_get(j, "status")), "OK",
                      "6 background sleeps ran under --processes 4");
    json_decref(j);
}

Test(sandbox_cli, meta_file_and_box_dir)
{
    test_need_root();
    char dir[] = "/tmp/nsjudge-cli-XXXXXX", cmd[2048], out[1024];
    cr_assert(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "chown 60000 %s && %s run --box %s --meta %s.meta "
             "-- /bin/sh -c 'echo data > out.txt; exit 3' 2>/dev/null; cat %s/out.txt %s.meta",
             dir, bin(), dir, dir, dir, dir);
    sh(cmd, out, sizeof out);
    cr_assert(strstr(out, "data\n"), "file written in /box missing: %s", out);
    cr_assert(strstr(out, "exitcode:3\n"), "%s", out);
    cr_assert(strstr(out, "status:RE\n"), "%s", out);
    snprintf(cmd, sizeof cmd, "rm -rf %s %s.meta", dir, dir);
    cr_assert_eq(system(cmd), 0);
}

Test(sandbox_cli, exit_codes)
{
    char cmd[1024], out[8192];
    snprintf(cmd, sizeof cmd, "%s run --bogus -- /bin/true 2>&1", bin());
    cr_assert_eq(sh(cmd, out, sizeof out), 2);
    cr_assert(strstr(out, "--bogus"), "%s", out);
    snprintf(cmd, sizeof cmd, "%s run --time abc -- /bin/true 2>&1", bin());
    cr_assert_eq(sh(cmd, out, sizeof out), 2);
    cr_assert(strstr(out, "--time 'abc'") && strstr(out, "from 1ms to 1000000s"), "%s", out);
    /* -j is --jobs in judge and verify: not --json here */
    snprintf(cmd, sizeof cmd, "%s run -j -- /bin/true 2>&1", bin());
    cr_assert_eq(sh(cmd, out, sizeof out), 2);
    cr_assert(strstr(out, "--json"), "%s", out);
    snprintf(cmd, sizeof cmd, "%s run --stdin /no/such/file -- /bin/true 2>&1", bin());
    cr_assert_eq(sh(cmd, out, sizeof out), 1);
    cr_assert(strstr(out, "/no/such/file"), "%s", out);
    if (geteuid() == 0) {
        snprintf(cmd, sizeof cmd, "%s run -- /no/such/program 2>&1", bin());
        cr_assert_eq(sh(cmd, out, sizeof out), 1);
        cr_assert(strstr(out, "XX") && strstr(out, "/no/such/program"), "%s", out);
    }
    snprintf(cmd, sizeof cmd, "%s help run", bin());
    cr_assert_eq(sh(cmd, out, sizeof out), 0);
    cr_assert(strstr(out, "--wall-time") && strstr(out, "--meta"), "%s", out);
}
