/* test_server_pages.c - the web pages' server side (issue 16): pages and
 * their files with the right content types, /admin behind X-Auth-User,
 * the per-test event stream of a problem submission (same feedback as GET
 * /submissions/TOKEN), ?after=, and a parked stream that ends when the
 * service stops. Real build/nsjudge serve, real HTTP on 127.0.0.1; the
 * browser tests (tests/browser) drive the pages themselves. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/test_judge_archive_util.h"
#include "tests/test_server.h"

static void upload_sum(struct srv *s, int n_secret, int off)
{
    size_t len;
    char *tgz = sum_package_tgz("", n_secret, off, &len);
    const char *hdr[] = {"Content-Type: application/gzip", NULL};
    struct hresp r = http(s, "POST", "/problems?id=sum", tgz, len, hdr);
    cr_assert_eq(r.code, 201, "%s", r.body);
    hresp_free(&r);
    free(tgz);
}

static char *submit_sum(struct srv *s, const char *src)
{
    json_t *b = json_pack("{s:s, s:i, s:s}", "source_code", src, "language_id", 50, "problem_id", "sum");
    return submit(s, b); /* takes b */
}

static const char sum_ok[] =
    "#include <stdio.h>\nint main(void){long long a,b;scanf(\"%lld %lld\",&a,&b);printf(\"%lld\\n\",a+b);}\n";

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The JSON data of every "event: NAME" in an event-stream body, in order. */
static json_t *events_named(const char *body, const char *name)
{
    json_t *a = json_array();
    char want[64];
    snprintf(want, sizeof want, "event: %s\n", name);
    for (const char *p = body; (p = strstr(p, want)); p += strlen(want)) {
        const char *d = strstr(p, "data: ");
        cr_assert(d, "event without data in %s", body);
        const char *end = strchr(d, '\n');
        json_t *j = json_loadb(d + 6, (size_t)(end - d - 6), 0, NULL);
        cr_assert(j, "event data is not JSON: %.*s", (int)(end - d), d);
        json_array_append_new(a, j);
    }
    return a;
}

Test(server_pages, pages_and_files_with_their_content_types, .timeout = 120)
{
    struct srv s;
    srv_start(&s, 0, NULL);
    static const struct { const char *path, *ctype, *has; } ok[] = {
        {"/", "text/html; charset=utf-8", "Playground"},
        {"/p", "text/html; charset=utf-8", "Problems"},
        {"/p/sum", "text/html; charset=utf-8", "problem.js"},
        {"/admin", "text/html; charset=utf-8", "Operator view"},
        {"/static/style.css", "text/css; charset=utf-8", "prefers-color-scheme"},
        {"/static/common.js", "text/javascript; charset=utf-8", "/submissions/events/"},
        {"/static/admin.js", "text/javascript; charset=utf-8", "/admin/stats"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct hresp r = http(&s, "GET", ok[i].path, NULL, 0, NULL);
        cr_assert_eq(r.code, 200, "%s: %ld %s", ok[i].path, r.code, r.body);
        cr_assert_str_eq(r.ctype, ok[i].ctype, "%s", ok[i].path);
        cr_assert(strstr(r.body, ok[i].has), "%s lacks %s", ok[i].path, ok[i].has);
        hresp_free(&r);
    }
    /* nothing outside the pages' folder or CodeMirror's, by any spelling */
    static const char *const refused[] = {
        "/static/..%2Fhttp.c", "/static/.hidden.js", "/static/http.c", "/static/a.b.js",
        "/static/nothing.js", "/codemirror/..%2F..%2Fetc%2Fpasswd", "/codemirror/mode-..%2Fx.js",
        "/codemirror/mode-A.js", "/codemirror/lib", "/p/.hidden", "/p/a%2Fb", "/static/%2e%2e",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        struct hresp r = http(&s, "GET", refused[i], NULL, 0, NULL);
        cr_assert_eq(r.code, 404, "%s: %ld %s", refused[i], r.code, r.body);
        hresp_free(&r);
    }
    /* a problem page's data: limits and the sample tests */
    upload_sum(&s, 2, 0);
    struct hresp r = http(&s, "GET", "/samples/sum", NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    cr_assert_str_eq(jstr(r.json, "name"), "Sum of Two");
    cr_assert_eq(json_integer_value(json_object_get(r.json, "tests")), 3);
    cr_assert(json_real_value(json_object_get(r.json, "time_limit")) > 0, "%s", r.body);
    cr_assert(json_integer_value(json_object_get(r.json, "memory_limit_kib")) >= 1024, "%s", r.body);
    cr_assert(json_integer_value(json_object_get(r.json, "output_limit_kib")) >= 1, "%s", r.body);
    json_t *samples = json_object_get(r.json, "samples");
    cr_assert_eq(json_array_size(samples), 1, "%s", r.body);
    cr_assert_str_eq(jstr(json_array_get(samples, 0), "name"), "sample/1");
    cr_assert_str_eq(jstr(json_array_get(samples, 0), "input"), "1 2\n");
    cr_assert_str_eq(jstr(json_array_get(samples, 0), "answer"), "3\n");
    hresp_free(&r);
    r = http(&s, "GET", "/samples/nope", NULL, 0, NULL);
    cr_assert_eq(r.code, 404, "%s", r.body);
    hresp_free(&r);

    if (access("/usr/share/javascript/codemirror/lib/codemirror.js", R_OK) == 0) {
        r = http(&s, "GET", "/codemirror/codemirror.js", NULL, 0, NULL);
        cr_assert_eq(r.code, 200);
        cr_assert_str_eq(r.ctype, "text/javascript; charset=utf-8");
        hresp_free(&r);
        r = http(&s, "GET", "/codemirror/mode-clike.js", NULL, 0, NULL);
        cr_assert_eq(r.code, 200);
        hresp_free(&r);
    }
    cr_assert_eq(srv_stop(&s), 0, "serve exited badly (a sanitizer report?): see %s", s.log);
    srv_cleanup(&s);
}

Test(server_pages, admin_needs_x_auth_user_when_configured, .timeout = 120)
{
    struct srv s;
    srv_start(&s, 0, "\"authz_tokens\": [\"ops-5d1\"]");
    const char *good[] = {"X-Auth-User: ops-5d1", NULL};
    const char *bad[] = {"X-Auth-User: guess", NULL};
    for (int i = 0; i < 2; i++) {
        const char *path = i ? "/admin/stats" : "/admin";
        struct hresp r = http(&s, "GET", path, NULL, 0, NULL);
        cr_assert_eq(r.code, 403, "%s without the header: %ld", path, r.code);
        hresp_free(&r);
        r = http(&s, "GET", path, NULL, 0, bad);
        cr_assert_eq(r.code, 403, "%s with a wrong user: %ld", path, r.code);
        hresp_free(&r);
        r = http(&s, "GET", path, NULL, 0, good);
        cr_assert_eq(r.code, 200, "%s: %ld %s", path, r.code, r.body);
        cr_assert_str_eq(r.ctype, i ? "application/json; charset=utf-8" : "text/html; charset=utf-8");
        hresp_free(&r);
    }
    /* the playground and problems pages stay public */
    struct hresp r = http(&s, "GET", "/", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    hresp_free(&r);
    cr_assert_eq(srv_stop(&s), 0, "serve exited badly (a sanitizer report?): see %s", s.log);
    srv_cleanup(&s);
}

Test(server_pages, event_stream_sends_each_test_then_done, .timeout = 300)
{
    struct srv s;
    srv_start(&s, 1, NULL);
    upload_sum(&s, 3, 0);
    char *token = submit_sum(&s, sum_ok);
    char path[200];
    snprintf(path, sizeof path, "/submissions/events/%s", token);
    /* opened while the job waits or runs: the stream parks, then follows it */
    struct hresp r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%ld %s", r.code, r.body);
    cr_assert_str_eq(r.ctype, "text/event-stream; charset=utf-8");
    json_t *tests = events_named(r.body, "test");
    json_t *done = events_named(r.body, "done");
    cr_assert_eq(json_array_size(tests), 4, "1 sample + 3 secret: %s", r.body);
    cr_assert_eq(json_array_size(done), 1, "%s", r.body);
    cr_assert(strstr(r.body, "id: 1\n") && strstr(r.body, "id: 4\n"), "%s", r.body);
    cr_assert(strstr(r.body, "event: done") > strstr(r.body, "id: 4\n"), "done comes last");
    json_t *d = json_array_get(done, 0);
    cr_assert_str_eq(jstr(d, "verdict"), "AC");
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(d, "status"), "id")), 3);
    for (size_t i = 0; i < 4; i++) {
        json_t *t = json_array_get(tests, i);
        cr_assert_eq(json_integer_value(json_object_get(t, "index")), (json_int_t)i);
        cr_assert_str_eq(jstr(t, "verdict"), "AC");
        /* a sample's output is public like its data; no other test has one */
        bool sample = json_is_true(json_object_get(t, "sample"));
        cr_assert_eq(json_object_get(t, "output") != NULL, sample, "test %zu: %s", i, r.body);
        if (sample) {
            cr_assert_str_eq(jstr(t, "output"), "Mwo=", "base64 of \"3\\n\"");
            cr_assert(json_is_false(json_object_get(t, "output_cut")));
        }
    }
    /* the same tests as GET /submissions/TOKEN shows this reader */
    char show[200];
    snprintf(show, sizeof show, "/submissions/%s?fields=tests&base64_encoded=true", token);
    struct hresp g = http(&s, "GET", show, NULL, 0, NULL);
    json_t *shown = json_object_get(g.json, "tests");
    cr_assert_eq(json_array_size(shown), 4, "%s", g.body);
    for (size_t i = 0; i < 4; i++) {
        json_t *a = json_deep_copy(json_array_get(tests, i));
        json_object_del(a, "index");
        json_object_del(a, "tests_total");
        cr_assert(json_equal(a, json_array_get(shown, i)), "test %zu differs from GET: %s vs %s", i,
                  json_dumps(a, 0), json_dumps(json_array_get(shown, i), 0));
        json_decref(a);
    }
    hresp_free(&g);
    json_decref(tests);
    json_decref(done);
    hresp_free(&r);

    /* a reconnecting page skips what it has */
    snprintf(path, sizeof path, "/submissions/events/%s?after=3", token);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(count(r.body, "event: test\n"), 1, "%s", r.body);
    cr_assert(strstr(r.body, "id: 4\n") && !strstr(r.body, "id: 3\n"), "%s", r.body);
    cr_assert_eq(count(r.body, "event: done\n"), 1);
    hresp_free(&r);
    snprintf(path, sizeof path, "/submissions/events/%s?after=x", token);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 400, "%ld %s", r.code, r.body);
    hresp_free(&r);
    r = http(&s, "GET", "/submissions/events/00000000-0000-0000-0000-000000000000", NULL, 0, NULL);
    cr_assert_eq(r.code, 404, "%ld %s", r.code, r.body);
    hresp_free(&r);

    /* a wrong answer: the failing test is in the stream, and the operator
     * view counts both jobs with their latency */
    free(token);
    token = submit_sum(&s, "#include <stdio.h>\nint main(void){puts(\"3\");}\n");
    snprintf(path, sizeof path, "/submissions/events/%s", token);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert(strstr(r.body, "\"verdict\":\"WA\""), "%s", r.body);
    hresp_free(&r);

    /* a long sample output is kept up to 4 KiB, and says so */
    char *big = submit_sum(&s, "#include <stdio.h>\nint main(void){for(int i=0;i<5000;i++)putchar('x');}\n");
    snprintf(path, sizeof path, "/submissions/events/%s", big);
    r = http(&s, "GET", path, NULL, 0, NULL);
    json_t *bt = events_named(r.body, "test");
    json_t *first = json_array_get(bt, 0);
    cr_assert(json_is_true(json_object_get(first, "sample")), "%s", r.body);
    cr_assert(json_is_true(json_object_get(first, "output_cut")), "%s", r.body);
    cr_assert_eq(strlen(jstr(first, "output")), 4 * ((4096 + 2) / 3), "4096 bytes in base64");
    json_decref(bt);
    hresp_free(&r);
    free(big);

    r = http(&s, "GET", "/admin/stats", NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    json_t *bs = json_object_get(r.json, "by_status");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(bs, 2), "count")), 1, "%s", r.body);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(bs, 3), "count")), 2, "%s", r.body);
    json_t *recent = json_object_get(r.json, "recent");
    cr_assert_eq(json_array_size(recent), 3);
    cr_assert_str_eq(jstr(json_array_get(recent, 1), "token"), token);
    cr_assert(json_is_real(json_object_get(json_array_get(recent, 1), "latency")), "%s", r.body);
    double jobs = 0;
    json_t *series = json_object_get(r.json, "series"), *b;
    size_t i;
    json_array_foreach(series, i, b) jobs += json_real_value(json_object_get(b, "jobs_per_s"));
    cr_assert_float_eq(jobs * 10, 3.0, 1e-9, "%s", r.body);
    cr_assert(json_array_size(json_object_get(r.json, "workers")) >= 1, "%s", r.body);
    /* each worker process with its heartbeat (seconds since it last beat) */
    json_t *hb = json_object_get(json_array_get(json_object_get(r.json, "workers"), 0), "heartbeat_age_s");
    cr_assert(json_is_real(hb) && json_real_value(hb) >= 0 && json_real_value(hb) < 60, "%s", r.body);
    hresp_free(&r);
    free(token);
    cr_assert_eq(srv_stop(&s), 0, "serve exited badly (a sanitizer report?): see %s", s.log);
    srv_cleanup(&s);
}

/* A stream read over a raw socket, so the test knows when it is open
 * (its first bytes arrived) before it stops the service. */
struct bg_get {
    struct srv *s;
    char path[200];
    char buf[8192];
    size_t len;
    volatile bool opened;
};

static void *bg_get_main(void *arg)
{
    struct bg_get *g = arg;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)g->s->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        return NULL;
    char req[400];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", g->path);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return NULL;
    }
    for (;;) {
        ssize_t r = read(fd, g->buf + g->len, sizeof g->buf - 1 - g->len);
        if (r <= 0)
            break;
        g->len += (size_t)r;
        g->buf[g->len] = 0;
        if (strstr(g->buf, "nsjudge submission events"))
            g->opened = true;
        if (g->len == sizeof g->buf - 1)
            break;
    }
    close(fd);
    return NULL;
}

Test(server_pages, parked_stream_ends_when_service_stops, .timeout = 120)
{
    struct srv s;
    srv_start(&s, 0, "\"http_threads\": 1");
    upload_sum(&s, 1, 0);
    char *token = submit_sum(&s, sum_ok);
    struct bg_get g = {.s = &s};
    snprintf(g.path, sizeof g.path, "/submissions/events/%s", token);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, bg_get_main, &g), 0);
    for (int i = 0; i < 600 && !g.opened; i++)   /* a loaded host: up to 60 s */
        usleep(100 * 1000);
    cr_assert(g.opened, "the stream did not open: %s", g.buf);
    /* other requests are served while it is parked */
    for (int i = 0; i < 20; i++) {
        struct hresp h = http(&s, "GET", "/languages", NULL, 0, NULL);
        cr_assert_eq(h.code, 200, "%ld %s", h.code, h.body);
        hresp_free(&h);
    }
    cr_assert_eq(srv_stop(&s), 0, "serve exited badly with a parked stream");
    pthread_join(th, NULL);
    cr_assert(!strncmp(g.buf, "HTTP/1.1 200", 12), "%s", g.buf);
    cr_assert(!strstr(g.buf, "event: done"), "%s", g.buf);
    free(token);
    srv_cleanup(&s);
}
