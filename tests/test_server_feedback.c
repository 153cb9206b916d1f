/* test_server_feedback.c - what a submitter sees of a problem's secret
 * tests. The attack: a submission that prints its own input gets the secret
 * inputs and answers back through the checker's message ("expected X, got
 * Y"), an output validator's judgemessage, a broken validator's compiler
 * error, or its own stdout/stderr, and so harvests the test data. Every way
 * of reading a result (POST wait=true, GET, list, batch, delete, callbacks;
 * plain and base64) is scanned for tokens planted in data/secret. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "server/service/codec.h"
#include "tests/test_server.h"

#define SECRET "SECRETTOKEN_"   /* every secret .in/.ans and the broken validator carry it */
#define SAMPLE "SAMPLETOKEN_"
#define JURY "X-Auth-User: jury-7c41"

/* Echoes its whole input to stdout and stderr, then a wrong line: WA on
 * every test, with the checker quoting the answer and the echoed input. */
static const char ECHO_SRC[] =
    "#include <stdio.h>\n"
    "int main(void){static char b[65536];size_t n=fread(b,1,sizeof b,stdin);"
    "fwrite(b,1,n,stdout);fwrite(b,1,n,stderr);puts(\"WRONG\");fputs(\"WRONG\\n\",stderr);return 0;}\n";

/* A Kattis output validator that quotes input, answer and team output in
 * judgemessage.txt and teammessage.txt, and rejects. */
static const char VALIDATOR_SRC[] =
    "#include <stdio.h>\n#include <string.h>\n"
    "static void slurp(FILE *f, char *b, size_t n){size_t k=f?fread(b,1,n-1,f):0;b[k]=0;"
    "for(char *p=b;*p;p++) if(*p=='\\n') *p=' ';}\n"
    "int main(int argc, char **argv){char in[4096],ans[4096],team[4096],p[4200];"
    "if(argc<4) return 1;FILE *f=fopen(argv[1],\"r\");slurp(f,in,sizeof in);if(f)fclose(f);"
    "f=fopen(argv[2],\"r\");slurp(f,ans,sizeof ans);if(f)fclose(f);slurp(stdin,team,sizeof team);"
    "snprintf(p,sizeof p,\"%s/judgemessage.txt\",argv[3]);f=fopen(p,\"w\");"
    "if(f){fprintf(f,\"judge: input=%s answer=%s team=%s\\n\",in,ans,team);fclose(f);}"
    "snprintf(p,sizeof p,\"%s/teammessage.txt\",argv[3]);f=fopen(p,\"w\");"
    "if(f){fprintf(f,\"team: answer=%s\\n\",ans);fclose(f);}return 43;}\n";

enum pkind { PK_DEFAULT, PK_VALIDATOR, PK_BROKEN_VALIDATOR };

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

/* root/id: one sample and two secret tests carrying distinctive tokens. */
static void make_problem(const char *root, const char *id, enum pkind kind, const char *yaml_extra)
{
    char dir[700], cmd[1600];
    snprintf(dir, sizeof dir, "%s/%s", root, id);
    cr_assert_lt(snprintf(cmd, sizeof cmd, "mkdir -p '%s/data/sample' '%s/data/secret'%s%s%s", dir, dir,
             kind == PK_DEFAULT ? "" : " '", kind == PK_DEFAULT ? "" : dir,
             kind == PK_DEFAULT ? "" : "/output_validators/v'"), (int)sizeof cmd, "%s is cut", "cmd");
    cr_assert_eq(system(cmd), 0);
    char yaml[600];
    snprintf(yaml, sizeof yaml, "name: Leak %s\n%s%s", id,
             kind == PK_DEFAULT ? "" : "validation: custom\n", yaml_extra ? yaml_extra : "");
    write_file(dir, "problem.yaml", yaml);
    write_file(dir, "data/sample/1.in", "SAMPLETOKEN_IN_4b2d\n");
    write_file(dir, "data/sample/1.ans", "SAMPLETOKEN_ANS_5e6f\n");
    write_file(dir, "data/secret/1.in", "SECRETTOKEN_IN_7f3a\n");
    write_file(dir, "data/secret/1.ans", "SECRETTOKEN_ANS_9c1e\n");
    write_file(dir, "data/secret/2.in", "2000000000 SECRETTOKEN_IN_2b8d\n");
    write_file(dir, "data/secret/2.ans", "SECRETTOKEN_ANS_6a0f\n");
    if (kind == PK_VALIDATOR)
        write_file(dir, "output_validators/v/validate.c", VALIDATOR_SRC);
    else if (kind == PK_BROKEN_VALIDATOR)
        write_file(dir, "output_validators/v/validate.c",
                   "#error SECRETTOKEN_CC_3a4b\nint main(void){return 42;}\n");
}

/* ---- scanning -------------------------------------------------------------------- */

/* Occurrences of needle in every key and string of j, also inside strings
 * that decode as base64. The first hit is described in hit (hit[0] = 0 first). */
static int count_in(json_t *j, const char *needle, char *hit, size_t hitlen)
{
    int n = 0;
    const char *k;
    size_t i;
    json_t *v;
    if (json_is_object(j)) {
        json_object_foreach(j, k, v) {
            if (strstr(k, needle)) {
                n++;
                if (!hit[0])
                    snprintf(hit, hitlen, "key %s", k);
            }
            n += count_in(v, needle, hit, hitlen);
        }
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v)
            n += count_in(v, needle, hit, hitlen);
    } else if (json_is_string(j)) {
        const char *s = json_string_value(j);
        size_t len = json_string_length(j);
        char *dec = NULL;
        size_t dlen = 0;
        bool found = memmem(s, len, needle, strlen(needle)) != NULL;
        if (!found && b64_decode(s, len, &dec, &dlen) == 0)
            found = memmem(dec, dlen, needle, strlen(needle)) != NULL;
        free(dec);
        if (found) {
            n++;
            if (!hit[0])
                snprintf(hit, hitlen, "'%.300s'", s);
        }
    }
    return n;
}

/* needle anywhere in the response: the raw body or any (decoded) string */
static int count_resp(const struct hresp *r, const char *needle, char *hit, size_t hitlen)
{
    hit[0] = 0;
    int n = r->json ? count_in(r->json, needle, hit, hitlen) : 0;
    if (!n && r->body && strstr(r->body, needle)) {
        n = 1;
        snprintf(hit, hitlen, "raw body");
    }
    return n;
}

struct expect {
    bool secret;     /* secret tokens must appear (full) or must not (samples, verdict) */
    bool sample;     /* sample tokens must appear (the view shows tests) */
};

static void check_resp(const char *label, const struct hresp *r, long code, struct expect e)
{
    char hit[512];
    cr_assert_eq(r->code, code, "%s: HTTP %ld %s", label, r->code, r->body ? r->body : "");
    int n = count_resp(r, SECRET, hit, sizeof hit);
    if (e.secret)
        cr_assert(n > 0, "%s: secret test data should be shown here: %s", label, r->body);
    else
        cr_assert_eq(n, 0, "%s: secret test data leaked (%s): %s", label, hit, r->body);
    if (e.sample)
        cr_assert(count_resp(r, SAMPLE, hit, sizeof hit) > 0, "%s: the sample test should be shown in full: %s",
                  label, r->body);
}

/* Submits src to problem via POST wait=true (plain, then base64), checks
 * both answers, and returns the two tokens. */
static void post_both(struct srv *s, const char *problem, const char *src, const char *q,
                      const char *const *hdr, const char *callback, struct expect e, char *tok[2])
{
    for (int b64 = 0; b64 < 2; b64++) {
        json_t *b = json_pack("{s:i, s:s, s:s}", "language_id", 50, "problem_id", problem,
                              "source_code", src);
        if (b64) {
            char *enc = b64_encode(src, strlen(src));
            json_object_set_new(b, "source_code", json_string(enc));
            free(enc);
        }
        if (callback)
            json_object_set_new(b, "callback_url", json_string(callback));
        char path[300], label[300];
        snprintf(path, sizeof path, "/submissions?wait=true&fields=*%s%s",
                 b64 ? "&base64_encoded=true" : "", q);
        cr_assert_lt(snprintf(label, sizeof label, "%s: POST %s", problem, path), (int)sizeof label, "%s is cut", "label");
        char *body = json_dumps(b, JSON_COMPACT);
        json_decref(b);
        struct hresp r = http(s, "POST", path, body, strlen(body), hdr);
        free(body);
        check_resp(label, &r, 201, e);
        cr_assert(status_id(r.json) >= 3, "%s: not finished: %s", label, r.body);
        tok[b64] = strdup(jstr(r.json, "token"));
        hresp_free(&r);
    }
}

/* Every GET way of reading the two results. */
static void get_all(struct srv *s, const char *problem, char *tok[2], const char *q,
                    const char *const *hdr, struct expect e)
{
    char path[600], label[700];
    static const char *const views[] = {
        "fields=*", "fields=*&base64_encoded=true", "", "base64_encoded=true",
        "fields=tests,message,stdout,stderr,compile_output,verdict",
        "fields=tests,message,stdout,stderr,compile_output,verdict&base64_encoded=true",
    };
    for (int t = 0; t < 2; t++)
        for (size_t v = 0; v < sizeof views / sizeof *views; v++) {
            snprintf(path, sizeof path, "/submissions/%s?%s%s", tok[t], views[v], q);
            snprintf(label, sizeof label, "%s: GET %s", problem, path);
            struct hresp r = http(s, "GET", path, NULL, 0, hdr);
            check_resp(label, &r, 200, e);
            hresp_free(&r);
        }
    for (int b64 = 0; b64 < 2; b64++) {
        snprintf(path, sizeof path, "/submissions/batch?tokens=%s,%s&fields=*%s%s", tok[0], tok[1],
                 b64 ? "&base64_encoded=true" : "", q);
        snprintf(label, sizeof label, "%s: GET %s", problem, path);
        struct hresp r = http(s, "GET", path, NULL, 0, hdr);
        check_resp(label, &r, 200, e);
        cr_assert_eq(json_array_size(json_object_get(r.json, "submissions")), 2, "%s", r.body);
        hresp_free(&r);
        snprintf(path, sizeof path, "/submissions?per_page=100&fields=*%s%s",
                 b64 ? "&base64_encoded=true" : "", q);
        snprintf(label, sizeof label, "%s: GET %s", problem, path);
        r = http(s, "GET", path, NULL, 0, hdr);
        cr_assert_eq(r.code, 200, "%s: %ld %s", label, r.code, r.body);
        /* the list holds other submissions too (other problems, other
         * levels): look at ours only */
        struct hresp mine = {.code = 200, .json = json_array()};
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(r.json, "submissions"), i, it) {
            const char *t = jstr(it, "token");
            if (t && (!strcmp(t, tok[0]) || !strcmp(t, tok[1])))
                json_array_append(mine.json, it);
        }
        cr_assert_eq(json_array_size(mine.json), 2, "%s: both submissions listed: %s", label, r.body);
        check_resp(label, &mine, 200, e);
        json_decref(mine.json);
        hresp_free(&r);
    }
}

static void register_dir(struct srv *s, const char *root, const char *id, const char *const *hdr)
{
    char body[1200];
    snprintf(body, sizeof body, "{\"id\": \"%s\", \"path\": \"%s/%s\"}", id, root, id);
    struct hresp r = http(s, "POST", "/problems", body, strlen(body), hdr);
    cr_assert_eq(r.code, 201, "register %s: %ld %s", id, r.code, r.body);
    hresp_free(&r);
}

static void start_with_problems(struct srv *s, char root[64], const char *cfg_extra)
{
    snprintf(root, 64, "/tmp/nsjudge-test-feedback-XXXXXX");
    cr_assert(mkdtemp(root));
    char extra[1200];
    /* the callbacks go to this test's listener on 127.0.0.1 */
    snprintf(extra, sizeof extra, "\"problem_dirs\": [\"%s\"], \"callback_allow\": [\"127.0.0.0/8\"]%s%s",
             root, cfg_extra ? ", " : "",
             cfg_extra ? cfg_extra : "");
    make_problem(root, "leak", PK_DEFAULT, NULL);
    make_problem(root, "leakv", PK_VALIDATOR, NULL);
    make_problem(root, "leakcc", PK_BROKEN_VALIDATOR, NULL);
    srv_start(s, 1, extra);
}

static void cleanup(struct srv *s, const char *root)
{
    srv_cleanup(s);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    (void)!system(cmd);
}

static json_t *find_test(json_t *sub, const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(sub, "tests"), i, t)
        if (jstr(t, "name") && !strcmp(jstr(t, "name"), name))
            return t;
    return NULL;
}

/* ---- the default (samples): nothing of a secret test reaches the submitter ------ */

Test(server_feedback, samples_default_hides_secret_data_everywhere, .timeout = 400)
{
    struct srv s;
    char root[64];
    start_with_problems(&s, root, NULL);
    register_dir(&s, root, "leak", NULL);
    register_dir(&s, root, "leakv", NULL);
    register_dir(&s, root, "leakcc", NULL);
    struct listener l;
    listener_start(&l, 0);
    char cb[128];
    snprintf(cb, sizeof cb, "http://127.0.0.1:%d/cb", l.port);

    const struct { const char *id; bool sample_shown; } probs[] = {
        {"leak", true}, {"leakv", true}, {"leakcc", false},
    };
    char *toks[3][2];
    for (int p = 0; p < 3; p++) {
        struct expect e = {.secret = false, .sample = probs[p].sample_shown};
        post_both(&s, probs[p].id, ECHO_SRC, "", NULL, cb, e, toks[p]);
        get_all(&s, probs[p].id, toks[p], "", NULL, e);
    }

    /* the shape: secret tests keep verdict, status, time, memory, score;
     * sample tests keep everything */
    char path[300];
    snprintf(path, sizeof path, "/submissions/%s?fields=*", toks[0][0]);
    struct hresp r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_str_eq(jstr(r.json, "verdict"), "WA", "%s", r.body);
    cr_assert_eq(json_array_size(json_object_get(r.json, "tests")), 3, "%s", r.body);
    json_t *sec = find_test(r.json, "secret/1"), *smp = find_test(r.json, "sample/1");
    cr_assert(sec && smp, "%s", r.body);
    cr_assert_str_eq(jstr(sec, "verdict"), "WA");
    cr_assert(jstr(sec, "time") && json_is_integer(json_object_get(sec, "memory")), "%s", r.body);
    cr_assert(json_is_number(json_object_get(sec, "score")), "%s", r.body);
    cr_assert_eq(json_object_get(json_object_get(sec, "status"), "id") ?
                 json_integer_value(json_object_get(json_object_get(sec, "status"), "id")) : 0, 4);
    cr_assert(json_is_null(json_object_get(sec, "message")), "%s", r.body);
    cr_assert(json_is_null(json_object_get(sec, "exit_code")), "%s", r.body);
    cr_assert(json_is_false(json_object_get(sec, "sample")), "%s", r.body);
    cr_assert(json_is_true(json_object_get(smp, "sample")), "%s", r.body);
    cr_assert(strstr(jstr(smp, "message"), "SAMPLETOKEN_ANS_5e6f"), "%s", r.body);
    cr_assert(json_is_integer(json_object_get(smp, "exit_code")), "%s", r.body);
    /* the top-level message names the failing test, not its data */
    cr_assert(jstr(r.json, "message") && strstr(jstr(r.json, "message"), "sample/1"), "%s", r.body);
    char plain_msg[600];
    snprintf(plain_msg, sizeof plain_msg, "%s", jstr(smp, "message"));
    hresp_free(&r);

    /* base64: tests[].message is encoded like every other text field */
    snprintf(path, sizeof path, "/submissions/%s?fields=tests&base64_encoded=true", toks[0][0]);
    r = http(&s, "GET", path, NULL, 0, NULL);
    smp = find_test(r.json, "sample/1");
    cr_assert(smp && jstr(smp, "message"), "%s", r.body);
    char *dec = NULL;
    size_t dlen;
    cr_assert_eq(b64_decode(jstr(smp, "message"), strlen(jstr(smp, "message")), &dec, &dlen), 0,
                 "tests[].message is base64 with base64_encoded=true: %s", r.body);
    cr_assert_str_eq(dec, plain_msg);
    free(dec);
    hresp_free(&r);

    /* the broken validator: a judging error whose compiler output is not shown */
    snprintf(path, sizeof path, "/submissions/%s?fields=*,verdict", toks[2][0]);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_str_eq(jstr(r.json, "verdict"), "JE", "%s", r.body);
    cr_assert(jstr(r.json, "message"), "a judging error still says so: %s", r.body);
    hresp_free(&r);

    /* callbacks: one per submission, each redacted */
    cr_assert_eq(listener_wait(&l, 6), 6, "callbacks delivered");
    for (int i = 0; i < 6; i++) {
        struct hresp cr = {.code = 200, .body = l.body[i]};
        cr.json = json_loads(l.body[i], 0, NULL);
        cr_assert(cr.json, "callback body is JSON: %s", l.body[i]);
        check_resp("callback", &cr, 200, (struct expect){0});
        json_decref(cr.json);
    }

    /* asking for full without being the jury: 403 (no jury is configured),
     * and nothing is judged for the refused POST */
    snprintf(path, sizeof path, "/submissions/%s?fields=*&feedback=full", toks[0][0]);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 403, "%s", r.body);
    cr_assert(jstr(r.json, "error"), "%s", r.body);
    check_resp("403", &r, 403, (struct expect){0});
    hresp_free(&r);
    r = http(&s, "GET", "/submissions?per_page=1", NULL, 0, NULL);
    json_int_t before = json_integer_value(json_object_get(json_object_get(r.json, "meta"), "total_count"));
    hresp_free(&r);
    json_t *b = json_pack("{s:i, s:s, s:s}", "language_id", 50, "problem_id", "leak", "source_code", ECHO_SRC);
    r = http_json_post(&s, "/submissions?wait=true&feedback=full", b);
    cr_assert_eq(r.code, 403, "%s", r.body);
    hresp_free(&r);
    r = http(&s, "GET", "/submissions?per_page=1", NULL, 0, NULL);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(r.json, "meta"), "total_count")), before);
    hresp_free(&r);
    r = http(&s, "GET", "/submissions?feedback=everything", NULL, 0, NULL);
    cr_assert_eq(r.code, 400, "%s", r.body);
    hresp_free(&r);
    /* asking for less is anyone's right */
    snprintf(path, sizeof path, "/submissions/%s?fields=tests&feedback=verdict", toks[0][0]);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    cr_assert_eq(json_array_size(json_object_get(r.json, "tests")), 1, "only the sample: %s", r.body);
    hresp_free(&r);

    /* while judging: each published partial result is redacted too */
    const char *slow =
        "#include <stdio.h>\n#include <unistd.h>\n"
        "int main(void){static char b[4096];size_t n=fread(b,1,sizeof b,stdin);usleep(300000);"
        "fwrite(b,1,n,stdout);return 0;}\n";
    b = json_pack("{s:i, s:s, s:s}", "language_id", 50, "problem_id", "leakv", "source_code", slow);
    char *slow_tok = submit(&s, b);
    int partial = 0;
    for (int k = 0; k < 400; k++) {
        snprintf(path, sizeof path, "/submissions/%s?fields=*%s", slow_tok, k % 2 ? "&base64_encoded=true" : "");
        r = http(&s, "GET", path, NULL, 0, NULL);
        check_resp("GET while judging", &r, 200, (struct expect){0});
        int st = status_id(r.json);
        partial |= st == 2 && json_array_size(json_object_get(r.json, "tests")) > 0;
        hresp_free(&r);
        if (st >= 3)
            break;
        usleep(30000);
    }
    cr_assert(partial, "a partial result was seen while judging");
    free(slow_tok);

    /* delete answers with the (redacted) submission, base64 */
    for (int p = 0; p < 3; p++)
        for (int k = 0; k < 2; k++) {
            snprintf(path, sizeof path, "/submissions/%s?fields=*", toks[p][k]);
            r = http(&s, "DELETE", path, NULL, 0, NULL);
            check_resp("DELETE", &r, 200, (struct expect){0});
            hresp_free(&r);
            free(toks[p][k]);
        }
    listener_stop(&l);
    cleanup(&s, root);
}

/* ---- verdict: secret tests are not listed at all ------------------------------------ */

Test(server_feedback, verdict_level_lists_only_samples, .timeout = 300)
{
    struct srv s;
    char root[64];
    start_with_problems(&s, root, "\"feedback\": \"verdict\"");
    register_dir(&s, root, "leak", NULL);
    register_dir(&s, root, "leakv", NULL);
    char *tok[2];
    struct expect e = {.secret = false, .sample = true};
    post_both(&s, "leakv", ECHO_SRC, "", NULL, NULL, e, tok);
    get_all(&s, "leakv", tok, "", NULL, e);
    char path[300];
    snprintf(path, sizeof path, "/submissions/%s?fields=*", tok[0]);
    struct hresp r = http(&s, "GET", path, NULL, 0, NULL);
    json_t *tests = json_object_get(r.json, "tests");
    cr_assert_eq(json_array_size(tests), 1, "%s", r.body);
    cr_assert_str_eq(jstr(json_array_get(tests, 0), "name"), "sample/1");
    cr_assert_eq(json_integer_value(json_object_get(r.json, "tests_total")), 3, "%s", r.body);
    cr_assert_str_eq(jstr(r.json, "verdict"), "WA");
    hresp_free(&r);
    free(tok[0]);
    free(tok[1]);

    /* a failure only on a secret test: the message does not even name it */
    char *t2[2];
    post_both(&s, "leak",
              "#include <stdio.h>\nint main(void){char b[64];scanf(\"%63s\",b);"
              "puts(b[1]=='A'?\"SAMPLETOKEN_ANS_5e6f\":\"x\");return 0;}\n",
              "", NULL, NULL, (struct expect){0}, t2);
    snprintf(path, sizeof path, "/submissions/%s?fields=*", t2[0]);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_str_eq(jstr(r.json, "verdict"), "WA", "%s", r.body);
    cr_assert(!strstr(r.body, "secret/"), "%s", r.body);
    hresp_free(&r);
    free(t2[0]);
    free(t2[1]);
    cleanup(&s, root);
}

/* ---- full: the server, a problem or the jury may show everything --------------------- */

Test(server_feedback, full_server_config_shows_secret_data, .timeout = 300)
{
    struct srv s;
    char root[64];
    start_with_problems(&s, root, "\"feedback\": \"full\"");
    /* a problem may choose less than the server */
    make_problem(root, "closed", PK_DEFAULT, "nsjudge:\n  feedback: samples\n");
    register_dir(&s, root, "leak", NULL);
    register_dir(&s, root, "leakv", NULL);
    register_dir(&s, root, "leakcc", NULL);
    register_dir(&s, root, "closed", NULL);
    struct listener l;
    listener_start(&l, 0);
    char cb[128];
    snprintf(cb, sizeof cb, "http://127.0.0.1:%d/cb", l.port);
    char *tok[2];
    /* the scan finds the tokens when they are there */
    struct expect e = {.secret = true, .sample = true};
    post_both(&s, "leak", ECHO_SRC, "", NULL, cb, e, tok);
    get_all(&s, "leak", tok, "", NULL, e);
    cr_assert_eq(listener_wait(&l, 2), 2);
    for (int i = 0; i < 2; i++) {
        struct hresp cr = {.code = 200, .body = l.body[i], .json = json_loads(l.body[i], 0, NULL)};
        check_resp("callback (full)", &cr, 200, e);
        json_decref(cr.json);
    }
    free(tok[0]);
    free(tok[1]);
    post_both(&s, "leakv", ECHO_SRC, "", NULL, NULL, e, tok);
    char path[300];
    snprintf(path, sizeof path, "/submissions/%s?fields=tests", tok[0]);
    struct hresp r = http(&s, "GET", path, NULL, 0, NULL);
    json_t *sec = find_test(r.json, "secret/1");
    cr_assert(sec && strstr(jstr(sec, "message"), "answer=SECRETTOKEN_ANS_9c1e"),
              "the validator's judgemessage is shown in full: %s", r.body);
    hresp_free(&r);
    free(tok[0]);
    free(tok[1]);
    /* the broken validator's compiler error is shown to who may see everything */
    post_both(&s, "leakcc", ECHO_SRC, "", NULL, NULL, (struct expect){.secret = true}, tok);
    free(tok[0]);
    free(tok[1]);
    post_both(&s, "closed", ECHO_SRC, "", NULL, NULL, (struct expect){.sample = true}, tok);
    get_all(&s, "closed", tok, "", NULL, (struct expect){.sample = true});
    free(tok[0]);
    free(tok[1]);
    listener_stop(&l);
    cleanup(&s, root);
}

Test(server_feedback, problem_key_shows_its_secret_tests, .timeout = 300)
{
    struct srv s;
    char root[64];
    start_with_problems(&s, root, NULL);
    make_problem(root, "open", PK_VALIDATOR, "nsjudge:\n  feedback: full\n");
    make_problem(root, "typo", PK_DEFAULT, "nsjudge:\n  feedback: everything\n");
    register_dir(&s, root, "open", NULL);
    register_dir(&s, root, "leak", NULL);
    char body[600];
    snprintf(body, sizeof body, "{\"id\": \"typo\", \"path\": \"%s/typo\"}", root);
    struct hresp r = http(&s, "POST", "/problems", body, strlen(body), NULL);
    cr_assert_eq(r.code, 422, "a bad feedback value is refused: %s", r.body);
    cr_assert(strstr(r.body, "feedback"), "%s", r.body);
    hresp_free(&r);
    char *tok[2];
    struct expect e = {.secret = true, .sample = true};
    post_both(&s, "open", ECHO_SRC, "", NULL, NULL, e, tok);
    get_all(&s, "open", tok, "", NULL, e);
    free(tok[0]);
    free(tok[1]);
    /* the other problem on the same server stays at the server's level */
    e.secret = false;
    post_both(&s, "leak", ECHO_SRC, "", NULL, NULL, e, tok);
    get_all(&s, "leak", tok, "", NULL, e);
    free(tok[0]);
    free(tok[1]);
    cleanup(&s, root);
}

Test(server_feedback, jury_may_ask_for_full, .timeout = 300)
{
    struct srv s;
    char root[64];
    start_with_problems(&s, root, "\"authz_tokens\": [\"jury-7c41\"]");
    const char *jury[] = {JURY, "Content-Type: application/json", NULL};
    const char *wrong[] = {"X-Auth-User: contestant", "Content-Type: application/json", NULL};
    register_dir(&s, root, "leakv", jury);
    char *tok[2];
    /* the contestant's view */
    post_both(&s, "leakv", ECHO_SRC, "", NULL, NULL, (struct expect){.sample = true}, tok);
    /* the jury's: full on every route, POST wait=true included */
    struct expect e = {.secret = true, .sample = true};
    get_all(&s, "leakv", tok, "&feedback=full", jury, e);
    char *jt[2];
    post_both(&s, "leakv", ECHO_SRC, "&feedback=full", jury, NULL, e, jt);
    /* the jury may preview the contestant's view */
    get_all(&s, "leakv", jt, "&feedback=samples", jury, (struct expect){.sample = true});
    /* without the header, or with a wrong one: 403 */
    const char *const *bad[] = {NULL, wrong};
    for (int k = 0; k < 2; k++) {
        char path[300];
        snprintf(path, sizeof path, "/submissions/%s?fields=*&feedback=full", tok[0]);
        struct hresp r = http(&s, "GET", path, NULL, 0, bad[k]);
        check_resp("GET feedback=full, not jury", &r, 403, (struct expect){0});
        cr_assert(strstr(jstr(r.json, "error"), "X-Auth-User"), "%s", r.body);
        hresp_free(&r);
        snprintf(path, sizeof path, "/submissions/batch?tokens=%s&feedback=full", tok[0]);
        r = http(&s, "GET", path, NULL, 0, bad[k]);
        check_resp("batch feedback=full, not jury", &r, 403, (struct expect){0});
        hresp_free(&r);
        const char *b = "{\"language_id\": 50, \"problem_id\": \"leakv\", \"source_code\": \"int main(){}\"}";
        r = http(&s, "POST", "/submissions?wait=true&feedback=full", b, strlen(b), bad[k]);
        cr_assert_eq(r.code, 403, "%s", r.body);
        hresp_free(&r);
        /* and the plain view still hides the data */
        snprintf(path, sizeof path, "/submissions/%s?fields=*", jt[0]);
        r = http(&s, "GET", path, NULL, 0, bad[k]);
        check_resp("GET by a contestant of the jury's submission", &r, 200, (struct expect){.sample = true});
        hresp_free(&r);
    }
    for (int k = 0; k < 2; k++) {
        free(tok[k]);
        free(jt[k]);
    }
    cleanup(&s, root);
}

/* A checker message that is not UTF-8 (the team's bytes quoted) is kept and
 * comes back base64-encoded; the plain view says to use base64, as for stdout. */
Test(server_feedback, non_utf8_test_message_in_base64, .timeout = 240)
{
    struct srv s;
    char root[64];
    start_with_problems(&s, root, NULL);
    /* an output validator quotes the team's bytes as they are (the
     * default checker shows them as \xNN) */
    register_dir(&s, root, "leakv", NULL);
    char *tok[2];
    const char *src = "#include <stdio.h>\nint main(void){fputs(\"\\xff\\xfe\\n\",stdout);return 0;}\n";
    json_t *b = json_pack("{s:i, s:s, s:s}", "language_id", 50, "problem_id", "leakv", "source_code", src);
    tok[0] = submit(&s, b);
    wait_finished(&s, tok[0], 120);
    char path[300];
    snprintf(path, sizeof path, "/submissions/%s?fields=tests,message&base64_encoded=true", tok[0]);
    struct hresp r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "%s", r.body);
    json_t *smp = find_test(r.json, "sample/1");
    cr_assert(smp && jstr(smp, "message"), "the message is kept: %s", r.body);
    char *dec = NULL;
    size_t dlen;
    cr_assert_eq(b64_decode(jstr(smp, "message"), strlen(jstr(smp, "message")), &dec, &dlen), 0, "%s", r.body);
    cr_assert(memmem(dec, dlen, "\xff\xfe", 2), "the team's bytes are in the message: %s", dec);
    cr_assert(strstr(dec, "SAMPLETOKEN_ANS_5e6f"));
    free(dec);
    cr_assert(json_is_null(json_object_get(find_test(r.json, "secret/1"), "message")), "%s", r.body);
    hresp_free(&r);
    snprintf(path, sizeof path, "/submissions/%s?fields=tests", tok[0]);
    r = http(&s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 400, "%s", r.body);
    cr_assert(strstr(jstr(r.json, "error"), "base64_encoded=true"), "%s", r.body);
    hresp_free(&r);
    free(tok[0]);
    (void)tok[1];
    cleanup(&s, root);
}

/* A feedback level the service does not know stops it at start-up, naming
 * the key (a typo must not fall back to another level). */
Test(server_feedback, bad_config_value_refused, .timeout = 60)
{
    char dir[] = "/tmp/nsjudge-test-feedback-cfg-XXXXXX";
    cr_assert(mkdtemp(dir));
    char cfg[200], cmd[700];
    snprintf(cfg, sizeof cfg, "%s/c.json", dir);
    FILE *f = fopen(cfg, "w");
    cr_assert(f);
    fprintf(f, "{\"listen\": \"127.0.0.1:1\", \"data_dir\": \"%s/data\", \"feedback\": \"everything\"}\n", dir);
    fclose(f);
    const char *bin = getenv("NSJUDGE_BIN") ? getenv("NSJUDGE_BIN") : "build/nsjudge";
    snprintf(cmd, sizeof cmd, "'%s' serve --config '%s' --workers 0 > '%s/out' 2>&1", bin, cfg, dir);
    int st = system(cmd);
    cr_assert(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) != 0, "serve must refuse the config (status %d)", st);
    snprintf(cmd, sizeof cmd, "grep feedback '%s/out' | grep -q '\"full\", \"samples\" or \"verdict\"'", dir);
    cr_assert_eq(system(cmd), 0, "the error names the key and its values");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    (void)!system(cmd);
}
