/*
 * routes_pages.c - the web pages served next to the API:
 *   GET /             the playground (server/web/index.html)
 *   GET /p, /p/ID     stored problems and one problem's page
 *   GET /admin        the operator view (X-Auth-User when authz_tokens is set)
 *   GET /static/NAME  the pages' css/js (a flat folder, names checked)
 *   GET /codemirror/NAME  Debian's CodeMirror (libjs-codemirror), from
 *                     where the package installed it: codemirror.js,
 *                     codemirror.css, mode-MODE.js
 *   GET /samples/ID   a problem's limits and sample tests, for its page
 *   GET /admin/stats  queue, jobs by status, workers, recent jobs with
 *                     latency, and per-10 s jobs and latency (admin page)
 * The page files are public; what they fetch goes through the API's rules
 * (X-Auth-Token, the feedback policy). Files are read per request: they
 * are small and an operator may edit them in place.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "judge/judge.h"
#include "server/common/install_paths.h"
#include "server/service/problems.h"
#include "server/service/routes.h"
#include "server/service/worker.h"
#include "server/service/problem_id.h"

#define CODEMIRROR_DIR "/usr/share/javascript/codemirror"
#define PAGE_FILE_MAX (2u << 20)
#define SAMPLE_MAX_BYTES (64u << 10)
#define SAMPLES_MAX 20
#define STATS_RECENT 200            /* at most this many jobs read for the chart */
#define STATS_PAGE 20               /* read this many at a time: rows hold whole outputs */
#define STATS_TABLE 20              /* jobs in the table */
#define STATS_BUCKET_S 10
#define STATS_BUCKETS 30            /* five minutes */

static const char *ctype_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return NULL;
    static const struct { const char *ext, *ctype; } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i].ext))
            return types[i].ctype;
    return NULL;
}

/* letters, digits, '-', '_' and one inner '.': no path, no hidden file */
static bool plain_name(const char *s)
{
    size_t n = s ? strlen(s) : 0, dots = 0;
    if (!n || n > 100 || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (; *s; s++) {
        if (*s == '.')
            dots++;
        else if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                   (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return false;
    }
    return dots == 1;
}

/* The whole file, NUL-terminated; NULL if missing, not a regular file (a
 * FIFO in a package must not hang a thread) or over max. A symlink is
 * followed only for the page files (the operator's), never in a problem. */
static char *slurp(const char *path, size_t max, bool follow, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW));
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (size_t)st.st_size <= max &&
        (buf = malloc((size_t)st.st_size + 1))) {
        size_t got = 0;
        ssize_t k;
        while (got < (size_t)st.st_size && (k = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
            got += (size_t)k;
        buf[got] = 0;
        *len = got;
    }
    close(fd);
    return buf;
}

static void send_file(struct http_resp *w, const char *path, const char *ctype)
{
    size_t len = 0;
    char *buf = slurp(path, PAGE_FILE_MAX, true, &len);
    if (!buf) {
        http_error(w, 404, "not found");
        return;
    }
    free(w->body);
    w->body = buf;
    w->len = len;
    w->status = 200;
    w->ctype = ctype;
}

static void send_page(struct http_resp *w, const char *name)
{
    char dir[4096], path[4200];
    if (install_paths_web_dir(dir, sizeof dir)) {
        char msg[4400];
        snprintf(msg, sizeof msg, "the web pages are not installed (looked for %s)", dir);
        http_error(w, 404, msg);
        return;
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    send_file(w, path, ctype_of(name));
}

void route_page_playground(struct http_req *r, struct http_resp *w)
{
    (void)r;
    send_page(w, "index.html");
}

void route_page_problems(struct http_req *r, struct http_resp *w)
{
    if (r->param && !problem_id_valid(r->param)) {
        http_error(w, 404, "not found");
        return;
    }
    send_page(w, "problems.html");
}

void route_page_admin(struct http_req *r, struct http_resp *w)
{
    if (http_authorize(r, w))
        return;
    send_page(w, "admin.html");
}

void route_page_static(struct http_req *r, struct http_resp *w)
{
    if (!plain_name(r->param) || !ctype_of(r->param)) {
        http_error(w, 404, "not found");
        return;
    }
    send_page(w, r->param);
}

void route_page_codemirror(struct http_req *r, struct http_resp *w)
{
    const char *n = r->param;
    char path[300];
    size_t l = n ? strlen(n) : 0;
    if (n && (!strcmp(n, "codemirror.js") || !strcmp(n, "codemirror.css"))) {
        snprintf(path, sizeof path, CODEMIRROR_DIR "/lib/%s", n);
    } else if (l > 8 && l < 60 && !strncmp(n, "mode-", 5) && !strcmp(n + l - 3, ".js")) {
        int ml = (int)(l - 8);
        for (int i = 0; i < ml; i++)
            if (!((n[5 + i] >= 'a' && n[5 + i] <= 'z') || (n[5 + i] >= '0' && n[5 + i] <= '9'))) {
                http_error(w, 404, "not found");
                return;
            }
        snprintf(path, sizeof path, CODEMIRROR_DIR "/mode/%.*s/%.*s.js", ml, n + 5, ml, n + 5);
    } else {
        http_error(w, 404, "not found");
        return;
    }
    send_file(w, path, ctype_of(n));
}

/* ---- /samples/ID ------------------------------------------------------------------ */

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file's text, or a note when it is too large or not UTF-8. */
static json_t *sample_text(const char *path)
{
    size_t len = 0;
    char *t = slurp(path, SAMPLE_MAX_BYTES, false, &len);
    if (!t)
        return json_string("(missing, or larger than 64 KiB)");
    json_t *j = jd_utf8_valid(t, len) ? json_stringn(t, len) : json_string("(not UTF-8 text)");
    free(t);
    return j;
}

static json_t *samples_of(const char *problem_dir)
{
    json_t *a = json_array();
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/data/sample", problem_dir);
    DIR *d = opendir(dir);
    if (!d || !a)
        goto out;
    char *names[SAMPLES_MAX];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < SAMPLES_MAX) {
        size_t l = strlen(e->d_name);
        if (l > 3 && e->d_name[0] != '.' && !strcmp(e->d_name + l - 3, ".in") &&
            (names[n] = strndup(e->d_name, l - 3)))
            n++;
    }
    qsort(names, n, sizeof names[0], by_name);
    for (size_t i = 0; i < n; i++) {
        char in[4400], ans[4400];
        snprintf(in, sizeof in, "%s/%s.in", dir, names[i]);
        snprintf(ans, sizeof ans, "%s/%s.ans", dir, names[i]);
        char tname[200];
        snprintf(tname, sizeof tname, "sample/%s", names[i]);
        json_array_append_new(a, json_pack("{s:s, s:o, s:o}", "name", tname, "input",
                                           sample_text(in), "answer", sample_text(ans)));
        free(names[i]);
    }
out:
    if (d)
        closedir(d);
    return a;
}

void route_page_samples(struct http_req *r, struct http_resp *w)
{
    struct app *app = r->app;
    if (!problem_id_valid(r->param)) {
        http_error(w, 404, "problem not found");
        return;
    }
    struct problem_ref *pr;
    char err[512];
    if (problems_acquire(app, r->param, &pr, err, sizeof err)) {
        http_error(w, 404, err);
        return;
    }
    const struct jd_problem *p = problems_get(pr);
    const char *name = jd_problem_name(p);
    json_t *o = json_pack("{s:s, s:s, s:f, s:I, s:I, s:I, s:b, s:b, s:o}", "id", r->param, "name",
                          name ? name : r->param, "time_limit", jd_problem_time_limit(p),
                          "memory_limit_kib", (json_int_t)jd_problem_memory_kib(p),
                          "output_limit_kib", (json_int_t)jd_problem_output_kib(p), "tests",
                          (json_int_t)jd_problem_test_count(p), "interactive",
                          jd_problem_is_interactive(p), "scoring", jd_problem_is_scoring(p),
                          "samples", samples_of(jd_problem_dir(p)));
    problems_release(app, pr);
    http_json(w, 200, o);
}

/* ---- /admin/stats ----------------------------------------------------------------- */

/* "2026-12-02T00:09:21.123Z" -> seconds since the epoch; -1 if not that */
static double iso_seconds(const char *s)
{
    struct tm tm = {0};
    int ms = 0;
    if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                     &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) < 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (double)timegm(&tm) + ms / 1000.0;
}

void route_admin_stats(struct http_req *r, struct http_resp *w)
{
    struct app *app = r->app;
    struct store *st = app->store;
    if (http_authorize(r, w))
        return;
    json_t *o = json_object();
    long queued = 0, running = 0;
    st->ops->count_status(st, J0_IN_QUEUE, &queued);
    st->ops->count_status(st, J0_PROCESSING, &running);
    /* handed to our workers in memory, not started: claimed rows (status
     * 2), or no row yet; and running ones with no row yet */
    size_t unstored;
    long handed = (long)queue_n_handed(&app->queue, &unstored);
    long claimed = handed - (long)unstored;
    queued += handed;
    running = (running > claimed ? running - claimed : 0) + workers_running_unstored(app);
    json_object_set_new(o, "queue", json_integer(queued));
    json_object_set_new(o, "processing", json_integer(running));

    struct store_stats ss;
    memset(&ss, 0, sizeof ss);
    json_t *bs = json_array();
    if (!st->ops->stats(st, &ss)) {
        json_object_set_new(o, "total", json_integer(ss.total));
        for (int id = 1; id <= J0_STATUS_MAX && id < 16; id++)
            json_array_append_new(bs, json_pack("{s:i, s:s, s:I}", "id", id, "description",
                                                j0_status_name(id), "count",
                                                (json_int_t)ss.by_status[id]));
    }
    store_stats_clear(&ss);
    json_object_set_new(o, "by_status", bs);

    struct store_pool *pools = NULL;
    size_t np = 0;
    json_t *wa = json_array();
    if (!st->ops->pools(st, 30, &pools, &np))
        for (size_t i = 0; i < np; i++)
            json_array_append_new(wa, json_pack("{s:s, s:I, s:I, s:I, s:I, s:f}", "owner",
                                                pools[i].owner ? pools[i].owner : "", "slots",
                                                (json_int_t)pools[i].total, "busy",
                                                (json_int_t)pools[i].busy, "idle",
                                                (json_int_t)pools[i].idle, "failed",
                                                (json_int_t)pools[i].failed, "heartbeat_age_s",
                                                pools[i].age_s < 0 ? 0.0 : pools[i].age_s));
    store_free_pools(pools, np);
    json_object_set_new(o, "workers", wa);

    json_t *recent = json_array();
    double now = (double)time(NULL);
    double start = now - STATS_BUCKET_S * STATS_BUCKETS;
    long done[STATS_BUCKETS] = {0};
    double lat_sum[STATS_BUCKETS] = {0};
    size_t seen = 0;
    /* newest first, a page at a time, until the jobs are older than the
     * chart (a job submitted before it could still finish inside it, so
     * the stop is one window further back) */
    for (bool more = true; more && seen < STATS_RECENT;) {
        struct submission *subs = NULL;
        size_t n = 0;
        long total = 0;
        if (st->ops->list(st, (long)seen, STATS_PAGE, &subs, &n, &total))
            break;
        more = n == STATS_PAGE;
        for (size_t i = 0; i < n; i++, seen++) {
            const struct submission *s = &subs[i];
            double c = iso_seconds(s->created_at), f = iso_seconds(s->finished_at);
            double lat = c >= 0 && f >= c ? f - c : -1;
            if (seen < STATS_TABLE)
                json_array_append_new(
                    recent, json_pack("{s:s, s:i, s:s, s:i, s:s?, s:s, s:s?, s:o}", "token",
                                      s->token, "language_id", s->language_id, "status",
                                      j0_status_name(s->status_id), "status_id", s->status_id,
                                      "verdict", s->verdict, "created_at", s->created_at,
                                      "finished_at", s->finished_at[0] ? s->finished_at : NULL,
                                      "latency", lat >= 0 ? json_real(lat) : json_null()));
            if (lat >= 0 && f >= start && f < now + 1) {
                int b = (int)((f - start) / STATS_BUCKET_S);
                if (b >= STATS_BUCKETS)
                    b = STATS_BUCKETS - 1;
                done[b]++;
                lat_sum[b] += lat;
            }
            if (c >= 0 && c < start - STATS_BUCKET_S * STATS_BUCKETS)
                more = false;
        }
        store_free_list(subs, n);
    }
    json_object_set_new(o, "recent", recent);
    json_t *series = json_array();
    for (int b = 0; b < STATS_BUCKETS; b++)
        json_array_append_new(series,
                              json_pack("{s:f, s:f, s:o}", "t", start + b * STATS_BUCKET_S, "jobs_per_s",
                                        (double)done[b] / STATS_BUCKET_S, "latency",
                                        done[b] ? json_real(lat_sum[b] / done[b]) : json_null()));
    json_object_set_new(o, "series", series);
    json_object_set_new(o, "bucket_seconds", json_integer(STATS_BUCKET_S));
    json_object_set_new(o, "series_from_jobs", json_integer((json_int_t)seen));
    http_json(w, 200, o);
}
