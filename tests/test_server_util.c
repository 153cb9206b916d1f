/* test_server_util.c - process and HTTP helpers for the server_* suites. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tests/test_server.h"

static const char *bin(void)
{
    const char *b = getenv("NSJUDGE_BIN");
    return b ? b : "build/nsjudge";
}

char *repo_path(const char *rel)
{
    char *b = realpath(bin(), NULL);
    cr_assert(b, "NSJUDGE_BIN not found: %s", bin());
    /* <repo>/build/nsjudge -> <repo> */
    for (int i = 0; i < 2; i++) {
        char *slash = strrchr(b, '/');
        if (slash)
            *slash = 0;
    }
    char *out = malloc(strlen(b) + strlen(rel) + 2);
    sprintf(out, "%s/%s", b, rel);
    free(b);
    return out;
}

int srv_hold_port(int *fd)
{
    *fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    cr_assert(*fd >= 0);
    cr_assert(bind(*fd, (struct sockaddr *)&a, sizeof a) == 0);
    getsockname(*fd, (struct sockaddr *)&a, &l);
    return ntohs(a.sin_port);
}

int srv_free_port(void)
{
    int fd, port = srv_hold_port(&fd);
    close(fd);
    return port;
}

static void spawn(struct srv *s)
{
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        /* a failed assertion ends the test process: take the server along */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            dup2(fd, 1);
        }
        if (s->relative && chdir(s->dir))
            _exit(126);
        char w[16];
        snprintf(w, sizeof w, "%d", s->workers);
        execl(bin(), bin(), "serve", "--config", s->cfg, "--workers", w, (char *)NULL);
        _exit(127);
    }
    s->pid = pid;
    /* ready when /healthz answers: 200, or 503 for an API-only serve
     * (--workers 0) that has no worker to take a job */
    for (int i = 0; i < 200; i++) {
        struct hresp r = http(s, "GET", "/healthz", NULL, 0, NULL);
        long code = r.code;
        hresp_free(&r);
        if (code == 200 || (code == 503 && s->workers == 0))
            return;
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            s->pid = 0;
            cr_assert_fail("nsjudge serve exited during start-up (see %s)", s->log);
        }
        usleep(50000);
    }
    cr_assert_fail("nsjudge serve did not become healthy (see %s)", s->log);
}

static void start(struct srv *s, int workers, const char *extra, bool relative)
{
    memset(s, 0, sizeof *s);
    s->relative = relative;
    snprintf(s->dir, sizeof s->dir, "/tmp/nsjudge-test-server-XXXXXX");
    cr_assert(mkdtemp(s->dir));
    snprintf(s->cfg, sizeof s->cfg, "%s/nsjudge.json", s->dir);
    snprintf(s->log, sizeof s->log, "%s/server.log", s->dir);
    s->port = srv_free_port();
    s->workers = workers;
    snprintf(s->extra, sizeof s->extra, "%s", extra ? extra : "");
    char *langs = repo_path("configs/languages.json");
    FILE *f = fopen(s->cfg, "w");
    cr_assert(f);
    /* slot ids (box uids are 60000 + id): a range per test process, above the
     * ranges of the sandbox tests (20000-60000) and nsjudge judge (100-32100) */
    fprintf(f,
            "{\"listen\": \"127.0.0.1:%d\", \"data_dir\": \"%s/data\", \"languages\": \"%s\",\n"
            " \"workers\": %d, \"slot_id_base\": %d, \"log_level\": \"debug\", \"lease_s\": 30,\n"
            " \"shutdown_grace_s\": 90%s%s}\n",
            s->port, relative ? "." : s->dir, langs, workers, 70000 + (int)(getpid() % 2000) * 4,
            s->extra[0] ? ", " : "", s->extra);
    fclose(f);
    free(langs);
    spawn(s);
}

void srv_start(struct srv *s, int workers, const char *extra)
{
    start(s, workers, extra, false);
}

void srv_start_relative(struct srv *s, int workers)
{
    start(s, workers, NULL, true);
}

void srv_restart(struct srv *s)
{
    spawn(s);
}

int srv_stop(struct srv *s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    int st = 0;
    waitpid(s->pid, &st, 0);
    s->pid = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void srv_kill9(struct srv *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

void srv_cleanup(struct srv *s)
{
    if (s->pid > 0)
        srv_kill9(s);
    if (getenv("NSJUDGE_KEEP_TEST_DIRS"))
        return;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    if (strncmp(s->dir, "/tmp/nsjudge-test-server-", 25) == 0)
        (void)!system(cmd);
}

static size_t on_data(char *p, size_t sz, size_t n, void *u)
{
    struct hresp *r = u;
    size_t k = sz * n;
    char *nb = realloc(r->body, r->len + k + 1);
    if (!nb)
        return 0;
    r->body = nb;
    memcpy(r->body + r->len, p, k);
    r->len += k;
    r->body[r->len] = 0;
    return k;
}

struct hresp http(struct srv *s, const char *method, const char *path, const char *body,
                  size_t len, const char *const *headers)
{
    struct hresp r = {0};
    char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", s->port, path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    for (const char *const *p = headers; p && *p; p++)
        h = curl_slist_append(h, *p);
    if (body && !headers)
        h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 150L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
        char *ct = NULL;
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
        snprintf(r.ctype, sizeof r.ctype, "%s", ct ? ct : "");
        if (r.body)
            r.json = json_loadb(r.body, r.len, 0, NULL);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

struct hresp http_json_post(struct srv *s, const char *path, json_t *body)
{
    char *t = json_dumps(body, JSON_COMPACT);
    struct hresp r = http(s, "POST", path, t, strlen(t), NULL);
    free(t);
    json_decref(body);
    return r;
}

void hresp_free(struct hresp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

char *submit(struct srv *s, json_t *body)
{
    struct hresp r = http_json_post(s, "/submissions", body);
    cr_assert_eq(r.code, 201, "POST /submissions: %ld %s", r.code, r.body ? r.body : "");
    const char *t = jstr(r.json, "token");
    cr_assert(t && strlen(t) == 36, "no token in %s", r.body);
    char *tok = strdup(t);
    hresp_free(&r);
    return tok;
}

long total_submissions(struct srv *s, const char *fields)
{
    char path[300];
    snprintf(path, sizeof path, "/submissions?fields=%s", fields);
    struct hresp r = http(s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "GET %s: %ld %s", path, r.code, r.body ? r.body : "");
    long n = (long)json_integer_value(json_object_get(json_object_get(r.json, "meta"), "total_count"));
    hresp_free(&r);
    return n;
}

/* A job that never finishes is rare and slow to reproduce (the emulated
 * VM): say what the row, the workers and the server's log showed. */
static void dump_stuck(struct srv *s, const char *token)
{
    char path[256];
    snprintf(path, sizeof path, "/submissions/%s?fields=*", token);
    const char *paths[] = {path, "/workers", "/metrics"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        struct hresp r = http(s, "GET", paths[i], NULL, 0, NULL);
        fprintf(stderr, "stuck %s: GET %s: %ld %s\n", token, paths[i], r.code, r.body ? r.body : "");
        hresp_free(&r);
    }
    char cmd[700];
    snprintf(cmd, sizeof cmd, "grep -v ' event=request ' '%s' | tail -n 80 >&2", s->log);
    fprintf(stderr, "stuck %s: the last lines of %s but requests:\n", token, s->log);
    (void)!system(cmd);
}

void wait_finished(struct srv *s, const char *token, double timeout_s)
{
    char path[256];
    snprintf(path, sizeof path, "/submissions/%s?fields=status&base64_encoded=true", token);
    /* the cgroup v2 VM judges under software emulation, many times slower */
    if (getenv("NSJUDGE_EMULATED"))
        timeout_s *= 4;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct hresp r = http(s, "GET", path, NULL, 0, NULL);
        cr_assert_eq(r.code, 200, "GET %s: %ld %s", path, r.code, r.body ? r.body : "");
        int st = status_id(r.json);
        hresp_free(&r);
        if (st >= 3)
            return;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9 > timeout_s) {
            dump_stuck(s, token);
            cr_assert_fail("submission %s not finished after %.0f s", token, timeout_s);
        }
        usleep(50000);
    }
}

json_t *wait_done(struct srv *s, const char *token, double timeout_s)
{
    wait_finished(s, token, timeout_s);
    char path[256];
    snprintf(path, sizeof path, "/submissions/%s?fields=*,verdict", token);
    struct hresp r = http(s, "GET", path, NULL, 0, NULL);
    cr_assert_eq(r.code, 200, "GET %s: %ld %s", path, r.code, r.body ? r.body : "");
    json_t *j = json_incref(r.json);
    hresp_free(&r);
    return j;
}

int status_id(json_t *sub)
{
    return (int)json_integer_value(json_object_get(json_object_get(sub, "status"), "id"));
}

const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* ---- the callback listener (test_server.h) --------------------------- */

static void *listen_main(void *arg)
{
    struct listener *l = arg;
    const size_t cap = 1 << 20;
    char *buf = malloc(cap);
    for (;;) {
        int c = accept(l->fd, NULL, NULL);
        if (c < 0 || !buf)
            break;
        size_t n = 0;
        char *hdr_end = NULL;
        while (n < cap - 1) {
            ssize_t k = read(c, buf + n, cap - 1 - n);
            if (k <= 0)
                break;
            n += (size_t)k;
            buf[n] = 0;
            if ((hdr_end = strstr(buf, "\r\n\r\n"))) {
                char *cl = strcasestr(buf, "Content-Length:");
                size_t want = cl ? strtoul(cl + 15, NULL, 10) : 0;
                if (n - (size_t)(hdr_end + 4 - buf) >= want)
                    break;
            }
        }
        buf[n] = 0;
        pthread_mutex_lock(&l->mu);
        int idx = l->count < LISTENER_MAX ? l->count : LISTENER_MAX - 1;
        sscanf(buf, "%15s", l->method[idx]);
        free(l->body[idx]);
        l->body[idx] = strdup(hdr_end ? hdr_end + 4 : "");
        int fail = l->count < l->fail_first;
        l->count++;
        pthread_mutex_unlock(&l->mu);
        char redir[200];
        snprintf(redir, sizeof redir, "HTTP/1.1 307 Elsewhere\r\nLocation: http://127.0.0.1:%d/next\r\n"
                 "Content-Length: 0\r\nConnection: close\r\n\r\n", l->redirect_port);
        const char *resp = l->redirect_port ? redir
                           : fail ? "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                                  : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        (void)!write(c, resp, strlen(resp));
        close(c);
    }
    free(buf);
    return NULL;
}

void listener_start_on(struct listener *l, int fail_first, int port)
{
    memset(l, 0, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
    l->fail_first = fail_first;
    l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                            .sin_port = htons((uint16_t)port)};
    socklen_t al = sizeof a;
    int one = 1;
    setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    cr_assert(bind(l->fd, (struct sockaddr *)&a, sizeof a) == 0);
    cr_assert(listen(l->fd, 16) == 0);
    getsockname(l->fd, (struct sockaddr *)&a, &al);
    l->port = ntohs(a.sin_port);
    pthread_create(&l->th, NULL, listen_main, l);
}

void listener_start(struct listener *l, int fail_first)
{
    listener_start_on(l, fail_first, 0);
}

int listener_count(struct listener *l)
{
    pthread_mutex_lock(&l->mu);
    int n = l->count;
    pthread_mutex_unlock(&l->mu);
    return n;
}

int listener_wait(struct listener *l, int n)
{
    int got = 0;
    for (int i = 0; i < 400 && (got = listener_count(l)) < n; i++)
        usleep(50000);
    return got;
}

void listener_stop(struct listener *l)
{
    shutdown(l->fd, SHUT_RDWR);
    pthread_join(l->th, NULL);
    close(l->fd);
    for (int i = 0; i < LISTENER_MAX; i++)
        free(l->body[i]);
    pthread_mutex_destroy(&l->mu);
}
