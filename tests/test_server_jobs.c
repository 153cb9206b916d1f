/* test_server_jobs.c - what happens around a job: callbacks to a local
 * listener, problems with per-test results, kill -9 and restart, SIGTERM,
 * and `nsjudge worker` sharing the store. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "server/service/codec.h"
#include "tests/test_server.h"

static json_t *c_sub(const char *src)
{
    return json_pack("{s:i, s:s}", "language_id", 50, "source_code", src);
}

Test(server_callback, put_delivered_and_retried, .timeout = 240)
{
    struct listener l;
    listener_start(&l, 1); /* the first delivery fails: the server must retry */
    struct srv s;
    char allow[128]; /* the listener is on loopback: allowed by address and port */
    snprintf(allow, sizeof allow, "\"callback_allow\": [\"127.0.0.1:%d\"]", l.port);
    srv_start(&s, 1, allow);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/judge0-callback", l.port);
    json_t *b = c_sub("#include <stdio.h>\nint main(void){puts(\"cb\");return 0;}");
    json_object_set_new(b, "callback_url", json_string(url));
    char *tok = submit(&s, b);
    wait_finished(&s, tok, 120);
    for (int i = 0; i < 200 && listener_count(&l) < 2; i++)
        usleep(50000);
    cr_assert_eq(listener_count(&l), 2, "one failed delivery and one retry expected, got %d",
                 listener_count(&l));
    pthread_mutex_lock(&l.mu);
    cr_assert_str_eq(l.method[1], "PUT");
    json_t *j = json_loads(l.body[1], 0, NULL);
    cr_assert(j, "callback body is JSON: %s", l.body[1]);
    cr_assert_str_eq(jstr(j, "token"), tok);
    cr_assert_eq(status_id(j), 3);
    cr_assert_str_eq(jstr(j, "stdout"), "Y2IK", "callback stdout is base64 as Judge0 sends it");
    json_decref(j);
    pthread_mutex_unlock(&l.mu);
    /* the counter moves just after the listener has answered: poll briefly */
    struct hresp r = http(&s, "GET", "/metrics", NULL, 0, NULL);
    for (int i = 0; i < 50 && !strstr(r.body, "nsjudge_callbacks_total{outcome=\"ok\"} 1"); i++) {
        hresp_free(&r);
        usleep(50000);
        r = http(&s, "GET", "/metrics", NULL, 0, NULL);
    }
    cr_assert(strstr(r.body, "nsjudge_callbacks_total{outcome=\"ok\"} 1"), "%s", r.body);
    hresp_free(&r);
    free(tok);
    srv_cleanup(&s);
    listener_stop(&l);
}

static int log_has(struct srv *s, const char *needle)
{
    FILE *f = fopen(s->log, "r");
    char line[4096];
    int found = 0;
    while (f && !found && fgets(line, sizeof line, f))
        found = strstr(line, needle) != NULL;
    if (f)
        fclose(f);
    return found;
}

/* An undelivered callback survives a restart: it is sent by the next run. */
Test(server_callback, pending_callback_survives_restart, .timeout = 240)
{
    /* hold a port nobody listens on: deliveries are refused */
    int hold, port = srv_hold_port(&hold);

    struct srv s;
    srv_start(&s, 1, "\"callbacks_max_tries\": 50, \"callback_allow\": [\"127.0.0.0/8\"]");
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/cb", port);
    json_t *b = c_sub("int main(void){return 0;}");
    json_object_set_new(b, "callback_url", json_string(url));
    char *tok = submit(&s, b);
    wait_finished(&s, tok, 120);
    for (int i = 0; i < 200 && !log_has(&s, "outcome=retry"); i++)
        usleep(50000);
    cr_assert(log_has(&s, "outcome=retry"), "a refused delivery is retried");
    cr_assert_eq(srv_stop(&s), 0);

    close(hold);
    struct listener l;
    listener_start_on(&l, 0, port);
    srv_restart(&s);
    for (int i = 0; i < 200 && listener_count(&l) < 1; i++)
        usleep(50000);
    cr_assert_eq(listener_count(&l), 1, "the pending callback is delivered after the restart");
    pthread_mutex_lock(&l.mu);
    json_t *j = json_loads(l.body[0], 0, NULL);
    cr_assert_str_eq(jstr(j, "token"), tok);
    json_decref(j);
    pthread_mutex_unlock(&l.mu);
    free(tok);
    srv_cleanup(&s);
    listener_stop(&l);
}

/* ---- callbacks and the SSRF guard: only 127.0.0.1 is ever used here; the other
 * ranges are tested on parsed addresses (test_server_callback_guard.c) -------------- */

static const char *first_err(json_t *errors, const char *field)
{
    return json_string_value(json_array_get(json_object_get(errors, field), 0));
}

/* Without callback_allow, a loopback callback_url is refused when submitted,
 * in every spelling libcurl accepts, and the listener hears nothing. */
Test(server_callback, loopback_refused_without_allow_list, .timeout = 180)
{
    struct listener l;
    listener_start(&l, 0);
    struct srv s;
    srv_start(&s, 1, NULL);
    const char *forms[] = {"http://127.0.0.1:%d/cb", "http://2130706433:%d/cb", "http://127.1:%d/cb",
                           "http://[::ffff:127.0.0.1]:%d/cb", "http://0x7f.0.0.1:%d/cb"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        char url[128];
        snprintf(url, sizeof url, forms[i], l.port);
        json_t *b = c_sub("int main(void){return 0;}");
        json_object_set_new(b, "callback_url", json_string(url));
        struct hresp r = http_json_post(&s, "/submissions", b);
        cr_assert_eq(r.code, 422, "%s: %ld %s", url, r.code, r.body ? r.body : "");
        const char *m = first_err(r.json, "callback_url");
        cr_assert(m && strstr(m, "loopback"), "%s: %s", url, r.body);
        hresp_free(&r);
    }
    /* an allow entry for another port does not open this one */
    srv_cleanup(&s);
    char allow[128];
    snprintf(allow, sizeof allow, "\"callback_allow\": [\"127.0.0.1:%d\"]", l.port == 65535 ? 1 : l.port + 1);
    srv_start(&s, 1, allow);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/cb", l.port);
    json_t *b = c_sub("int main(void){return 0;}");
    json_object_set_new(b, "callback_url", json_string(url));
    struct hresp r = http_json_post(&s, "/submissions", b);
    cr_assert_eq(r.code, 422, "%s", r.body);
    hresp_free(&r);
    cr_assert_eq(listener_count(&l), 0, "the loopback listener must receive nothing");
    listener_stop(&l);
    srv_cleanup(&s);
}

static void replace_in_file(const char *path, const char *from, const char *to)
{
    char buf[8192];
    FILE *f = fopen(path, "r");
    cr_assert(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *at = strstr(buf, from);
    cr_assert(at, "%s not in %s", from, path);
    f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "%.*s%s%s", (int)(at - buf), buf, to, at + strlen(from));
    fclose(f);
}

/* The connect-time check, not the submission-time one: a callback stored
 * while 127.0.0.1 was allowed is refused at delivery once it no longer is
 * (the same check stops names that resolve to loopback, and DNS rebinding:
 * it judges the address libcurl is about to connect to). */
Test(server_callback, refused_at_connect_time_when_not_allowed, .timeout = 240)
{
    int hold, port = srv_hold_port(&hold);

    struct srv s;
    srv_start(&s, 1, "\"callbacks_max_tries\": 50, \"callback_allow\": [\"127.0.0.1\"]");
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/cb", port);
    json_t *b = c_sub("int main(void){return 0;}");
    json_object_set_new(b, "callback_url", json_string(url));
    char *tok = submit(&s, b);
    wait_finished(&s, tok, 120);
    for (int i = 0; i < 200 && !log_has(&s, "outcome=retry"); i++)
        usleep(50000);
    cr_assert(log_has(&s, "outcome=retry"), "a refused connection is retried");
    cr_assert_eq(srv_stop(&s), 0);

    replace_in_file(s.cfg, "\"callback_allow\": [\"127.0.0.1\"]", "\"callback_allow\": []");
    close(hold);
    struct listener l;
    listener_start_on(&l, 0, port);
    srv_restart(&s);
    for (int i = 0; i < 200 && !log_has(&s, "outcome=failed"); i++)
        usleep(50000);
    cr_assert(log_has(&s, "refused: 127.0.0.1 is loopback"), "the delivery is refused (see %s)", s.log);
    cr_assert(log_has(&s, "outcome=failed"), "and not retried");
    usleep(300000);
    cr_assert_eq(listener_count(&l), 0, "the loopback listener must receive nothing");
    free(tok);
    listener_stop(&l);
    srv_cleanup(&s);
}

/* Redirects are not followed: an allowed endpoint cannot bounce the PUT
 * on to another local service. */
Test(server_callback, redirect_not_followed, .timeout = 240)
{
    struct listener target, bouncer;
    listener_start(&target, 0);
    listener_start(&bouncer, 0);
    bouncer.redirect_port = target.port;
    struct srv s;
    char allow[128];
    snprintf(allow, sizeof allow, "\"callbacks_max_tries\": 2, \"callback_allow\": [\"127.0.0.1:%d\"]",
             bouncer.port);
    srv_start(&s, 1, allow);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/cb", bouncer.port);
    json_t *b = c_sub("int main(void){return 0;}");
    json_object_set_new(b, "callback_url", json_string(url));
    char *tok = submit(&s, b);
    wait_finished(&s, tok, 120);
    for (int i = 0; i < 200 && !log_has(&s, "outcome=failed"); i++)
        usleep(50000);
    cr_assert(log_has(&s, "HTTP 307"), "the redirect is an answer, not followed (see %s)", s.log);
    cr_assert_eq(listener_count(&bouncer), 2, "both tries reach the allowed endpoint");
    cr_assert_eq(listener_count(&target), 0, "the redirect target must receive nothing");
    free(tok);
    listener_stop(&target);
    listener_stop(&bouncer);
    srv_cleanup(&s);
}

/* ---- problems -------------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

/* A Kattis package: "sum" with 1 sample and 5 secret tests. */
static void make_package(const char *root)
{
    char p[512];
    snprintf(p, sizeof p, "mkdir -p '%s/sum/data/sample' '%s/sum/data/secret'", root, root);
    cr_assert_eq(system(p), 0);
    snprintf(p, sizeof p, "%s/sum/problem.yaml", root);
    write_file(p, "name: Sum of Two\n");
    snprintf(p, sizeof p, "%s/sum/data/sample/1.in", root);
    write_file(p, "1 2\n");
    snprintf(p, sizeof p, "%s/sum/data/sample/1.ans", root);
    write_file(p, "3\n");
    for (int i = 1; i <= 5; i++) {
        char in[64], ans[64];
        snprintf(in, sizeof in, "%d %d\n", i, i * 100);
        snprintf(ans, sizeof ans, "%d\n", i * 101);
        snprintf(p, sizeof p, "%s/sum/data/secret/%d.in", root, i);
        write_file(p, in);
        snprintf(p, sizeof p, "%s/sum/data/secret/%d.ans", root, i);
        write_file(p, ans);
    }
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f);
    char *buf = malloc(1 << 20);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

#define SUM_AC "#include <stdio.h>\nint main(void){long a,b;scanf(\"%ld %ld\",&a,&b);printf(\"%ld\\n\",a+b);return 0;}\n"
#define SUM_WA "#include <stdio.h>\nint main(void){long a,b;scanf(\"%ld %ld\",&a,&b);printf(\"%ld\\n\",a==3?0:a+b);return 0;}\n"
#define SUM_SLOW "#include <stdio.h>\n#include <unistd.h>\nint main(void){long a,b;usleep(250000);scanf(\"%ld %ld\",&a,&b);printf(\"%ld\\n\",a+b);return 0;}\n"

/* (a long timeout: the cgroup v2 VM runs it under emulation) */
Test(server_problems, upload_judge_per_test_results, .timeout = 900)
{
    struct srv s;
    srv_start(&s, 1, NULL);
    char pkg[512], cmd[1200];
    snprintf(pkg, sizeof pkg, "%s/pkg", s.dir);
    mkdir(pkg, 0755);
    make_package(pkg);
    snprintf(cmd, sizeof cmd, "tar -C '%s' -czf '%s/sum.tgz' sum", pkg, s.dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/sum.tgz", s.dir);
    size_t len;
    char *tgz = read_all(cmd, &len);
    const char *hdr[] = {"Content-Type: application/gzip", NULL};
    struct hresp r = http(&s, "POST", "/problems?id=sum", tgz, len, hdr);
    cr_assert_eq(r.code, 201, "%s", r.body);
    cr_assert_eq(json_integer_value(json_object_get(r.json, "tests")), 6, "%s", r.body);
    cr_assert_str_eq(jstr(r.json, "name"), "Sum of Two");
    hresp_free(&r);
    free(tgz);

    r = http(&s, "POST", "/problems?id=junk", "definitely not an archive", 25, hdr);
    cr_assert_eq(r.code, 422, "%s", r.body);
    hresp_free(&r);
    /* an archive that climbs out of its directory is refused whole */
    snprintf(cmd, sizeof cmd, "cd '%s/sum' && tar -cPf '%s/evil.tar' ../sum/problem.yaml", pkg, s.dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/evil.tar", s.dir);
    char *evil = read_all(cmd, &len);
    r = http(&s, "POST", "/problems?id=evil", evil, len, hdr);
    cr_assert_eq(r.code, 422, "%s", r.body);
    cr_assert(strstr(jstr(r.json, "error"), "unsafe path"), "%s", r.body);
    hresp_free(&r);
    free(evil);
    r = http(&s, "GET", "/problems", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    cr_assert_eq(json_array_size(json_object_get(r.json, "problems")), 1, "%s", r.body);
    hresp_free(&r);
    r = http(&s, "GET", "/problems/sum", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    hresp_free(&r);

    /* accepted: full score, every test listed */
    json_t *b = c_sub(SUM_AC);
    json_object_set_new(b, "problem_id", json_string("sum"));
    char *tok = submit(&s, b);
    json_t *d = wait_done(&s, tok, 120);
    cr_assert_eq(status_id(d), 3, "%s", json_dumps(d, 0));
    cr_assert_str_eq(jstr(d, "verdict"), "AC");
    cr_assert_eq(json_array_size(json_object_get(d, "tests")), 6, "%s", json_dumps(d, 0));
    cr_assert_eq(json_integer_value(json_object_get(d, "tests_total")), 6);
    cr_assert(json_real_value(json_object_get(d, "score")) > 0);
    cr_assert_float_eq(json_real_value(json_object_get(d, "score")),
                       json_real_value(json_object_get(d, "max_score")), 1e-9);
    json_decref(d);
    free(tok);

    /* wrong on one test: WA, and that test says so */
    b = c_sub(SUM_WA);
    json_object_set_new(b, "problem_id", json_string("sum"));
    tok = submit(&s, b);
    d = wait_done(&s, tok, 120);
    cr_assert_eq(status_id(d), 4, "%s", json_dumps(d, 0));
    json_t *tests = json_object_get(d, "tests");
    int wa = 0, ac = 0;
    size_t i;
    json_t *t;
    json_array_foreach(tests, i, t) {
        wa += !strcmp(jstr(t, "verdict"), "WA");
        ac += !strcmp(jstr(t, "verdict"), "AC");
        cr_assert(jstr(t, "name") && jstr(t, "time"));
    }
    cr_assert_eq(wa, 1, "%s", json_dumps(tests, 0));
    cr_assert_eq(ac, 5);
    cr_assert(json_real_value(json_object_get(d, "score")) < json_real_value(json_object_get(d, "max_score")));
    json_decref(d);
    free(tok);

    /* a polling client sees tests complete one by one */
    b = c_sub(SUM_SLOW);
    json_object_set_new(b, "problem_id", json_string("sum"));
    tok = submit(&s, b);
    char path[200];
    snprintf(path, sizeof path, "/submissions/%s?fields=status,tests,tests_total", tok);
    int partial_seen = 0;
    for (int k = 0; k < 600; k++) {
        r = http(&s, "GET", path, NULL, 0, NULL);
        int st = status_id(r.json);
        size_t nt = json_array_size(json_object_get(r.json, "tests"));
        if (st == 2 && nt > 0 && nt < 6)
            partial_seen = 1;
        hresp_free(&r);
        if (st >= 3)
            break;
        usleep(40000);
    }
    cr_assert(partial_seen, "no partial per-test result was visible while judging");
    d = wait_done(&s, tok, 120);
    cr_assert_eq(status_id(d), 3);
    json_decref(d);
    free(tok);

    /* unknown problem: a validation error naming the field */
    b = c_sub(SUM_AC);
    json_object_set_new(b, "problem_id", json_string("nope"));
    r = http_json_post(&s, "/submissions", b);
    cr_assert_eq(r.code, 422);
    cr_assert(json_object_get(r.json, "problem_id"), "%s", r.body);
    hresp_free(&r);

    /* server directories are refused unless the config allows them */
    snprintf(cmd, sizeof cmd, "{\"id\": \"sum2\", \"path\": \"%s/sum\"}", pkg);
    r = http(&s, "POST", "/problems", cmd, strlen(cmd), NULL);
    cr_assert_eq(r.code, 403, "%s", r.body);
    hresp_free(&r);

    r = http(&s, "DELETE", "/problems/sum", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    hresp_free(&r);
    r = http(&s, "GET", "/problems/sum", NULL, 0, NULL);
    cr_assert_eq(r.code, 404);
    hresp_free(&r);
    srv_cleanup(&s);
}

Test(server_problems, register_allowed_directory, .timeout = 180)
{
    char root[] = "/tmp/nsjudge-test-pdir-XXXXXX";
    cr_assert(mkdtemp(root));
    make_package(root);
    char extra[600];
    snprintf(extra, sizeof extra, "\"problem_dirs\": [\"%s\"]", root);
    struct srv s;
    srv_start(&s, 1, extra);
    char body[800];
    snprintf(body, sizeof body, "{\"id\": \"sum\", \"path\": \"%s/sum\"}", root);
    struct hresp r = http(&s, "POST", "/problems", body, strlen(body), NULL);
    cr_assert_eq(r.code, 201, "%s", r.body);
    cr_assert_str_eq(jstr(r.json, "origin"), "dir");
    hresp_free(&r);
    /* outside the allowed dirs */
    const char *etc = "{\"id\": \"etc\", \"path\": \"/etc\"}";
    r = http(&s, "POST", "/problems", etc, strlen(etc), NULL);
    cr_assert_eq(r.code, 403, "%s", r.body);
    hresp_free(&r);
    json_t *b = c_sub(SUM_AC);
    json_object_set_new(b, "problem_id", json_string("sum"));
    r = http_json_post(&s, "/submissions?wait=true", b);
    cr_assert_eq(r.code, 201);
    cr_assert_eq(status_id(r.json), 3, "%s", r.body);
    hresp_free(&r);

    /* change the package on disk and register it again (PUT): the loaded
     * copy is replaced, so the same solution is now judged wrong */
    char p[700];
    snprintf(p, sizeof p, "%s/sum/data/secret/3.ans", root);
    write_file(p, "-1\n");
    snprintf(body, sizeof body, "{\"path\": \"%s/sum\"}", root);
    r = http(&s, "PUT", "/problems/sum", body, strlen(body), NULL);
    cr_assert_eq(r.code, 200, "replaced: %s", r.body);
    hresp_free(&r);
    b = c_sub(SUM_AC);
    json_object_set_new(b, "problem_id", json_string("sum"));
    r = http_json_post(&s, "/submissions?wait=true", b);
    cr_assert_eq(r.code, 201);
    cr_assert_eq(status_id(r.json), 4, "re-registered package is used: %s", r.body);
    hresp_free(&r);
    srv_cleanup(&s);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    (void)!system(cmd);
}

/* ---- crashes and shutdown --------------------------------------------------------- */

#define SLEEPY "#include <stdio.h>\n#include <unistd.h>\nint main(void){usleep(700000);puts(\"done\");return 0;}\n"

static int current_status(struct srv *s, const char *tok)
{
    char path[200];
    snprintf(path, sizeof path, "/submissions/%s?fields=status", tok);
    struct hresp r = http(s, "GET", path, NULL, 0, NULL);
    int st = status_id(r.json);
    hresp_free(&r);
    return st;
}

/* A worker of this process is judging (status 2 alone says only that the
 * job is claimed: a handed job is, before a worker takes it). */
static int workers_in(struct srv *s, const char *state)
{
    struct hresp r = http(s, "GET", "/workers", NULL, 0, NULL);
    int n = (int)json_integer_value(json_object_get(json_array_get(r.json, 0), state));
    hresp_free(&r);
    return n;
}

static int working(struct srv *s)
{
    return workers_in(s, "working");
}

/* Jobs are handed only to a worker that holds its slot: wait for it. */
static void wait_idle_worker(struct srv *s)
{
    for (int k = 0; k < 500 && workers_in(s, "idle") != 1; k++)
        usleep(20000);
}

/* Four slow jobs, the service killed with -9 while the first runs, then
 * restarted: all four end Accepted, none twice. requeued: the jobs the
 * killed process held, the running one and those handed to its worker in
 * memory (claimed at insert, handoff_per_worker); with no hand-off only the
 * running one was claimed. */
static void kill9_restart(const char *extra, int requeued)
{
    struct srv s;
    srv_start(&s, 1, extra);
    wait_idle_worker(&s);
    char *tok[4];
    for (int i = 0; i < 4; i++)
        tok[i] = submit(&s, c_sub(SLEEPY));
    /* wait until the first job runs, then kill the whole service hard */
    int running = 0;
    for (int k = 0; k < 400 && !running; k++) {
        running = current_status(&s, tok[0]) == 2;
        if (!running)
            usleep(20000);
    }
    cr_assert(running, "first job never started");
    srv_kill9(&s);
    srv_restart(&s);
    for (int i = 0; i < 4; i++) {
        json_t *d = wait_done(&s, tok[i], 120);
        cr_assert_eq(status_id(d), 3, "job %d after restart: %s", i, json_dumps(d, 0));
        cr_assert_str_eq(jstr(d, "stdout"), "done\n");
        json_decref(d);
        free(tok[i]);
    }
    struct hresp r = http(&s, "GET", "/submissions", NULL, 0, NULL);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(r.json, "meta"), "total_count")), 4);
    hresp_free(&r);
    r = http(&s, "GET", "/metrics", NULL, 0, NULL);
    char want[64];
    snprintf(want, sizeof want, "nsjudge_jobs_requeued_total %d\n", requeued);
    cr_assert(strstr(r.body, want), "want %s: %s", want, r.body);
    hresp_free(&r);
    srv_cleanup(&s);
}

Test(server_crash, kill9_restart_loses_nothing, .timeout = 300)
{
    kill9_restart(NULL, 4);
}

Test(server_crash, kill9_restart_loses_nothing_without_handoff, .timeout = 300)
{
    kill9_restart("\"handoff_per_worker\": 0", 1);
}

/* handoff_per_worker bounds what one process holds in memory: with one
 * worker and 2 per worker, of 5 slow jobs posted at once the first runs,
 * 2 wait handed (claimed, status 2) and the other 2 wait in the store's
 * queue for any worker (status 1), counted by /workers all the same. */
Test(server_queue, handoff_is_bounded_per_worker, .timeout = 240)
{
    struct srv s;
    srv_start(&s, 1, "\"handoff_per_worker\": 2");
    wait_idle_worker(&s);
    char *tok[5];
    const char *slow = "#include <unistd.h>\nint main(void){sleep(2);return 0;}\n";
    tok[0] = submit(&s, c_sub(slow));
    for (int k = 0; k < 500 && working(&s) != 1; k++) /* the first one runs */
        usleep(20000);
    for (int i = 1; i < 5; i++)
        tok[i] = submit(&s, c_sub(slow));
    int by_status[4] = {0};
    for (int i = 0; i < 5; i++) {
        int st = current_status(&s, tok[i]);
        by_status[st >= 0 && st < 4 ? st : 0]++;
    }
    cr_assert_eq(by_status[2], 3, "running + handed: %d (queued %d)", by_status[2], by_status[1]);
    cr_assert_eq(by_status[1], 2, "queued in the store: %d", by_status[1]);
    struct hresp r = http(&s, "GET", "/workers", NULL, 0, NULL);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(r.json, 0), "size")), 4,
                 "2 handed + 2 queued: %s", r.body);
    hresp_free(&r);
    for (int i = 0; i < 5; i++) {
        json_t *d = wait_done(&s, tok[i], 120);
        cr_assert_eq(status_id(d), 3, "job %d: %s", i, json_dumps(d, 0));
        json_decref(d);
        free(tok[i]);
    }
    srv_cleanup(&s);
}

Test(server_crash, sigterm_finishes_running_job, .timeout = 240)
{
    struct srv s;
    srv_start(&s, 1, NULL);
    char *tok = submit(&s, c_sub(SLEEPY));
    int running = 0;
    for (int k = 0; k < 400 && !running; k++) {
        running = current_status(&s, tok) == 2 && working(&s) == 1;
        if (!running)
            usleep(20000);
    }
    cr_assert(running);
    cr_assert_eq(srv_stop(&s), 0, "SIGTERM exits 0");
    srv_restart(&s);
    /* finished during the grace time, before the process left */
    cr_assert_eq(current_status(&s, tok), 3);
    free(tok);
    srv_cleanup(&s);
}

/* A wait=true request in a thread: its answer's code and body. */
struct posted_wait {
    struct srv *s;
    const char *src;   /* a Bash script */
    long code;
    json_t *json;
};

static void *post_wait(void *p)
{
    struct posted_wait *a = p;
    json_t *b = json_pack("{s:i, s:s}", "language_id", 46, "source_code", a->src);
    struct hresp r = http_json_post(a->s, "/submissions?wait=true", b);
    a->code = r.code;
    a->json = r.json ? json_incref(r.json) : NULL;
    hresp_free(&r);
    return NULL;
}

/* Posts a's job from a thread (*th) and returns once the one worker runs it. */
static void post_wait_until_running(struct posted_wait *a, pthread_t *th)
{
    pthread_create(th, NULL, post_wait, a);
    for (int k = 0; k < 500 && working(a->s) != 1; k++)
        usleep(10000);
    cr_assert_eq(working(a->s), 1, "the job never ran");
}

/* A wait=true single run is stored once, with its result: until then only
 * its request knows its token, so the store has no row for it while it
 * runs (one commit per job instead of two); after the answer the row is
 * there, done. */
Test(server_submissions, wait_true_job_is_stored_once_done, .timeout = 240)
{
    struct srv s;
    srv_start(&s, 1, NULL);
    wait_idle_worker(&s);
    struct posted_wait a = {.s = &s, .src = "sleep 1.5; echo late\n"};
    pthread_t th;
    post_wait_until_running(&a, &th);
    cr_assert_eq(total_submissions(&s, "token"), 0, "a row while the wait=true job runs");
    pthread_join(th, NULL);
    cr_assert_eq(a.code, 201);
    cr_assert_eq(status_id(a.json), 3, "%s", json_dumps(a.json, 0));
    cr_assert_str_eq(jstr(a.json, "stdout"), "late\n");
    cr_assert_eq(total_submissions(&s, "token"), 1);
    cr_assert_eq(current_status(&s, jstr(a.json, "token")), 3, "the answer's row is stored");
    json_decref(a.json);
    srv_cleanup(&s);
}

/* A stop with wait=true jobs that have no row yet stores them before it
 * answers their requests, so each answer's token names a stored job: the
 * running one claimed (its result then lands during the grace time), the
 * one still waiting for the worker queued for the next start. */
Test(server_crash, sigterm_stores_the_wait_true_jobs_it_holds, .timeout = 240)
{
    struct srv s;
    srv_start(&s, 1, NULL);
    wait_idle_worker(&s);
    struct posted_wait run = {.s = &s, .src = "sleep 1.5; echo ran\n"};
    struct posted_wait held = {.s = &s, .src = "echo held\n"};
    pthread_t t1, t2;
    post_wait_until_running(&run, &t1);
    pthread_create(&t2, NULL, post_wait, &held);
    int size = 0;
    for (int k = 0; k < 500 && size != 1; k++) {
        struct hresp r = http(&s, "GET", "/workers", NULL, 0, NULL);
        size = (int)json_integer_value(json_object_get(json_array_get(r.json, 0), "size"));
        hresp_free(&r);
        if (size != 1)
            usleep(10000);
    }
    cr_assert_eq(size, 1, "the second job is not waiting for the worker");
    cr_assert_eq(srv_stop(&s), 0, "SIGTERM exits 0");
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    cr_assert_eq(run.code, 201, "%ld %s", run.code, json_dumps(run.json, 0));
    cr_assert_eq(status_id(run.json), 2, "running: %s", json_dumps(run.json, 0));
    cr_assert_eq(held.code, 201, "%ld %s", held.code, json_dumps(held.json, 0));
    cr_assert_eq(status_id(held.json), 1, "waiting: %s", json_dumps(held.json, 0));
    srv_restart(&s);
    cr_assert_eq(current_status(&s, jstr(run.json, "token")), 3, "finished in the grace time");
    json_t *d = wait_done(&s, jstr(held.json, "token"), 120);
    cr_assert_eq(status_id(d), 3, "%s", json_dumps(d, 0));
    cr_assert_str_eq(jstr(d, "stdout"), "held\n");
    json_decref(d);
    json_decref(run.json);
    json_decref(held.json);
    srv_cleanup(&s);
}

Test(server_crash, worker_subcommand_shares_the_store, .timeout = 240)
{
    struct srv s;
    srv_start(&s, 0, NULL);
    char *tok = submit(&s, c_sub("#include <stdio.h>\nint main(void){puts(\"w\");return 0;}"));
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        char log[400];
        snprintf(log, sizeof log, "%s/worker.log", s.dir);
        (void)!freopen(log, "a", stderr);
        const char *bin = getenv("NSJUDGE_BIN");
        execl(bin, bin, "worker", "--config", s.cfg, "--workers", "1", (char *)NULL);
        _exit(127);
    }
    json_t *d = wait_done(&s, tok, 120);
    cr_assert_eq(status_id(d), 3);
    cr_assert_str_eq(jstr(d, "stdout"), "w\n");
    json_decref(d);
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "worker exits 0 on SIGTERM");
    free(tok);
    srv_cleanup(&s);
}

Test(server_cli, help_and_bad_config, .timeout = 30)
{
    char cmd[600];
    const char *bin = getenv("NSJUDGE_BIN");
    snprintf(cmd, sizeof cmd, "'%s' serve --help | grep -q -- '--listen'", bin);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "'%s' worker --help | grep -q -- '--workers'", bin);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "echo '{\"no_such_key\": 1}' > /tmp/nsjudge-bad-%d.json; '%s' serve --config /tmp/nsjudge-bad-%d.json 2>/dev/null; r=$?; rm -f /tmp/nsjudge-bad-%d.json; exit $r",
             getpid(), bin, getpid(), getpid());
    int rc = system(cmd);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "bad config exits 1 (got %d)", rc);
}

/* The binary takes only its own service module: one without the module
 * table (here libm) is refused by name, never called into. */
Test(server_cli, foreign_module_is_refused, .timeout = 30)
{
    char cmd[800];
    snprintf(cmd, sizeof cmd, "NSJUDGE_PLUGIN=$(ls /lib/x86_64-linux-gnu/libm.so.6) '%s' serve --help 2>&1; echo \"rc=$?\"",
             getenv("NSJUDGE_BIN"));
    FILE *f = popen(cmd, "r");
    cr_assert(f);
    char out[2048] = "";
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = 0;
    pclose(f);
    cr_assert(strstr(out, "is not the service module"), "%s", out);
    cr_assert(strstr(out, "rc=1"), "%s", out);
}

Test(server_cli, relative_data_dir, .timeout = 180)
{
    struct srv s;
    srv_start_relative(&s, 1);
    json_t *b = json_pack("{s:i, s:s}", "language_id", 50, "source_code",
                          "#include <stdio.h>\nint main(void){puts(\"rel\");return 0;}");
    struct hresp r = http_json_post(&s, "/submissions?wait=true", b);
    cr_assert_eq(r.code, 201);
    cr_assert_eq(status_id(r.json), 3, "%s", r.body);
    hresp_free(&r);
    char db[400];
    snprintf(db, sizeof db, "%s/data/nsjudge.db", s.dir);
    cr_assert_eq(access(db, F_OK), 0, "database under the relative data dir");
    srv_cleanup(&s);
}

/* An interactive problem: each worker has the two boxes it needs (the
 * submission and the validator), so the verdicts are the real ones. */
Test(server_problems, interactive_problem, .timeout = 240)
{
    char root[4096], extra[4200], body[4400];
    cr_assert(realpath("testdata/problems", root), "run from the repository root");
    snprintf(extra, sizeof extra, "\"problem_dirs\": [\"%s\"]", root);
    struct srv s;
    srv_start(&s, 1, extra);
    snprintf(body, sizeof body, "{\"id\": \"guess\", \"path\": \"%s/guess\"}", root);
    struct hresp r = http(&s, "POST", "/problems", body, strlen(body), NULL);
    cr_assert_eq(r.code, 201, "%s", r.body);
    hresp_free(&r);
    const struct { const char *file; const char *verdict; } cases[] = {
        {"accepted/binary.c", "AC"},
        {"wrong_answer/linear.c", "WA"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[4600];
        snprintf(path, sizeof path, "%s/guess/submissions/%s", root, cases[i].file);
        size_t len;
        char *src = read_all(path, &len);
        cr_assert(src, "%s", path);
        json_t *b = json_pack("{s:i, s:s%, s:s}", "language_id", 50, "source_code", src, len,
                              "problem_id", "guess");
        free(src);
        r = http_json_post(&s, "/submissions?wait=true&fields=status,verdict,message", b);
        cr_assert_eq(r.code, 201, "%s", r.body);
        cr_assert_str_eq(jstr(r.json, "verdict"), cases[i].verdict, "%s: %s", cases[i].file, r.body);
        hresp_free(&r);
    }
    srv_cleanup(&s);
}
