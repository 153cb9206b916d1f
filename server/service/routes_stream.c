/*
 * routes_stream.c - GET /submissions/events/TOKEN (text/event-stream).
 *   event: test   data: one per-test object, as GET /submissions/TOKEN shows
 *                       it (same feedback policy, same ?feedback=), in order
 *   event: done   data: the finished submission (fields *, with the extra
 *                       fields), then the stream ends
 *   ?after=N      skips the first N tests (a reconnecting page)
 * Text fields are base64 in every event ("base64_encoded": true in them),
 * so that bytes which are not UTF-8 never break the stream.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <microhttpd.h>
#include "judge/number.h"
#include "server/service/routes.h"
#include "server/service/stream.h"

struct stream;

struct stream_hub {
    pthread_mutex_t mu;
    struct stream *parked;   /* suspended connections waiting for news */
    pthread_cond_t opened;   /* with no stream open the hub sleeps on it, */
    int open;                /* not woken by every finished job */
    bool stop;
    pthread_t th;
};

struct stream {
    struct app *app;
    struct stream_hub *hub;
    struct MHD_Connection *conn;
    char token[40];
    struct fb_view view;
    size_t sent;             /* tests sent so far */
    bool finished;           /* "done" queued: end after the buffer */
    char *buf;               /* bytes not yet handed to MHD */
    size_t len, off;
    time_t opened, last_write;
    struct stream *next;
};

static void *hub_main(void *arg)
{
    struct app *app = arg;
    struct stream_hub *h = app->streams;
    for (;;) {
        uint64_t gen = queue_done_gen(&app->queue);
        pthread_mutex_lock(&h->mu);
        bool stop = h->stop;
        /* resumed under the lock: a stream leaves the list only here, and
         * MHD frees it only after it is resumed */
        while (h->parked) {
            struct stream *s = h->parked;
            h->parked = s->next;
            s->next = NULL;
            MHD_resume_connection(s->conn);
        }
        while (!h->open && !h->stop)
            pthread_cond_wait(&h->opened, &h->mu);
        stop = h->stop;
        pthread_mutex_unlock(&h->mu);
        if (stop)
            return NULL;
        queue_wait_done(&app->queue, gen, STREAM_TICK_MS);
    }
}

void stream_hub_new(struct app *app)
{
    struct stream_hub *h = calloc(1, sizeof *h);
    if (!h)
        return;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->opened, NULL);
    app->streams = h;
    if (pthread_create(&h->th, NULL, hub_main, app)) {
        pthread_mutex_destroy(&h->mu);
        pthread_cond_destroy(&h->opened);
        free(h);
        app->streams = NULL;
    }
}

void stream_hub_stop(struct app *app)
{
    struct stream_hub *h = app->streams;
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    bool was = h->stop;
    h->stop = true;
    pthread_cond_signal(&h->opened);
    pthread_mutex_unlock(&h->mu);
    queue_notify_done(&app->queue);
    if (!was)
        pthread_join(h->th, NULL);
}

void stream_hub_free(struct app *app)
{
    struct stream_hub *h = app->streams;
    if (!h)
        return;
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->opened);
    free(h);
    app->streams = NULL;
}

/* Appends one event; -ENOMEM without memory. */
static int add_event(struct stream *s, const char *name, long id, json_t *data)
{
    char *d = json_dumps(data, JSON_COMPACT);
    if (!d)
        return -ENOMEM;
    char head[64];
    int hl = id >= 0 ? snprintf(head, sizeof head, "event: %s\nid: %ld\n", name, id)
                     : snprintf(head, sizeof head, "event: %s\n", name);
    size_t need = s->len + (size_t)hl + strlen(d) + 16;
    char *nb = realloc(s->buf, need);
    if (!nb) {
        free(d);
        return -ENOMEM;
    }
    s->buf = nb;
    /* json_dumps escapes newlines inside strings, so d is one line */
    s->len += (size_t)sprintf(s->buf + s->len, "%sdata: %s\n\n", head, d);
    free(d);
    return 0;
}

static int add_raw(struct stream *s, const char *text)
{
    size_t n = strlen(text);
    char *nb = realloc(s->buf, s->len + n + 1);
    if (!nb)
        return -ENOMEM;
    s->buf = nb;
    memcpy(s->buf + s->len, text, n + 1);
    s->len += n;
    return 0;
}

/* Reads the store and queues what the page has not seen. -ENOMEM: end
 * the stream. */
static int look(struct stream *s)
{
    struct submission sub;
    int rc = s->app->store->ops->get(s->app->store, s->token, &sub);
    if (rc == -ENOENT) {
        json_t *e = j0_error("submission not found (deleted?)");
        add_event(s, "error", -1, e);
        json_decref(e);
        s->finished = true;
        return 0;
    }
    if (rc)
        return 0; /* a store hiccup: try again at the next tick */
    /* while judging only the tests are rendered (every tick); when done,
     * everything, for the "done" event */
    bool done = sub.status_id > J0_PROCESSING;
    j0_fields f;
    char err[200];
    j0_fields_parse(done ? "*,verdict,problem_id,score,max_score,tests,tests_total" : "tests,tests_total",
                    &f, err, sizeof err);
    bool bad = false;
    json_t *j = j0_render_submission(s->app, &sub, f, true, s->view, &bad);
    submission_clear(&sub);
    if (!j)
        return -ENOMEM;
    json_object_set_new(j, "base64_encoded", json_true());
    json_t *tests = json_object_get(j, "tests");
    size_t n = json_is_array(tests) ? json_array_size(tests) : 0;
    for (; s->sent < n; s->sent++) {
        json_t *t = json_array_get(tests, s->sent);
        json_object_set_new(t, "index", json_integer((json_int_t)s->sent));
        json_object_set(t, "tests_total", json_object_get(j, "tests_total"));
        if (add_event(s, "test", (long)s->sent + 1, t)) {
            json_decref(j);
            return -ENOMEM;
        }
    }
    if (done) {
        if (add_event(s, "done", -1, j)) {
            json_decref(j);
            return -ENOMEM;
        }
        s->finished = true;
    }
    json_decref(j);
    return 0;
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *s = cls;
    (void)pos;
    if (s->off == s->len) {
        s->off = s->len = 0;
        if (s->finished)
            return MHD_CONTENT_READER_END_OF_STREAM;
        time_t now = time(NULL);
        if (now - s->opened > STREAM_MAX_SECONDS)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (look(s))
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (!s->len && now - s->last_write >= STREAM_KEEPALIVE_SECONDS &&
            add_raw(s, ": keep-alive\n\n"))
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (s->off < s->len) {
        size_t n = s->len - s->off < max ? s->len - s->off : max;
        memcpy(buf, s->buf + s->off, n);
        s->off += n;
        s->last_write = time(NULL);
        return (ssize_t)n;
    }
    /* nothing new: park until the hub resumes us (returning 0 without
     * suspending would make MHD call again at once, a busy loop) */
    struct stream_hub *h = s->hub;
    pthread_mutex_lock(&h->mu);
    if (h->stop) {
        pthread_mutex_unlock(&h->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    MHD_suspend_connection(s->conn);
    s->next = h->parked;
    h->parked = s;
    pthread_mutex_unlock(&h->mu);
    return 0;
}

static void stream_free(void *cls)
{
    struct stream *s = cls;
    pthread_mutex_lock(&s->hub->mu);
    s->hub->open--;
    pthread_mutex_unlock(&s->hub->mu);
    free(s->buf);
    free(s);
}

void route_submission_events(struct http_req *r, struct http_resp *w)
{
    struct app *app = r->app;
    struct fb_view view;
    if (submissions_view_of(r, w, &view))
        return;
    int64_t after = 0;
    const char *a = http_query(r, "after");
    if (a && jd_parse_int(a, 0, 100000, &after)) {
        http_error(w, 400, "invalid after: a whole number of tests from 0");
        return;
    }
    struct submission sub;
    int rc = app->store->ops->get(app->store, r->param, &sub);
    if (rc) {
        http_error(w, rc == -ENOENT ? 404 : 500, rc == -ENOENT ? "submission not found" : "store error");
        return;
    }
    submission_clear(&sub);
    struct stream_hub *h = app->streams;
    if (!h) {
        http_error(w, 503, "event streams are not available");
        return;
    }
    pthread_mutex_lock(&h->mu);
    bool full = h->stop || h->open >= STREAM_MAX_OPEN;
    if (!full) {
        h->open++;
        pthread_cond_signal(&h->opened);
    }
    pthread_mutex_unlock(&h->mu);
    if (full) {
        http_error(w, 503, "too many open event streams, try again later");
        return;
    }
    struct stream *s = calloc(1, sizeof *s);
    struct MHD_Response *resp = NULL;
    if (s) {
        s->app = app;
        s->hub = h;
        s->conn = r->conn;
        s->view = view;
        s->sent = (size_t)after;
        s->opened = s->last_write = time(NULL);
        snprintf(s->token, sizeof s->token, "%s", r->param);
        /* "retry": how long an EventSource waits before reconnecting */
        if (!add_raw(s, ": nsjudge submission events\nretry: 2000\n\n"))
            resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, s, stream_free);
    }
    if (!resp) {
        if (s)
            free(s->buf);
        free(s);
        pthread_mutex_lock(&h->mu);
        h->open--;
        pthread_mutex_unlock(&h->mu);
        http_error(w, 500, "out of memory");
        return;
    }
    MHD_add_response_header(resp, "Cache-Control", "no-cache");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    w->stream = resp;
    w->status = 200;
    w->ctype = "text/event-stream; charset=utf-8";
}
