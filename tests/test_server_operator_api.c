/* test_server_operator_api.c - the operator's first day, service side
 * (issue 15): GET /problems/ID describes the package, POST of a taken id
 * is 409 and PUT replaces, GET /languages lists each toolchain once, and
 * request log lines say who asked what and why it failed. Real
 * build/nsjudge serve, real HTTP on 127.0.0.1. */
#include <criterion/criterion.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/test_judge_archive_util.h"
#include "tests/test_server.h"

static const char *const TGZ[] = {"Content-Type: application/gzip", NULL};

static void register_dir(struct srv *s, const char *root, const char *name)
{
    char body[1200];
    snprintf(body, sizeof body, "{\"id\": \"%s\", \"path\": \"%s/%s\"}", name, root, name);
    struct hresp r = http(s, "POST", "/problems", body, strlen(body), NULL);
    cr_assert_eq(r.code, 201, "register %s: %ld %s", name, r.code, r.body);
    hresp_free(&r);
}

static json_t *get_problem(struct srv *s, const char *id)
{
    char url[200];
    snprintf(url, sizeof url, "/problems/%s", id);
    struct hresp r = http(s, "GET", url, NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "GET %s: %ld %s", url, r.code, r.body);
    json_t *j = json_incref(r.json);
    hresp_free(&r);
    return j;
}

static json_int_t jint(json_t *o, const char *path1, const char *key)
{
    json_t *v = path1 ? json_object_get(o, path1) : o;
    return json_integer_value(json_object_get(v, key));
}

/* "scoring", "pass-fail", ... as one space-separated string */
static void type_words(json_t *p, char *out, size_t len)
{
    out[0] = 0;
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(p, "type"), i, w)
        snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "", json_string_value(w));
}

static json_t *group_named(json_t *p, const char *name)
{
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(p, "groups"), i, g)
        if (!strcmp(jstr(g, "name"), name))
            return g;
    return NULL;
}

/* Before: GET /problems/ID gave id, name, origin, path, a test count and
 * created_at: no limits, no type, no groups, no sample/secret split. */
Test(server_operator_api, problem_show_has_limits_type_groups_and_counts, .timeout = 120)
{
    char *root = repo_path("testdata/problems");
    char extra[600];
    snprintf(extra, sizeof extra, "\"problem_dirs\": [\"%s\"]", root);
    struct srv s;
    srv_start(&s, 0, extra);
    const char *names[] = {"triangle", "sum", "guess", "doubling", "hello"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        register_dir(&s, root, names[i]);
    char words[128];

    /* scoring, two secret subgroups, time limit from problem.yaml */
    json_t *p = get_problem(&s, "triangle");
    char *dump = json_dumps(p, JSON_COMPACT);
    type_words(p, words, sizeof words);
    cr_expect_str_eq(words, "scoring", "%s", dump);
    json_t *lim = json_object_get(p, "limits");
    cr_expect(json_is_number(json_object_get(lim, "time_s")) &&
              json_number_value(json_object_get(lim, "time_s")) == 1.0, "%s", dump);
    cr_expect(json_is_false(json_object_get(lim, "time_is_default")), "%s", dump);
    cr_expect_eq(jint(p, "limits", "memory_kib"), 256 * 1024, "%s", dump);
    cr_expect_eq(jint(p, "test_counts", "total"), 5, "%s", dump);
    cr_expect_eq(jint(p, "test_counts", "sample"), 1, "%s", dump);
    cr_expect_eq(jint(p, "test_counts", "secret"), 4, "%s", dump);
    cr_expect_eq(jint(p, NULL, "tests"), 5, "%s", dump);
    cr_expect_eq(json_array_size(json_object_get(p, "groups")), 4, "%s", dump);
    const struct { const char *name; int tests; bool sample; } want[] = {
        {"sample", 1, true}, {"secret", 4, false}, {"secret/group1", 2, false}, {"secret/group2", 2, false}};
    for (size_t i = 0; i < 4; i++) {
        json_t *g = group_named(p, want[i].name);
        cr_expect(g, "no group %s: %s", want[i].name, dump);
        cr_expect_eq(jint(g, NULL, "tests"), want[i].tests, "%s: %s", want[i].name, dump);
        cr_expect_eq(json_is_true(json_object_get(g, "sample")), want[i].sample, "%s", want[i].name);
    }
    free(dump);
    json_decref(p);

    /* pass-fail, limits.memory and limits.output in MiB, no time limit given */
    p = get_problem(&s, "sum");
    dump = json_dumps(p, JSON_COMPACT);
    type_words(p, words, sizeof words);
    cr_expect_str_eq(words, "pass-fail", "%s", dump);
    cr_expect_eq(jint(p, "limits", "memory_kib"), 64 * 1024, "%s", dump);
    cr_expect_eq(jint(p, "limits", "output_kib"), 1024, "%s", dump);
    cr_expect(json_is_true(json_object_get(json_object_get(p, "limits"), "time_is_default")), "%s", dump);
    cr_expect_eq(jint(p, "test_counts", "sample"), 1, "%s", dump);
    cr_expect_eq(jint(p, "test_counts", "secret"), 2, "%s", dump);
    free(dump);
    json_decref(p);

    p = get_problem(&s, "guess");
    type_words(p, words, sizeof words);
    cr_expect_str_eq(words, "pass-fail interactive");
    cr_expect_eq(jint(p, "test_counts", "secret"), 2);
    json_decref(p);
    p = get_problem(&s, "doubling");
    type_words(p, words, sizeof words);
    cr_expect(strstr(words, "multi-pass"), "doubling: type %s", words);
    json_decref(p);

    /* a plain directory of .in/.ans pairs: no groups, every test secret */
    p = get_problem(&s, "hello");
    dump = json_dumps(p, JSON_COMPACT);
    cr_expect_eq(jint(p, "test_counts", "total"), 2, "%s", dump);
    cr_expect_eq(jint(p, "test_counts", "sample"), 0, "%s", dump);
    cr_expect_eq(json_array_size(json_object_get(p, "groups")), 0, "%s", dump);
    free(dump);
    json_decref(p);

    struct hresp r = http(&s, "GET", "/problems/no-such-problem", NULL, 0, NULL);
    cr_expect_eq(r.code, 404);
    cr_expect(strstr(r.ctype, "json"), "%s", r.ctype);
    cr_expect_str_eq(jstr(r.json, "error"), "problem not found", "%s", r.body);
    hresp_free(&r);
    srv_cleanup(&s);
    free(root);
}

static long send_pkg(struct srv *s, const char *method, const char *url, const char *buf,
                     size_t len, json_t **json)
{
    struct hresp r = http(s, method, url, buf, len, TGZ);
    long code = r.code;
    if (json)
        *json = r.json ? json_incref(r.json) : NULL;
    hresp_free(&r);
    return code;
}

/* Before: a second POST of the same id silently replaced the package
 * (201), so two setters choosing the same id overwrote each other. */
Test(server_operator_api, post_of_a_taken_id_is_409_put_replaces, .timeout = 120)
{
    char *root = repo_path("testdata/problems");
    char extra[600];
    snprintf(extra, sizeof extra, "\"problem_dirs\": [\"%s\"]", root);
    struct srv s;
    srv_start(&s, 0, extra);
    size_t len2, len5;
    char *two = sum_package_tgz("sum/", 2, 0, &len2), *five = sum_package_tgz("sum/", 5, 0, &len5);
    json_t *j = NULL;
    cr_assert_eq(send_pkg(&s, "POST", "/problems?id=sum", two, len2, &j), 201);
    json_decref(j);

    /* every way of POSTing that id again: 409 with a message, nothing changed */
    cr_expect_eq(send_pkg(&s, "POST", "/problems?id=sum", five, len5, &j), 409);
    cr_expect(jstr(j, "error") && strstr(jstr(j, "error"), "already exists") &&
              strstr(jstr(j, "error"), "PUT /problems/sum"), "409 body: %s", json_dumps(j, 0));
    json_decref(j);
    cr_expect_eq(send_pkg(&s, "POST", "/problems/sum", five, len5, NULL), 409);
    char body[800];
    snprintf(body, sizeof body, "{\"id\": \"sum\", \"path\": \"%s/sum\"}", root);
    struct hresp r = http(&s, "POST", "/problems", body, strlen(body), NULL);
    cr_expect_eq(r.code, 409, "dir registration over an upload: %ld %s", r.code, r.body);
    hresp_free(&r);
    json_t *p = get_problem(&s, "sum");
    cr_expect_eq(jint(p, NULL, "tests"), 3, "a refused POST changed the problem");
    cr_expect_str_eq(jstr(p, "origin"), "upload");
    json_decref(p);

    /* PUT replaces (200) */
    cr_expect_eq(send_pkg(&s, "PUT", "/problems/sum", five, len5, &j), 200);
    cr_expect_eq(jint(j, NULL, "tests"), 6, "%s", json_dumps(j, 0));
    json_decref(j);
    p = get_problem(&s, "sum");
    cr_expect_eq(jint(p, "test_counts", "secret"), 5);
    json_decref(p);

    /* a hostile archive is refused on the PUT path as well, and the
     * registered package stays */
    struct abuild b;
    ab_open(&b, AB_TGZ, 1 << 20);
    ab_file(&b, "problem.yaml", "name: x\n", 8, 0644);
    ab_special(&b, "data/sample/1.ans", AE_IFLNK, "/etc/shadow");
    size_t blen = ab_close(&b);
    cr_expect_eq(send_pkg(&s, "PUT", "/problems/sum", b.buf, blen, &j), 422);
    cr_expect(jstr(j, "error") && strstr(jstr(j, "error"), "symbolic link"), "%s", json_dumps(j, 0));
    json_decref(j);
    free(b.buf);
    p = get_problem(&s, "sum");
    cr_expect_eq(jint(p, NULL, "tests"), 6, "a refused PUT changed the problem");
    json_decref(p);

    /* PUT of a new id creates it (201); then POST of it is 409 too */
    cr_expect_eq(send_pkg(&s, "PUT", "/problems/fresh", two, len2, NULL), 201);
    cr_expect_eq(send_pkg(&s, "POST", "/problems?id=fresh", two, len2, NULL), 409);
    /* after DELETE the id is free again */
    r = http(&s, "DELETE", "/problems/fresh", NULL, 0, NULL);
    cr_expect_eq(r.code, 200);
    hresp_free(&r);
    cr_expect_eq(send_pkg(&s, "POST", "/problems?id=fresh", two, len2, NULL), 201);
    free(two);
    free(five);
    srv_cleanup(&s);
    free(root);
}

static json_t *language_with_id(json_t *list, int id)
{
    size_t i;
    json_t *l;
    json_array_foreach(list, i, l)
        if (json_integer_value(json_object_get(l, "id")) == id)
            return l;
    return NULL;
}

/* Before: GET /languages listed "C (GCC 12, gnu11)" seven times (50, 48,
 * 49, 75, 103, 104, 110), C++ five times, Python 3 five times. */
Test(server_operator_api, languages_lists_each_toolchain_once, .timeout = 180)
{
    struct srv s;
    srv_start(&s, 1, NULL);
    struct hresp r = http(&s, "GET", "/languages", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    size_t i, k;
    json_t *a, *b;
    json_array_foreach(r.json, i, a)
        json_array_foreach(r.json, k, b)
            cr_expect(k == i || strcmp(jstr(a, "name"), jstr(b, "name")),
                      "%s listed twice (ids %lld and %lld)", jstr(a, "name"),
                      (long long)json_integer_value(json_object_get(a, "id")),
                      (long long)json_integer_value(json_object_get(b, "id")));
    /* the ids Judge0 CE 1.13.1 clients and its official SDK use are listed */
    const int listed[] = {50, 54, 71, 62, 63, 46, 43, 75, 76};
    for (i = 0; i < sizeof listed / sizeof *listed; i++)
        cr_expect(language_with_id(r.json, listed[i]), "id %d not listed: %s", listed[i], r.body);
    const int archived[] = {48, 49, 52, 53, 92};
    for (i = 0; i < sizeof archived / sizeof *archived; i++)
        cr_expect(!language_with_id(r.json, archived[i]), "archived id %d listed", archived[i]);
    hresp_free(&r);

    /* /languages/all and the lookup by id still know them */
    r = http(&s, "GET", "/languages/all", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    json_t *c48 = language_with_id(r.json, 48), *c50 = language_with_id(r.json, 50);
    cr_expect(c48 && json_is_true(json_object_get(c48, "is_archived")), "48 in /languages/all: %s", r.body);
    cr_expect(c50 && json_is_false(json_object_get(c50, "is_archived")), "50 in /languages/all: %s", r.body);
    hresp_free(&r);
    r = http(&s, "GET", "/languages/48", NULL, 0, NULL);
    cr_expect_eq(r.code, 200);
    cr_expect(json_is_true(json_object_get(r.json, "is_archived")), "%s", r.body);
    cr_expect_str_eq(jstr(r.json, "name"), "C (GCC 12, gnu11)");
    cr_expect(jstr(r.json, "compile_cmd"), "%s", r.body);
    hresp_free(&r);

    /* and a submission in an archived id is judged (by the same toolchain) */
    json_t *sub = json_pack("{s:i, s:s}", "language_id", 48, "source_code",
                            "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}");
    char *tok = submit(&s, sub);
    json_t *done = wait_done(&s, tok, 120);
    cr_expect_eq(status_id(done), 3, "language 48: %s", json_dumps(done, 0));
    cr_expect_eq(json_integer_value(json_object_get(done, "language_id")), 48);
    json_decref(done);
    free(tok);
    srv_cleanup(&s);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "re");
    cr_assert(f, "%s", path);
    char *buf = calloc(1, 1 << 20);
    cr_assert(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* The request line of log whose path (as sent) is path, or NULL. */
static char *request_line(const char *log, const char *quoted_path)
{
    char want[600];
    snprintf(want, sizeof want, " path=%s ", quoted_path);
    for (const char *l = log; l && *l;) {
        const char *end = strchr(l, '\n');
        size_t n = end ? (size_t)(end - l) : strlen(l);
        char *line = strndup(l, n);
        if (strstr(line, "event=request") && strstr(line, want))
            return line;
        free(line);
        l = end ? end + 1 : NULL;
    }
    return NULL;
}

/* Before: `event=request method=GET path="/problems/nope" status=404 ...`:
 * no client address, the query string dropped, and nothing said why. */
Test(server_operator_api, request_log_has_addr_query_and_reason, .timeout = 120)
{
    struct srv s;
    srv_start(&s, 0, NULL);
    struct hresp r = http(&s, "GET", "/problems/nope?fields=name&x=%20y", NULL, 0, NULL);
    cr_assert_eq(r.code, 404);
    hresp_free(&r);
    r = http(&s, "POST", "/submissions?base64_encoded=true&wait=false", "{\"language_id\": 5", 17, NULL);
    cr_assert_eq(r.code, 400);
    hresp_free(&r);
    r = http(&s, "POST", "/submissions", "{\"source_code\": \"x\"}", 20, NULL);
    cr_assert_eq(r.code, 422);
    hresp_free(&r);
    r = http(&s, "GET", "/statuses?page=2", NULL, 0, NULL);
    cr_assert_eq(r.code, 200);
    hresp_free(&r);
    srv_stop(&s);
    char *log = slurp(s.log);

    char *l = request_line(log, "\"/problems/nope?fields=name&x=%20y\"");
    cr_assert(l, "no request line with the query string in:\n%s", log);
    cr_expect(strstr(l, " addr=127.0.0.1:"), "no client address: %s", l);
    cr_expect(strstr(l, " method=GET "), "%s", l);
    cr_expect(strstr(l, " status=404 "), "%s", l);
    cr_expect(strstr(l, " reason=\"problem not found\""), "no reason: %s", l);
    free(l);

    l = request_line(log, "\"/submissions?base64_encoded=true&wait=false\"");
    cr_assert(l, "no line for the malformed POST in:\n%s", log);
    cr_expect(strstr(l, " addr=127.0.0.1:") && strstr(l, " status=400 "), "%s", l);
    cr_expect(strstr(l, " reason=\"malformed JSON at line 1"), "no reason: %s", l);
    free(l);

    /* a validation error: the field and its message (quotes escaped) */
    l = request_line(log, "\"/submissions\"");
    cr_assert(l, "no line for the 422 in:\n%s", log);
    cr_expect(strstr(l, " status=422 ") && strstr(l, "reason=\"") && strstr(l, "language_id"), "%s", l);
    free(l);

    /* a success has no reason */
    l = request_line(log, "\"/statuses?page=2\"");
    cr_assert(l, "no line for /statuses in:\n%s", log);
    cr_expect(strstr(l, " status=200 ") && !strstr(l, "reason="), "%s", l);
    free(l);
    free(log);
    srv_cleanup(&s);
}

/* A misspelt key in an uploaded problem.yaml is named in the upload's
 * answer and in GET /problems/ID, with the file and line inside the
 * package (never the server's path). */
Test(server_operator_api, package_warnings_are_shown, .timeout = 120)
{
    struct srv s;
    srv_start(&s, 0, NULL);
    char cmd[2400];
    snprintf(cmd, sizeof cmd,
             "set -e; d='%s/pkg'; mkdir -p \"$d/warned/data/secret\"; "
             "printf 'name: Warned\\ntme_limit: 2\\n' > \"$d/warned/problem.yaml\"; "
             "echo 1 > \"$d/warned/data/secret/1.in\"; echo 1 > \"$d/warned/data/secret/1.ans\"; "
             "tar -C \"$d\" -czf '%s/warned.tgz' warned",
             s.dir, s.dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/warned.tgz", s.dir);
    char *tgz = slurp(cmd);
    struct stat st;
    cr_assert_eq(stat(cmd, &st), 0);
    struct hresp r = http(&s, "POST", "/problems?id=warned", tgz, (size_t)st.st_size, TGZ);
    free(tgz);
    cr_assert_eq(r.code, 201, "%s", r.body);
    cr_assert(strstr(r.body, "problem.yaml:2") && strstr(r.body, "tme_limit"), "%s", r.body);
    char *w = json_dumps(json_object_get(r.json, "warnings"), JSON_COMPACT);
    cr_assert(w);
    cr_assert_null(strstr(w, s.dir), "a warning shows the server's path: %s", w);
    free(w);
    hresp_free(&r);
    json_t *p = get_problem(&s, "warned");
    char *dump = json_dumps(json_object_get(p, "warnings"), JSON_COMPACT);
    cr_assert(dump && strstr(dump, "tme_limit"), "%s", dump);
    free(dump);
    json_decref(p);
    srv_cleanup(&s);
}
