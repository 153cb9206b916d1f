/* routes_submissions.c - /submissions and /submissions/batch (Judge0 CE 1.13.1). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "judge/number.h"
#include "server/service/judge0_json.h"
#include "server/service/routes.h"
#include "server/service/uuid4.h"
#include "server/service/waits.h"
#include "server/service/worker.h"

static const char conv_one[] =
    "some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter";
static const char conv_many[] =
    "some attributes for one or more submissions cannot be converted to UTF-8, use base64_encoded=true query parameter";

static int fields_of(struct http_req *r, struct http_resp *w, j0_fields *f)
{
    char err[600];
    if (j0_fields_parse(http_query(r, "fields"), f, err, sizeof err)) {
        http_error(w, 400, err);
        return -EINVAL;
    }
    return 0;
}

/* ?feedback=full|samples|verdict: anyone may ask to see less than the
 * policy allows; asking for full needs the jury's X-Auth-User (authz_tokens),
 * and without it is refused (403) rather than quietly capped, so a jury
 * client that lost its header notices. 0, or -errno with the answer in w. */
int submissions_view_of(struct http_req *r, struct http_resp *w, struct fb_view *v)
{
    const char *q = http_query(r, "feedback");
    memset(v, 0, sizeof *v);
    if (!q || !*q)
        return 0;
    if (jd_feedback_parse(q, &v->asked)) {
        http_error(w, 400, "invalid feedback: use full, samples or verdict");
        return -EINVAL;
    }
    /* no authz_tokens: there is no jury, and http_authorize lets everyone in */
    if (r->app->cfg.authz_tokens.n) {
        struct http_resp scratch = {0};
        v->jury = http_authorize(r, &scratch) == 0;
        free(scratch.body);
    }
    if (v->asked == JD_FEEDBACK_FULL && !v->jury) {
        http_error(w, 403, "forbidden: feedback=full needs a valid X-Auth-User header");
        return -EACCES;
    }
    return 0;
}

/* A parked wait=true request keeps its view in the spare bits of its fields. */
static j0_fields fields_with_view(j0_fields f, struct fb_view v)
{
    return (f & ~J0_FIELDS_SPARE_MASK) | ((j0_fields)v.asked << J0_FIELDS_SPARE_SHIFT) |
           ((j0_fields)v.jury << (J0_FIELDS_SPARE_SHIFT + 3));
}

static struct fb_view view_from_fields(j0_fields f)
{
    struct fb_view v = {
        .asked = (jd_feedback)((f >> J0_FIELDS_SPARE_SHIFT) & 7),
        .jury = (f >> (J0_FIELDS_SPARE_SHIFT + 3)) & 1,
    };
    if (v.asked > JD_FEEDBACK_FULL)
        v.asked = JD_FEEDBACK_UNSET;
    return v;
}

/* Judge0 refuses new work when the waiting jobs plus these exceed the cap.
 * *queued: the jobs waiting in the store now (0 when it cannot say), from
 * a count up to QUEUE_COUNT_MAX_AGE_S old; a refusal is decided on a
 * fresh one, so jobs taken meanwhile are not refused for. */
static int queue_full(struct app *app, long adding, long *queued)
{
    long n = 0;
    *queued = 0;
    if (queue_store_count(&app->queue, app->store, false, &n))
        return 0;
    if (n + adding > app->cfg.max_queue_size &&
        queue_store_count(&app->queue, app->store, true, &n))
        return 0;
    *queued = n;
    return n + adding > app->cfg.max_queue_size;
}

/* Stores a parsed submission (s is cleared) and gets it to a worker;
 * *queued counts the store's waiting jobs. unstored_ok: see workers_submit. */
static int store_one(struct app *app, struct submission *s, bool unstored_ok, long *queued)
{
    char err[256], q[300], token[40];
    int language_id = s->language_id;
    snprintf(token, sizeof token, "%s", s->token);
    int rc = workers_submit(app, s, unstored_ok, queued, err, sizeof err);
    if (rc)
        nlog(&app->log, LOG_ERROR, "store_insert_failed", "error=%s", log_quote(err, q, sizeof q));
    else
        nlog(&app->log, LOG_DEBUG, "enqueued", "token=%s language_id=%d", token, language_id);
    submission_clear(s);
    return rc;
}

/* Validates and stores one submission. 0 with the token, -EINVAL with
 * *errors (422 body), other -errno on store failure. */
static int create_one(struct app *app, json_t *obj, bool b64, long *queued, char token[40],
                      json_t **errors)
{
    struct submission s;
    int rc = j0_parse_submission(app, obj, b64, &s, errors);
    if (rc)
        return rc;
    uuid4_new(s.token);
    snprintf(token, 40, "%s", s.token);
    return store_one(app, &s, false, queued);
}

static void render_one(const struct http_req *r, struct http_resp *w, int status,
                       const struct submission *s, j0_fields f, bool b64, struct fb_view v)
{
    bool bad = false;
    json_t *j = j0_render_submission(r->app, s, f, b64, v, &bad);
    if (!j && bad) {
        json_t *e = j0_error(conv_one);
        json_object_set_new(e, "token", json_string(s->token));
        http_json(w, status == 201 ? 201 : 400, e);
        return;
    }
    http_json(w, status, j);
}

/* wait=true: the answer, once the job is done (waits.c calls it). */
static void render_done(struct app *app, const struct submission *s, uint64_t f, bool b64,
                        struct http_resp *w)
{
    struct http_req none = {.app = app};
    render_one(&none, w, 201, s, f & ~J0_FIELDS_SPARE_MASK, b64, view_from_fields(f));
}

static void store_error(struct http_resp *w, int rc)
{
    http_error(w, 500, rc == -ENOMEM ? "out of memory" : "cannot store the submission");
}

void route_submission_create(struct http_req *r, struct http_resp *w)
{
    struct app *app = r->app;
    bool b64 = http_query_true(r, "base64_encoded");
    bool wait = http_query_true(r, "wait");
    j0_fields f;
    struct fb_view view;
    long queued;
    if (fields_of(r, w, &f) || submissions_view_of(r, w, &view))
        return;
    if (wait && !app->cfg.enable_wait_result) {
        http_error(w, 400, "wait not allowed");
        return;
    }
    if (queue_full(app, 1, &queued)) {
        http_error(w, 503, "queue is full");
        return;
    }
    json_t *body = http_body_json(r, w);
    if (!body)
        return;
    struct submission s;
    json_t *errors = NULL;
    int rc = j0_parse_submission(app, body, b64, &s, &errors);
    json_decref(body);
    if (rc) {
        if (rc == -EINVAL)
            http_json(w, 422, errors);
        else
            store_error(w, rc);
        return;
    }
    uuid4_new(s.token);
    char token[40];
    snprintf(token, sizeof token, "%s", s.token);
    /* wait=true: parked (not a thread) before a worker can take the job,
     * so its finish is not missed; answered by waits.c */
    struct wait_answer a = {render_done, fields_with_view(f, view), b64};
    bool parked = wait && waits_park(app, r, w, token, &a) == 0;
    /* a parked single run is stored once, when done: its request is the
     * only one that knows its token until then. A problem's run writes
     * its progress into its row, so it has one from the start. */
    rc = store_one(app, &s, parked && !s.problem_id, &queued);
    if (parked) {
        if (rc) {
            struct http_resp e = {0};
            store_error(&e, rc);
            waits_cancel(app, token, &e);
            free(e.body);
        }
        return;
    }
    if (rc) {
        store_error(w, rc);
        return;
    }
    if (!wait) {
        http_json(w, 201, json_pack("{s:s}", "token", token));
        return;
    }
    /* the server is stopping: the job as it stands */
    if (app->store->ops->get(app->store, token, &s)) {
        http_error(w, 500, "submission vanished while waiting");
        return;
    }
    render_done(app, &s, fields_with_view(f, view), b64, w);
    submission_clear(&s);
}

void route_submission_show(struct http_req *r, struct http_resp *w)
{
    j0_fields f;
    struct fb_view view;
    if (fields_of(r, w, &f) || submissions_view_of(r, w, &view))
        return;
    struct submission s;
    int rc = r->app->store->ops->get(r->app->store, r->param, &s);
    if (rc) {
        http_error(w, rc == -ENOENT ? 404 : 500, rc == -ENOENT ? "submission not found" : "store error");
        return;
    }
    render_one(r, w, 200, &s, f, http_query_true(r, "base64_encoded"), view);
    submission_clear(&s);
}

/* A whole-number query parameter in [lo, hi] (def when absent), parsed
 * and range-checked before use: page * per_page must not overflow. */
static int query_int(struct http_req *r, struct http_resp *w, const char *name, long def,
                     long lo, long hi, long *out)
{
    const char *v = http_query(r, name);
    int64_t n = def;
    if (v && *v && jd_parse_int(v, lo, hi, &n)) {
        char msg[200]; /* v is not echoed: it may not be UTF-8 */
        snprintf(msg, sizeof msg, "invalid %s: must be a whole number from %ld to %ld", name, lo,
                 hi);
        http_error(w, 400, msg);
        return -EINVAL;
    }
    *out = (long)n;
    return 0;
}

#define MAX_PAGE 1000000000L   /* with per_page <= 1000 the offset stays below 2^40 */

void route_submission_list(struct http_req *r, struct http_resp *w)
{
    struct app *app = r->app;
    if (http_authorize(r, w))
        return;
    j0_fields f;
    struct fb_view view;
    if (fields_of(r, w, &f) || submissions_view_of(r, w, &view))
        return;
    long page, per_page;
    if (query_int(r, w, "page", 1, 1, MAX_PAGE, &page) ||
        query_int(r, w, "per_page", 20, 0, MAX_PAGE, &per_page))
        return;
    if (per_page == 0)
        per_page = 20;
    if (per_page > 1000)
        per_page = 1000;
    struct submission *v;
    size_t n;
    long total;
    if (app->store->ops->list(app->store, (page - 1) * per_page, per_page, &v, &n, &total)) {
        http_error(w, 500, "store error");
        return;
    }
    bool b64 = http_query_true(r, "base64_encoded");
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        bool bad = false;
        json_t *j = j0_render_submission(app, &v[i], f, b64, view, &bad);
        if (!j) {
            json_decref(arr);
            store_free_list(v, n);
            http_error(w, bad ? 400 : 500, bad ? conv_many : "out of memory");
            return;
        }
        json_array_append_new(arr, j);
    }
    store_free_list(v, n);
    long pages = (total + per_page - 1) / per_page;
    json_t *meta = json_pack("{s:I, s:o, s:o, s:I, s:I}", "current_page", (json_int_t)page,
                             "next_page", page < pages ? json_integer(page + 1) : json_null(),
                             "prev_page", page > 1 ? json_integer(page - 1) : json_null(),
                             "total_pages", (json_int_t)pages, "total_count", (json_int_t)total);
    http_json(w, 200, json_pack("{s:o, s:o}", "submissions", arr, "meta", meta));
}

void route_submission_delete(struct http_req *r, struct http_resp *w)
{
    struct app *app = r->app;
    if (http_authorize(r, w))
        return;
    if (!app->cfg.enable_submission_delete) {
        http_error(w, 400, "delete not allowed");
        return;
    }
    j0_fields f;
    struct fb_view view;
    if (fields_of(r, w, &f) || submissions_view_of(r, w, &view))
        return;
    struct submission s;
    int rc = app->store->ops->get(app->store, r->param, &s);
    if (rc) {
        http_error(w, rc == -ENOENT ? 404 : 500, rc == -ENOENT ? "submission not found" : "store error");
        return;
    }
    if (s.status_id == J0_IN_QUEUE || s.status_id == J0_PROCESSING) {
        char msg[160];
        snprintf(msg, sizeof msg, "submission cannot be deleted because its status is %d (%s)",
                 s.status_id, j0_status_name(s.status_id));
        http_error(w, 400, msg);
        submission_clear(&s);
        return;
    }
    rc = app->store->ops->remove(app->store, s.token);
    if (rc && rc != -ENOENT) {
        http_error(w, 500, "store error");
    } else {
        /* base64 forced, as Judge0: the deleted data must come back intact */
        render_one(r, w, 200, &s, f, true, view);
    }
    submission_clear(&s);
}

void route_batch_create(struct http_req *r, struct http_resp *w)
{
    struct app *app = r->app;
    char msg[160];
    if (!app->cfg.enable_batched_submissions) {
        http_error(w, 400, "batched submissions are not allowed");
        return;
    }
    json_t *body = http_body_json(r, w);
    if (!body)
        return;
    json_t *subs = json_object_get(body, "submissions");
    size_t n = json_is_array(subs) ? json_array_size(subs) : 0;
    if (n > (size_t)app->cfg.max_submission_batch_size) {
        snprintf(msg, sizeof msg,
                 "number of submissions in a batch should be less than or equal to %d",
                 app->cfg.max_submission_batch_size);
        http_error(w, 400, msg);
        json_decref(body);
        return;
    }
    if (n == 0) {
        http_error(w, 400, "there should be at least one submission in a batch");
        json_decref(body);
        return;
    }
    long queued;
    if (queue_full(app, (long)n, &queued)) {
        http_error(w, 503, "queue is full");
        json_decref(body);
        return;
    }
    bool b64 = http_query_true(r, "base64_encoded");
    json_t *out = json_array();
    bool any = false;
    size_t i;
    json_t *item;
    json_array_foreach(subs, i, item) {
        char token[40];
        json_t *errors = NULL;
        int rc = create_one(app, item, b64, &queued, token, &errors);
        if (rc == 0) {
            json_array_append_new(out, json_pack("{s:s}", "token", token));
            any = true;
        } else if (rc == -EINVAL) {
            json_array_append_new(out, errors);
        } else {
            json_array_append_new(out, j0_error("cannot store the submission"));
        }
    }
    json_decref(body);
    http_json(w, any ? 201 : 422, out);
}

void route_batch_show(struct http_req *r, struct http_resp *w)
{
    struct app *app = r->app;
    j0_fields f;
    struct fb_view view;
    if (fields_of(r, w, &f) || submissions_view_of(r, w, &view))
        return;
    const char *tokens = http_query(r, "tokens");
    if (!tokens)
        tokens = http_header(r, "tokens");
    char *copy = strdup(tokens ? tokens : "");
    if (!copy) {
        http_error(w, 500, "out of memory");
        return;
    }
    size_t n = 0;
    for (char *p = copy; *p; p++)
        if (*p == ',')
            n++;
    n = *copy ? n + 1 : 0;
    char msg[160];
    if (n > (size_t)app->cfg.max_submission_batch_size) {
        snprintf(msg, sizeof msg,
                 "number of submissions in a batch should be less than or equal to %d",
                 app->cfg.max_submission_batch_size);
        http_error(w, 400, msg);
        free(copy);
        return;
    }
    if (n == 0) {
        http_error(w, 400, "there should be at least one submission in a batch");
        free(copy);
        return;
    }
    bool b64 = http_query_true(r, "base64_encoded");
    json_t *arr = json_array();
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        struct submission s;
        if (app->store->ops->get(app->store, t, &s)) {
            json_array_append_new(arr, json_null());
            continue;
        }
        bool bad = false;
        json_t *j = j0_render_submission(app, &s, f, b64, view, &bad);
        submission_clear(&s);
        if (!j) {
            json_decref(arr);
            free(copy);
            http_error(w, bad ? 400 : 500, bad ? conv_many : "out of memory");
            return;
        }
        json_array_append_new(arr, j);
    }
    free(copy);
    http_json(w, 200, json_pack("{s:o}", "submissions", arr));
}
