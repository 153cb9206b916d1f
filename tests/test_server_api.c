/* test_server_api.c - the Judge0-compatible API end to end over real HTTP
 * on 127.0.0.1 against build/nsjudge serve. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>
#include <string.h>
#include <stdlib.h>
#include "server/service/codec.h"
#include "tests/test_server.h"

#define C_ECHO "#include <stdio.h>\nint main(){char s[64];if(scanf(\"%63s\",s)!=1)return 3;printf(\"hello %s\\n\",s);return 0;}\n"

static json_t *c_sub(const char *src)
{
    return json_pack("{s:i, s:s}", "language_id", 50, "source_code", src);
}

Test(server_info, every_info_endpoint, .timeout = 180)
{
    struct srv s;
    srv_start(&s, 1, NULL);
    struct hresp r = http(&s, "GET", "/languages", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    cr_assert(json_is_array(r.json));
    int seen50 = 0, seen54 = 0, seen71 = 0;
    size_t i;
    json_t *l;
    json_array_foreach(r.json, i, l) {
        int id = (int)json_integer_value(json_object_get(l, "id"));
        cr_assert(jstr(l, "name"));
        seen50 |= id == 50;
        seen54 |= id == 54;
        seen71 |= id == 71;
    }
    cr_assert(seen50 && seen54 && seen71, "languages: %s", r.body);
    hresp_free(&r);

    r = http(&s, "GET", "/languages/50", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    cr_assert_eq(json_integer_value(json_object_get(r.json, "id")), 50);
    cr_assert(jstr(r.json, "compile_cmd") && jstr(r.json, "run_cmd") && jstr(r.json, "source_file"));
    cr_assert(json_is_false(json_object_get(r.json, "is_archived")));
    hresp_free(&r);
    r = http(&s, "GET", "/languages/99999", NULL, 0, NULL);
    cr_assert_eq(r.code, 404);
    hresp_free(&r);
    r = http(&s, "GET", "/languages/all", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    cr_assert(json_array_size(r.json) > 3);
    hresp_free(&r);

    r = http(&s, "GET", "/statuses", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    cr_assert_eq(json_array_size(r.json), 14);
    cr_assert_str_eq(jstr(json_array_get(r.json, 0), "description"), "In Queue");
    cr_assert_str_eq(jstr(json_array_get(r.json, 5), "description"), "Compilation Error");
    cr_assert_str_eq(jstr(json_array_get(r.json, 10), "description"), "Runtime Error (NZEC)");
    cr_assert_str_eq(jstr(json_array_get(r.json, 13), "description"), "Exec Format Error");
    hresp_free(&r);

    r = http(&s, "GET", "/about", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    cr_assert_str_eq(jstr(r.json, "version"), "1.13.1");
    cr_assert(jstr(r.json, "nsjudge_version"));
    hresp_free(&r);
    r = http(&s, "GET", "/version", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    cr_assert_str_eq(r.body, "1.13.1");
    hresp_free(&r);

    r = http(&s, "GET", "/config_info", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    cr_assert_eq(json_integer_value(json_object_get(r.json, "max_queue_size")), 100);
    cr_assert_eq(json_integer_value(json_object_get(r.json, "memory_limit")), 128000);
    cr_assert_eq(json_integer_value(json_object_get(r.json, "max_submission_batch_size")), 20);
    cr_assert(json_is_true(json_object_get(r.json, "enable_wait_result")));
    hresp_free(&r);

    r = http(&s, "GET", "/workers", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    json_t *w = json_array_get(r.json, 0);
    cr_assert_eq(json_integer_value(json_object_get(w, "available")), 1, "%s", r.body);
    cr_assert(json_object_get(w, "idle") && json_object_get(w, "working") && json_object_get(w, "size"));
    hresp_free(&r);

    r = http(&s, "GET", "/system_info", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    cr_assert(jstr(r.json, "Architecture") && jstr(r.json, "CPU(s)"));
    hresp_free(&r);

    r = http(&s, "GET", "/healthz", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    cr_assert_str_eq(jstr(r.json, "status"), "ok");
    hresp_free(&r);

    /* one job so that statistics and metrics have something to count */
    char *tok = submit(&s, c_sub("int main(void){return 0;}"));
    json_decref(wait_done(&s, tok, 120));
    free(tok);
    r = http(&s, "GET", "/statistics", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(r.json, "submissions"), "total")), 1,
                 "%s", r.body);
    cr_assert(json_is_array(json_object_get(r.json, "statuses")));
    cr_assert(json_object_get(json_object_get(r.json, "database"), "size_in_bytes"));
    hresp_free(&r);
    r = http(&s, "GET", "/metrics", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    cr_assert(strstr(r.ctype, "text/plain"));
    cr_assert(strstr(r.body, "nsjudge_queue_length 0"), "%s", r.body);
    cr_assert(strstr(r.body, "nsjudge_jobs_total{verdict=\"AC\"} 1"), "%s", r.body);
    cr_assert(strstr(r.body, "nsjudge_judge_seconds_count 1"));
    cr_assert(strstr(r.body, "nsjudge_workers 1"));
    cr_assert(strstr(r.body, "nsjudge_workers_busy 0"));
    cr_assert(strstr(r.body, "nsjudge_sandbox_failures_total 0"));
    hresp_free(&r);

    r = http(&s, "GET", "/nope", NULL, 0, NULL);
    cr_assert_eq(r.code, 404);
    hresp_free(&r);
    r = http(&s, "OPTIONS", "/submissions", NULL, 0, NULL);
    cr_assert_eq(r.code, 204, "CORS preflight");
    hresp_free(&r);
    r = http(&s, "PATCH", "/submissions", "{}", 2, NULL);
    cr_assert_eq(r.code, 405);
    hresp_free(&r);
    cr_assert_eq(srv_stop(&s), 0, "graceful stop exit code");
    srv_cleanup(&s);
}

Test(server_submissions, wait_true_and_polling, .timeout = 240)
{
    struct srv s;
    srv_start(&s, 2, NULL);
    json_t *b = json_pack("{s:i, s:s, s:s, s:s}", "language_id", 50, "source_code", C_ECHO,
                          "stdin", "world", "expected_output", "hello world\n");
    struct hresp r = http_json_post(&s, "/submissions?wait=true", b);
    cr_assert_eq(r.code, 201, "%s", r.body);
    cr_assert_eq(status_id(r.json), 3, "%s", r.body);
    cr_assert_str_eq(jstr(r.json, "stdout"), "hello world\n");
    cr_assert(jstr(r.json, "time"), "time is a string, as Judge0");
    cr_assert(json_is_integer(json_object_get(r.json, "memory")));
    cr_assert(jstr(r.json, "token"));
    /* exactly Judge0's default fields: strict clients reject unknown keys */
    static const char *const defaults[] = {"token", "time", "memory", "stdout", "stderr",
                                           "compile_output", "message", "status"};
    cr_assert_eq(json_object_size(r.json), 8, "%s", r.body);
    for (size_t i = 0; i < 8; i++)
        cr_assert(json_object_get(r.json, defaults[i]), "missing %s", defaults[i]);
    char path[256];
    snprintf(path, sizeof path, "/submissions/%s?fields=*", jstr(r.json, "token"));
    hresp_free(&r);
    /* "*" is Judge0's field set too (the official SDK polls with it) */
    static const char *const judge0_all[] = {
        "source_code", "language_id", "stdin", "expected_output", "stdout", "status_id",
        "created_at", "finished_at", "time", "memory", "stderr", "token", "number_of_runs",
        "cpu_time_limit", "cpu_extra_time", "wall_time_limit", "memory_limit", "stack_limit",
        "max_processes_and_or_threads", "enable_per_process_and_thread_time_limit",
        "enable_per_process_and_thread_memory_limit", "max_file_size", "compile_output",
        "exit_code", "exit_signal", "message", "wall_time", "compiler_options",
        "command_line_arguments", "redirect_stderr_to_stdout", "callback_url",
        "additional_files", "enable_network", "status", "language"};
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    const char *key;
    json_t *val;
    json_object_foreach(r.json, key, val) {
        int known = 0;
        for (size_t i = 0; i < sizeof judge0_all / sizeof judge0_all[0]; i++)
            known |= !strcmp(key, judge0_all[i]);
        cr_assert(known, "fields=* returned a key Judge0 does not have: %s", key);
    }
    cr_assert_eq(json_object_size(r.json), sizeof judge0_all / sizeof judge0_all[0]);
    hresp_free(&r);
    /* the precise verdict, by name */
    strcat(path, ",verdict");
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_str_eq(jstr(r.json, "verdict"), "AC", "%s", r.body);
    hresp_free(&r);

    /* without wait: only the token comes back, then poll */
    char *tok = submit(&s, json_pack("{s:i, s:s, s:s, s:s}", "language_id", 50, "source_code", C_ECHO,
                                     "stdin", "you", "expected_output", "hello me\n"));
    json_t *d = wait_done(&s, tok, 120);
    cr_assert_eq(status_id(d), 4, "wrong answer expected: %s", json_dumps(d, 0));
    cr_assert_str_eq(jstr(d, "verdict"), "WA");
    cr_assert_str_eq(jstr(d, "stdout"), "hello you\n");
    cr_assert_str_eq(jstr(d, "source_code"), C_ECHO);
    cr_assert_eq(json_integer_value(json_object_get(d, "language_id")), 50);
    cr_assert_str_eq(jstr(json_object_get(d, "language"), "name"), "C (GCC 12, gnu11)");
    cr_assert(jstr(d, "created_at") && jstr(d, "finished_at"));
    cr_assert_eq(json_integer_value(json_object_get(d, "exit_code")), 0);
    json_decref(d);

    /* fields filter */
    snprintf(path, sizeof path, "/submissions/%s?fields=stdout,status_id,language_id", tok);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    cr_assert_eq(json_object_size(r.json), 3, "%s", r.body);
    cr_assert_eq(json_integer_value(json_object_get(r.json, "status_id")), 4);
    hresp_free(&r);
    snprintf(path, sizeof path, "/submissions/%s?fields=stdout,bogus,worse", tok);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 400);
    cr_assert_str_eq(jstr(r.json, "error"), "invalid fields: [bogus, worse]");
    hresp_free(&r);
    r = http(&s, "GET", "/submissions/00000000-0000-0000-0000-000000000000", NULL, 0, NULL);
    cr_assert_eq(r.code, 404);
    hresp_free(&r);
    free(tok);
    srv_cleanup(&s);
}

/* A worker's single runs write their files to a tmpfs it mounted once (a
 * job's files on the data dir's filesystem cost more than a trivial run). */
Test(server_submissions, single_runs_write_to_the_workers_tmpfs, .timeout = 240)
{
    struct srv s;
    srv_start(&s, 1, NULL);
    for (int i = 0; i < 2; i++) { /* the second job in the same, emptied scratch */
        json_t *b = json_pack("{s:i, s:s}", "language_id", 46, "source_code",
                              "stat -f -L -c %T /proc/self/fd/1\n");
        struct hresp r = http_json_post(&s, "/submissions?wait=true", b);
        cr_assert_eq(r.code, 201, "%s", r.body);
        cr_assert_eq(status_id(r.json), 3, "%s", r.body);
        cr_assert_str_eq(jstr(r.json, "stdout"), "tmpfs\n", "%s", r.body);
        hresp_free(&r);
    }
    srv_stop(&s);
}

/* A counter's value in /metrics (the line "NAME VALUE"), -1 when absent. */
static long metric(struct srv *s, const char *name)
{
    struct hresp r = http(s, "GET", "/metrics", NULL, 0, NULL);
    const char *p = r.body ? strstr(r.body, name) : NULL;
    long v = p ? strtol(p + strlen(name), NULL, 10) : -1;
    hresp_free(&r);
    return v;
}

/* The worker that judged a wait=true job answers it from the row it has
 * just stored (waits.c), not the sweep that reads the store every 250 ms:
 * that one is for jobs other processes judged. */
Test(server_submissions, wait_true_is_answered_by_the_worker, .timeout = 240)
{
    struct srv s;
    srv_start(&s, 1, NULL);
    for (int i = 0; i < 5; i++) {
        json_t *b = json_pack("{s:i, s:s}", "language_id", 46, "source_code", "echo hi\n");
        struct hresp r = http_json_post(&s, "/submissions?wait=true", b);
        cr_assert_eq(r.code, 201, "%s", r.body);
        cr_assert_eq(status_id(r.json), 3, "%s", r.body);
        cr_assert_str_eq(jstr(r.json, "stdout"), "hi\n");
        hresp_free(&r);
    }
    long worker = metric(&s, "nsjudge_wait_answers_total{by=\"worker\"} ");
    long sweep = metric(&s, "nsjudge_wait_answers_total{by=\"sweep\"} ");
    cr_assert_eq(worker + sweep, 5, "worker %ld sweep %ld", worker, sweep);
    /* the sweep can only win by reading the row between the worker's
     * commit and its answer */
    cr_assert_geq(worker, 4, "worker %ld sweep %ld", worker, sweep);
    srv_stop(&s);
}

/* What CPUs a submission's box may use, through a worker of s. */
static char *box_cpus(struct srv *s)
{
    json_t *b = json_pack("{s:i, s:s}", "language_id", 46, "source_code",
                          "grep Cpus_allowed_list /proc/self/status\n");
    struct hresp r = http_json_post(s, "/submissions?wait=true", b);
    cr_assert_eq(status_id(r.json), 3, "%s", r.body);
    char *out = strdup(jstr(r.json, "stdout"));
    hresp_free(&r);
    return out;
}

/* pin_workers: worker i's boxes run on the i-th CPU of the service's
 * (here the first, with one worker); off, wherever the service may. */
Test(server_submissions, workers_boxes_are_pinned, .timeout = 240)
{
    cpu_set_t ours;
    cr_assert_eq(sched_getaffinity(0, sizeof ours, &ours), 0);
    int first = -1;
    for (int c = 0; c < CPU_SETSIZE && first < 0; c++)
        if (CPU_ISSET(c, &ours))
            first = c;
    char want[64];
    snprintf(want, sizeof want, "Cpus_allowed_list:\t%d\n", first);
    struct srv s;
    srv_start(&s, 1, NULL);
    char *got = box_cpus(&s);
    cr_assert_str_eq(got, want);
    free(got);
    srv_stop(&s);
    if (CPU_COUNT(&ours) < 2)
        return;
    srv_start(&s, 1, "\"pin_workers\": false");
    got = box_cpus(&s);
    cr_assert_str_neq(got, want, "not pinned");
    free(got);
    srv_stop(&s);
}

Test(server_submissions, base64_both_ways_and_utf8, .timeout = 240)
{
    struct srv s;
    srv_start(&s, 2, NULL);
    char *src = b64_encode(C_ECHO, strlen(C_ECHO));
    char *in = b64_encode("b64", 3);
    json_t *b = json_pack("{s:i, s:s, s:s}", "language_id", 50, "source_code", src, "stdin", in);
    struct hresp r = http_json_post(&s, "/submissions?base64_encoded=true&wait=true", b);
    cr_assert_eq(r.code, 201, "%s", r.body);
    cr_assert_eq(status_id(r.json), 3, "%s", r.body);
    char *out;
    size_t outlen;
    cr_assert_eq(b64_decode(jstr(r.json, "stdout"), strlen(jstr(r.json, "stdout")), &out, &outlen), 0);
    cr_assert_str_eq(out, "hello b64\n");
    free(out);
    hresp_free(&r);
    free(src);
    free(in);

    /* invalid base64 is a validation error naming the field */
    b = json_pack("{s:i, s:s}", "language_id", 50, "source_code", "!!!not base64!!!");
    r = http_json_post(&s, "/submissions?base64_encoded=true", b);
    cr_assert_eq(r.code, 422, "%s", r.body);
    cr_assert(json_is_array(json_object_get(r.json, "source_code")), "%s", r.body);
    hresp_free(&r);

    /* output that is not UTF-8: Judge0's 400 without base64, fine with it */
    const char *bin = "#include <stdio.h>\nint main(){putchar(0xff);putchar(0xfe);return 0;}\n";
    char *tok = submit(&s, c_sub(bin));
    wait_finished(&s, tok, 120);
    char path[200];
    snprintf(path, sizeof path, "/submissions/%s", tok);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 400, "%s", r.body);
    cr_assert(strstr(jstr(r.json, "error"), "cannot be converted to UTF-8"), "%s", r.body);
    hresp_free(&r);
    snprintf(path, sizeof path, "/submissions/%s?base64_encoded=true", tok);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    cr_assert_str_eq(jstr(r.json, "stdout"), "//4=");
    hresp_free(&r);
    free(tok);
    srv_cleanup(&s);
}

Test(server_submissions, verdicts_map_to_judge0_statuses, .timeout = 300)
{
    struct srv s;
    srv_start(&s, 2, NULL);
    struct {
        const char *src;
        int status;
        const char *verdict;
    } cases[] = {
        {"int main(void){return 3;}", 11, "RTE"},
        {"int main(void){int *p=0; *(volatile int*)p=1; return 0;}", 7, "RTE"},
        {"#include <stdlib.h>\nint main(void){abort();}", 10, "RTE"},
        {"int main(void){ syntax error here }", 6, "CE"},
        {"int main(void){volatile unsigned long x=0; for(;;) x++;}", 5, "TLE"},
    };
    json_t *arr = json_array();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *b = c_sub(cases[i].src);
        json_object_set_new(b, "cpu_time_limit", json_real(0.5));
        json_object_set_new(b, "wall_time_limit", json_real(2));
        json_array_append_new(arr, b);
    }
    struct hresp r = http_json_post(&s, "/submissions/batch", json_pack("{s:o}", "submissions", arr));
    cr_assert_eq(r.code, 201, "%s", r.body);
    cr_assert_eq(json_array_size(r.json), sizeof cases / sizeof cases[0]);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *d = wait_done(&s, jstr(json_array_get(r.json, i), "token"), 60);
        cr_assert_eq(status_id(d), cases[i].status, "case %zu: %s", i, json_dumps(d, 0));
        cr_assert_str_eq(jstr(d, "verdict"), cases[i].verdict);
        if (cases[i].status == 6)
            cr_assert(jstr(d, "compile_output") && strstr(jstr(d, "compile_output"), "error"));
        if (cases[i].status == 11)
            cr_assert_eq(json_integer_value(json_object_get(d, "exit_code")), 3);
        if (cases[i].status == 7)
            cr_assert_eq(json_integer_value(json_object_get(d, "exit_signal")), 11);
        json_decref(d);
    }
    hresp_free(&r);

    /* memory limit exceeded: Judge0 status of a killed run, precise verdict MLE */
    json_t *b = c_sub("#include <stdlib.h>\n#include <string.h>\nint main(void){for(int i=0;i<64;i++){char*p=malloc(8<<20);if(!p)return 1;memset(p,1,8<<20);}return 0;}");
    json_object_set_new(b, "memory_limit", json_integer(65536));
    r = http_json_post(&s, "/submissions?wait=true&fields=*,verdict", b);
    cr_assert_eq(r.code, 201, "%s", r.body);
    cr_assert_str_eq(jstr(r.json, "verdict"), "MLE", "%s", r.body);
    cr_assert_eq(status_id(r.json), 12, "%s", r.body);
    hresp_free(&r);
    srv_cleanup(&s);
}

Test(server_submissions, validation_errors, .timeout = 180)
{
    struct srv s;
    srv_start(&s, 1, "\"max_body_bytes\": 100000, \"max_source_bytes\": 5000");
    struct hresp r = http_json_post(&s, "/submissions", json_pack("{s:i}", "language_id", 50));
    cr_assert_eq(r.code, 422, "%s", r.body);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(r.json, "source_code"), 0)),
                     "can't be blank");
    hresp_free(&r);

    r = http_json_post(&s, "/submissions", json_pack("{s:i, s:s}", "language_id", 9999, "source_code", "x"));
    cr_assert_eq(r.code, 422);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(r.json, "language_id"), 0)),
                     "language with id 9999 doesn't exist");
    hresp_free(&r);

    r = http_json_post(&s, "/submissions", json_pack("{s:i, s:s, s:i, s:i, s:s}", "language_id", 50,
                                                     "source_code", "x", "cpu_time_limit", 100,
                                                     "memory_limit", -5, "wall_time_limit", "abc"));
    cr_assert_eq(r.code, 422);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(r.json, "cpu_time_limit"), 0)),
                     "must be less than or equal to 15");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(r.json, "memory_limit"), 0)),
                     "must be greater than 0");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(r.json, "wall_time_limit"), 0)),
                     "is not a number");
    hresp_free(&r);

    r = http_json_post(&s, "/submissions", json_pack("{s:i, s:i, s:i}", "language_id", 50,
                                                     "source_code", 12, "stdin", 5));
    cr_assert_eq(r.code, 422);
    cr_assert(json_object_get(r.json, "source_code") && json_object_get(r.json, "stdin"), "%s", r.body);
    hresp_free(&r);

    r = http_json_post(&s, "/submissions", json_pack("{s:i, s:s, s:s}", "language_id", 50,
                                                     "source_code", "x", "callback_url", "ftp://x"));
    cr_assert_eq(r.code, 422);
    cr_assert(json_object_get(r.json, "callback_url"));
    hresp_free(&r);

    r = http(&s, "POST", "/submissions", "{\"language_id\": 50, ", 19, NULL);
    cr_assert_eq(r.code, 400);
    cr_assert(jstr(r.json, "error"));
    hresp_free(&r);
    r = http(&s, "POST", "/submissions", "[1,2]", 5, NULL);
    cr_assert_eq(r.code, 422);
    hresp_free(&r);

    /* oversized field and oversized body */
    char *big = malloc(200001);
    memset(big, 'a', 200000);
    big[200000] = 0;
    json_t *b = json_pack("{s:i, s:s#}", "language_id", 50, "source_code", big, (int)6000);
    r = http_json_post(&s, "/submissions", b);
    cr_assert_eq(r.code, 422, "%s", r.body);
    cr_assert(strstr(r.body, "too long"));
    hresp_free(&r);
    b = json_pack("{s:i, s:s}", "language_id", 50, "source_code", big);
    r = http_json_post(&s, "/submissions", b);
    cr_assert_eq(r.code, 413, "%s", r.body ? r.body : "");
    hresp_free(&r);
    free(big);

    /* the server survived all of it */
    r = http(&s, "GET", "/healthz", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    hresp_free(&r);
    srv_cleanup(&s);
}

Test(server_submissions, batch_list_delete, .timeout = 240)
{
    struct srv s;
    srv_start(&s, 2, NULL);
    json_t *subs = json_pack("[o, o, {s:i}]", c_sub("int main(void){return 0;}"),
                             c_sub("#include <stdio.h>\nint main(void){puts(\"b\");return 0;}"),
                             "language_id", 50);
    struct hresp r = http_json_post(&s, "/submissions/batch", json_pack("{s:o}", "submissions", subs));
    cr_assert_eq(r.code, 201, "%s", r.body);
    cr_assert_eq(json_array_size(r.json), 3);
    const char *t1 = jstr(json_array_get(r.json, 0), "token");
    const char *t2 = jstr(json_array_get(r.json, 1), "token");
    cr_assert(t1 && t2);
    cr_assert(json_object_get(json_array_get(r.json, 2), "source_code"), "third has errors: %s", r.body);
    char tok1[40], tok2[40];
    snprintf(tok1, sizeof tok1, "%s", t1);
    snprintf(tok2, sizeof tok2, "%s", t2);
    hresp_free(&r);
    json_decref(wait_done(&s, tok1, 120));
    json_decref(wait_done(&s, tok2, 120));

    char path[300];
    snprintf(path, sizeof path, "/submissions/batch?tokens=%s,%s,nope&fields=token,stdout,status", tok1, tok2);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    json_t *a = json_object_get(r.json, "submissions");
    cr_assert_eq(json_array_size(a), 3);
    cr_assert_str_eq(jstr(json_array_get(a, 1), "stdout"), "b\n");
    cr_assert(json_is_null(json_array_get(a, 2)));
    hresp_free(&r);
    r = http(&s, "GET", "/submissions/batch?tokens=", NULL, 0, NULL);
    cr_assert_eq(r.code, 400);
    hresp_free(&r);
    r = http_json_post(&s, "/submissions/batch", json_pack("{s:[]}", "submissions"));
    cr_assert_eq(r.code, 400);
    hresp_free(&r);

    /* list with paging meta */
    r = http(&s, "GET", "/submissions?per_page=1&page=2", NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    json_t *meta = json_object_get(r.json, "meta");
    cr_assert_eq(json_integer_value(json_object_get(meta, "total_count")), 2);
    cr_assert_eq(json_integer_value(json_object_get(meta, "total_pages")), 2);
    cr_assert_eq(json_integer_value(json_object_get(meta, "current_page")), 2);
    cr_assert_eq(json_integer_value(json_object_get(meta, "prev_page")), 1);
    cr_assert(json_is_null(json_object_get(meta, "next_page")));
    cr_assert_eq(json_array_size(json_object_get(r.json, "submissions")), 1);
    hresp_free(&r);
    r = http(&s, "GET", "/submissions?page=0", NULL, 0, NULL);
    cr_assert_eq(r.code, 400);
    hresp_free(&r);

    /* delete: gives the submission back (base64), then it is gone */
    snprintf(path, sizeof path, "/submissions/%s?fields=token,stdout", tok2);
    r = http(&s, "DELETE", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    cr_assert_str_eq(jstr(r.json, "stdout"), "Ygo=");
    hresp_free(&r);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 404);
    hresp_free(&r);
    srv_cleanup(&s);

    /* a queued submission cannot be deleted (no workers here) */
    srv_start(&s, 0, NULL);
    char *tok = submit(&s, c_sub("int main(void){return 0;}"));
    snprintf(path, sizeof path, "/submissions/%s", tok);
    r = http(&s, "DELETE", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 400);
    cr_assert(strstr(jstr(r.json, "error"), "status is 1 (In Queue)"), "%s", r.body);
    hresp_free(&r);
    free(tok);
    srv_cleanup(&s);
}

Test(server_auth, tokens_off_and_on, .timeout = 180)
{
    struct srv s;
    srv_start(&s, 0, "\"auth_tokens\": [\"s3cret\"], \"authz_tokens\": [\"admin\"]");
    struct hresp r = http(&s, "GET", "/languages", NULL, 0, NULL);
    cr_assert_eq(r.code, 401);
    hresp_free(&r);
    const char *bad[] = {"X-Auth-Token: wrong", NULL};
    r = http(&s, "GET", "/about", NULL, 0, bad);
    cr_assert_eq(r.code, 401);
    hresp_free(&r);
    const char *good[] = {"X-Auth-Token: s3cret", NULL};
    r = http(&s, "GET", "/about", NULL, 0, good);
    cr_assert_eq(r.code, 200);
    hresp_free(&r);
    r = http(&s, "POST", "/authenticate", "", 0, good);
    cr_assert_eq(r.code, 200);
    hresp_free(&r);
    /* listing needs X-Auth-User as well */
    r = http(&s, "GET", "/submissions", NULL, 0, good);
    cr_assert_eq(r.code, 403);
    hresp_free(&r);
    const char *both[] = {"X-Auth-Token: s3cret", "X-Auth-User: admin", NULL};
    r = http(&s, "GET", "/submissions", NULL, 0, both);
    cr_assert_eq(r.code, 200, "%s", r.body);
    hresp_free(&r);
    r = http(&s, "POST", "/authorize", "", 0, both);
    cr_assert_eq(r.code, 200);
    hresp_free(&r);
    /* health stays open for probes (503: API only, no worker anywhere) */
    r = http(&s, "GET", "/healthz", NULL, 0, NULL);
    cr_assert_eq(r.code, 503);
    cr_assert_str_eq(jstr(r.json, "reason"), "no workers");
    hresp_free(&r);
    srv_cleanup(&s);

    /* off by default: everything open */
    srv_start(&s, 0, NULL);
    r = http(&s, "GET", "/submissions", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    hresp_free(&r);
    srv_cleanup(&s);
}

Test(server_queue, full_gives_503, .timeout = 180)
{
    struct srv s;
    srv_start(&s, 0, "\"max_queue_size\": 2");
    char *a = submit(&s, c_sub("int main(void){return 0;}"));
    char *b = submit(&s, c_sub("int main(void){return 0;}"));
    struct hresp r = http_json_post(&s, "/submissions", c_sub("int main(void){return 0;}"));
    cr_assert_eq(r.code, 503, "%s", r.body);
    cr_assert_str_eq(jstr(r.json, "error"), "queue is full");
    hresp_free(&r);
    r = http_json_post(&s, "/submissions/batch", json_pack("{s:[o]}", "submissions",
                                                           c_sub("int main(void){return 0;}")));
    cr_assert_eq(r.code, 503);
    hresp_free(&r);
    r = http(&s, "GET", "/metrics", NULL, 0, NULL);
    cr_assert(strstr(r.body, "nsjudge_queue_length 2"), "%s", r.body);
    hresp_free(&r);
    free(a);
    free(b);
    srv_cleanup(&s);
}

struct waitarg {
    struct srv *s;
    atomic_int done;
    long code;
    int status;
};

static void *wait_request(void *p)
{
    struct waitarg *a = p;
    json_t *b = c_sub("#include <stdio.h>\n#include <unistd.h>\nint main(void){usleep(800000);puts(\"slow\");return 0;}");
    struct hresp r = http_json_post(a->s, "/submissions?wait=true&fields=token,status", b);
    a->code = r.code;
    a->status = status_id(r.json);
    hresp_free(&r);
    atomic_store(&a->done, 1);
    return NULL;
}

/* wait=true parks the connection instead of holding an HTTP thread: with a
 * single HTTP thread, other requests are still answered meanwhile. */
Test(server_submissions, wait_true_does_not_hold_a_thread, .timeout = 180)
{
    struct srv s;
    srv_start(&s, 1, "\"http_threads\": 1");
    struct waitarg a = {.s = &s};
    pthread_t th;
    pthread_create(&th, NULL, wait_request, &a);
    int answered_while_waiting = 0;
    for (int i = 0; i < 400 && !atomic_load(&a.done); i++) {
        struct hresp r = http(&s, "GET", "/workers", NULL, 0, NULL);
        int working = (int)json_integer_value(json_object_get(json_array_get(r.json, 0), "working"));
        hresp_free(&r);
        if (working == 1 && !atomic_load(&a.done))
            answered_while_waiting = 1;
        usleep(20000);
    }
    pthread_join(th, NULL);
    cr_assert_eq(a.code, 201);
    cr_assert_eq(a.status, 3);
    cr_assert(answered_while_waiting, "GET /workers was not answered while a wait=true request was pending");
    cr_assert_eq(srv_stop(&s), 0);
    srv_cleanup(&s);
}
