/*
 * test_server_numbers.c - numbers and bytes from input at the service's
 * edges: Judge0 bodies (JSON and form), query strings, paths, the config
 * file and the command-line flags. Each value is out of range in a way
 * that used to reach an unchecked conversion (undefined behaviour under
 * UBSan's float-cast-overflow, a wrapped value, or a limit of 0 = none) or
 * a stored string that made every later GET answer 500.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/test_judge_util.h"
#include "tests/test_server.h"

/* The first message of field in a 422 body, or NULL. */
static const char *msg_of(json_t *errors, const char *field)
{
    return json_string_value(json_array_get(json_object_get(errors, field), 0));
}

static void expect_422(struct srv *s, const char *body, const char *field, const char *msg)
{
    struct hresp r = http(s, "POST", "/submissions", body, strlen(body), NULL);
    cr_assert_eq(r.code, 422, "%s -> %ld %s", body, r.code, r.body ? r.body : "");
    const char *m = msg_of(r.json, field);
    cr_assert(m, "%s: no error for %s in %s", body, field, r.body);
    if (msg)
        cr_assert(strstr(m, msg), "%s: %s says '%s', want '%s'", body, field, m, msg);
    hresp_free(&r);
}

Test(server_numbers, submission_numbers_out_of_range, .timeout = 180)
{
    struct srv s;
    srv_start(&s, 0, NULL); /* API only: nothing here may run */
    /* (int)1e10 and (int)-1e300 were undefined behaviour */
    expect_422(&s, "{\"source_code\": \"x\", \"language_id\": 1e10}", "language_id",
               "must be a whole number from 1 to 2147483647");
    expect_422(&s, "{\"source_code\": \"x\", \"language_id\": -1e300}", "language_id",
               "must be a whole number from 1 to 2147483647");
    expect_422(&s, "{\"source_code\": \"x\", \"language_id\": 4294967346}", "language_id",
               "must be a whole number from 1 to 2147483647");
    expect_422(&s, "{\"source_code\": \"x\", \"language_id\": \"1e10\"}", "language_id",
               "must be a whole number");
    expect_422(&s, "{\"source_code\": \"x\", \"language_id\": 50.5}", "language_id",
               "must be a whole number");
    /* NaN-ish strings (strtod takes them) */
    expect_422(&s, "{\"source_code\": \"x\", \"language_id\": \"nan\"}", "language_id", "is not a number");
    expect_422(&s, "{\"source_code\": \"x\", \"language_id\": \"-inf\"}", "language_id", "is not a number");
    expect_422(&s, "{\"source_code\": \"x\", \"language_id\": 50, \"cpu_time_limit\": \"infinity\"}",
               "cpu_time_limit", "is not a number");
    /* JSON itself has no NaN: a parse error, not a 500 */
    struct hresp r = http(&s, "POST", "/submissions", "{\"language_id\": NaN}", 20, NULL);
    cr_assert_eq(r.code, 400, "%s", r.body);
    hresp_free(&r);

    /* huge, negative and fractional limits */
    static const char *const keys[] = {"cpu_time_limit", "cpu_extra_time", "wall_time_limit",
                                       "memory_limit", "stack_limit", "max_processes_and_or_threads",
                                       "max_file_size", "number_of_runs"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        char body[256];
        snprintf(body, sizeof body, "{\"source_code\": \"x\", \"language_id\": 50, \"%s\": 1e300}", keys[i]);
        expect_422(&s, body, keys[i], "must be less than or equal to");
        snprintf(body, sizeof body, "{\"source_code\": \"x\", \"language_id\": 50, \"%s\": -1e300}", keys[i]);
        expect_422(&s, body, keys[i], "must be greater than 0");
        snprintf(body, sizeof body, "{\"source_code\": \"x\", \"language_id\": 50, \"%s\": \"1e309\"}", keys[i]);
        expect_422(&s, body, keys[i], "is not a number");
    }
    /* an integer limit of 0.5 was cast to 0, which means no limit at all */
    static const char *const ikeys[] = {"memory_limit", "stack_limit", "max_processes_and_or_threads",
                                        "max_file_size", "number_of_runs"};
    for (size_t i = 0; i < sizeof ikeys / sizeof *ikeys; i++) {
        char body[256];
        snprintf(body, sizeof body, "{\"source_code\": \"x\", \"language_id\": 50, \"%s\": 0.5}", ikeys[i]);
        expect_422(&s, body, ikeys[i], "must be at least 1");
    }
    /* in range: a fraction is cast down, as Rails does */
    const char *ok = "{\"source_code\": \"x\", \"language_id\": 50, \"memory_limit\": 128000.7}";
    r = http(&s, "POST", "/submissions", ok, strlen(ok), NULL);
    cr_assert_eq(r.code, 201, "%s", r.body);
    char path[128];
    snprintf(path, sizeof path, "/submissions/%s?fields=memory_limit", jstr(r.json, "token"));
    hresp_free(&r);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    cr_assert_eq(json_integer_value(json_object_get(r.json, "memory_limit")), 128000, "%s", r.body);
    hresp_free(&r);

    /* the server survived all of it */
    r = http(&s, "GET", "/healthz", NULL, 0, NULL);
    cr_assert_eq(r.code, 503); /* API only: up, but no worker */
    hresp_free(&r);
    srv_cleanup(&s);
}

static void expect_400_naming(struct srv *s, const char *path, const char *name)
{
    struct hresp r = http(s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 400, "GET %s -> %ld %s", path, r.code, r.body ? r.body : "");
    const char *e = jstr(r.json, "error");
    cr_assert(e && strstr(e, name), "GET %s: error '%s' should name %s", path, e ? e : "", name);
    hresp_free(&r);
}

Test(server_numbers, query_and_path_numbers, .timeout = 180)
{
    struct srv s;
    srv_start(&s, 0, NULL);
    /* strtol saturated, then (page - 1) * per_page overflowed (signed: UB) */
    expect_400_naming(&s, "/submissions?page=99999999999999999999", "page");
    expect_400_naming(&s, "/submissions?page=9223372036854775807", "page");
    expect_400_naming(&s, "/submissions?page=-1", "page");
    expect_400_naming(&s, "/submissions?page=1x", "page");
    expect_400_naming(&s, "/submissions?per_page=99999999999999999999", "per_page");
    expect_400_naming(&s, "/submissions?page=2&per_page=-5", "per_page");
    struct hresp r = http(&s, "GET", "/submissions?page=3&per_page=7", NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(r.json, "meta"), "current_page")), 3);
    hresp_free(&r);

    /* (int)4294967346 was 50: C answered for a language id that does not exist */
    r = http(&s, "GET", "/languages/4294967346", NULL, 0, NULL);
    cr_assert_eq(r.code, 404, "%s", r.body);
    hresp_free(&r);
    r = http(&s, "GET", "/languages/-4294967246", NULL, 0, NULL);
    cr_assert_eq(r.code, 404, "%s", r.body);
    hresp_free(&r);
    r = http(&s, "GET", "/languages/50", NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    hresp_free(&r);

    /* a field name that is not UTF-8 was echoed into the JSON error: 500 */
    r = http(&s, "GET", "/submissions?fields=token,%FF%FE", NULL, 0, NULL);
    cr_assert_eq(r.code, 400, "%s", r.body);
    cr_assert(r.json && strstr(jstr(r.json, "error"), "invalid fields"), "%s", r.body);
    hresp_free(&r);
    srv_cleanup(&s);
}

static const char *const form_hdr[] = {"Content-Type: application/x-www-form-urlencoded", NULL};

Test(server_numbers, form_fields_must_be_utf8, .timeout = 180)
{
    struct srv s;
    srv_start(&s, 0, NULL);
    /* stored unchecked, every later rendering answered 500 */
    static const char *const bodies[] = {
        "language_id=50&source_code=int+main(){}&compiler_options=-O2+%FF%FE",
        "language_id=50&source_code=int+main(){}&command_line_arguments=%C3%28",
        "language_id=50&source_code=int+main(){}&callback_url=http://x/%80",
        "language_id=50&source_code=%E2%82&stdin=x",
    };
    static const char *const fields[] = {"compiler_options", "command_line_arguments", "callback_url",
                                         "source_code"};
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        struct hresp r = http(&s, "POST", "/submissions", bodies[i], strlen(bodies[i]), form_hdr);
        cr_assert(r.code >= 400 && r.code < 500, "%s -> %ld %s", bodies[i], r.code, r.body ? r.body : "");
        const char *e = jstr(r.json, "error");
        cr_assert(e && strstr(e, fields[i]), "%s: error should name %s: %s", bodies[i], fields[i],
                  r.body ? r.body : "");
        hresp_free(&r);
        cr_assert_eq(total_submissions(&s, "token,compiler_options"), 0, "nothing stored");
    }
    /* a field name that is not UTF-8 */
    const char *b = "language_id=50&source_code=x&%FF=1";
    struct hresp r = http(&s, "POST", "/submissions", b, strlen(b), form_hdr);
    cr_assert_eq(r.code, 400, "%s", r.body);
    hresp_free(&r);
    /* valid UTF-8 goes through and shows as sent */
    b = "language_id=50&source_code=int+main(){}&compiler_options=-DX%3D%C3%A9";
    r = http(&s, "POST", "/submissions", b, strlen(b), form_hdr);
    cr_assert_eq(r.code, 201, "%s", r.body);
    char path[128];
    snprintf(path, sizeof path, "/submissions/%s?fields=compiler_options", jstr(r.json, "token"));
    hresp_free(&r);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    cr_assert_str_eq(jstr(r.json, "compiler_options"), "-DX=\xc3\xa9");
    hresp_free(&r);
    cr_assert_eq(total_submissions(&s, "token,compiler_options"), 1);
    srv_cleanup(&s);
}

/* ---- the config file and the flags ------------------------------------------------ */

/* Runs `nsjudge serve` (bounded by timeout: old code would start serving)
 * with a config holding members; returns the exit code, *out its stderr. */
static int serve_with(const char *members, const char *flags, char **out)
{
    char dir[] = "/tmp/nsjudge-test-cfg-XXXXXX";
    cr_assert(mkdtemp(dir));
    char cfg[128], cmd[2048];
    snprintf(cfg, sizeof cfg, "%s/nsjudge.json", dir);
    FILE *f = fopen(cfg, "w");
    cr_assert(f);
    /* port 1 is never opened: start-up must fail before listening */
    fprintf(f, "{\"listen\": \"127.0.0.1:1\", \"data_dir\": \"%s/data\", \"workers\": 0,\n %s}\n", dir,
            members);
    fclose(f);
    cr_assert_lt(snprintf(cmd, sizeof cmd, "cd %s && timeout 20 %s serve --config %s --workers 0 %s 2>&1; r=$?; "
             "rm -rf %s; exit $r", jt_repo(), jt_bin(), cfg, flags, dir), (int)sizeof cmd, "%s is cut", "cmd");
    return jt_sh(cmd, out);
}

static void config_refused(const char *members, const char *key)
{
    char *out = NULL;
    int code = serve_with(members, "", &out);
    cr_assert_eq(code, 1, "config {%s}: exit %d, want 1: %s", members, code, out);
    cr_assert(strstr(out, key) && strstr(out, "nsjudge.json"),
              "config {%s}: the error should name %s and the file: %s", members, key, out);
    free(out);
}

Test(server_numbers, config_numbers_out_of_range, .timeout = 180)
{
    config_refused("\"max_memory_limit\": 9000000000000000000", "max_memory_limit");
    config_refused("\"memory_limit\": -1", "memory_limit");
    config_refused("\"max_cpu_time_limit\": 1e300", "max_cpu_time_limit");
    config_refused("\"cpu_time_limit\": 1e300", "cpu_time_limit");
    config_refused("\"wall_time_limit\": -0.5", "wall_time_limit");
    config_refused("\"workers\": 4294967297", "workers");
    config_refused("\"http_threads\": 99999999999", "http_threads");
    config_refused("\"max_number_of_runs\": 3000000000", "max_number_of_runs");
    config_refused("\"max_max_processes_and_or_threads\": 5000000000", "max_max_processes_and_or_threads");
    config_refused("\"max_body_bytes\": 9223372036854775807", "max_body_bytes");
    config_refused("\"lease_s\": 0", "lease_s");
    config_refused("\"callbacks_max_tries\": 100000", "callbacks_max_tries");
    config_refused("\"callbacks_timeout\": 1e300", "callbacks_timeout");
    config_refused("\"callback_allow\": [\"10.0.0.0/33\"]", "callback_allow");
    config_refused("\"callback_allow\": [\"localhost\"]", "callback_allow");
}

static void flag_refused(const char *flags, const char *flag)
{
    char *out = NULL;
    int code = serve_with("\"log_level\": \"info\"", flags, &out);
    cr_assert_eq(code, 2, "serve %s: exit %d, want 2: %s", flags, code, out);
    cr_assert(strstr(out, flag), "serve %s: the error should name %s: %s", flags, flag, out);
    free(out);
}

Test(server_numbers, cli_flags_out_of_range, .timeout = 300)
{
    /* (int)strtol wrapped 4294967297 to 1 */
    flag_refused("--workers 4294967297", "--workers");
    flag_refused("--workers 99999999999999999999", "--workers");
    flag_refused("--slot-base 4294967296", "--slot-base");
    flag_refused("--slot-base -1", "--slot-base");

    /* nsjudge judge: 1e300 s and 1e300 MiB reached (rlim_t) and (uint64_t) casts */
    static const char *const judge_flags[][2] = {
        {"--time 1e300", "--time"}, {"--time inf", "--time"}, {"--time nan", "--time"},
        {"--mem 1e300", "--mem"}, {"--mem -5", "--mem"}, {"--mem 0.0001", "--mem"},
        {"--jobs 99999999999999999999", "--jobs"},
    };
    for (size_t i = 0; i < sizeof judge_flags / sizeof *judge_flags; i++) {
        char cmd[1024], *out = NULL;
        snprintf(cmd, sizeof cmd, "timeout 120 %s judge %s %s %s 2>&1", jt_bin(), judge_flags[i][0],
                 jt_path("testdata/problems/hello"), jt_path("testdata/problems/hello/submissions/accepted/hello.c"));
        int code = jt_sh(cmd, &out);
        cr_assert_eq(code, 2, "judge %s: exit %d, want 2: %s", judge_flags[i][0], code, out);
        cr_assert(strstr(out, judge_flags[i][1]), "judge %s: %s", judge_flags[i][0], out);
        free(out);
    }

    /* nsjudge run: --extra-time nan passed "v < 0 || v > 1e6" and reached
     * (rlim_t)(cpu + extra); KiB beyond 4 TiB wrapped in KiB * 1024 */
    static const char *const run_flags[][2] = {
        {"--time 1 --extra-time nan", "--extra-time"}, {"--wall-time nan", "--wall-time"},
        {"--time 1e300", "--time"}, {"--mem 99999999999999", "--mem"},
        {"--fsize 18446744073709551615", "--fsize"}, {"--stack 99999999999999999999", "--stack"},
    };
    for (size_t i = 0; i < sizeof run_flags / sizeof *run_flags; i++) {
        char cmd[512], *out = NULL;
        snprintf(cmd, sizeof cmd, "timeout 60 %s run %s -- /bin/true 2>&1", jt_bin(), run_flags[i][0]);
        int code = jt_sh(cmd, &out);
        cr_assert_eq(code, 2, "run %s: exit %d, want 2: %s", run_flags[i][0], code, out);
        cr_assert(strstr(out, run_flags[i][1]), "run %s: %s", run_flags[i][0], out);
        free(out);
    }
}
