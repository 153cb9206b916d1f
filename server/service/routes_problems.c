/*
 * routes_problems.c - beyond Judge0: registered problems.
 *   POST /problems?id=ID        body: a package archive (tar/tgz/zip...)
 *   POST /problems              body: {"id": ID, "path": "/allowed/dir"}
 *   POST /problems/ID           either body
 *     POST only creates: an id that exists already is 409.
 *   PUT /problems/ID            either body; creates (201) or replaces (200)
 *   GET /problems, GET /problems/ID (limits, type, groups, test counts),
 *   DELETE /problems/ID
 * Submissions name a problem with "problem_id" in POST /submissions.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <pthread.h>
#include "server/service/problem_archive.h"
#include "server/service/problems.h"
#include "server/service/routes.h"
#include "server/service/problem_id.h"

static bool looks_json(const struct http_req *r)
{
    const char *ct = http_header(r, "Content-Type");
    if (ct && strstr(ct, "json"))
        return true;
    size_t i = 0;
    while (i < r->body_len && (r->body[i] == ' ' || r->body[i] == '\n' || r->body[i] == '\r'))
        i++;
    return i < r->body_len && r->body[i] == '{';
}

/* a JSON string without embedded NUL, else NULL */
static const char *plain_string(json_t *v)
{
    const char *s = json_string_value(v);
    return s && strlen(s) == json_string_length(v) ? s : NULL;
}

static bool under_allowed(const struct config *c, const char *real)
{
    for (size_t i = 0; i < c->problem_dirs.n; i++) {
        char allowed[PATH_MAX];
        if (!realpath(c->problem_dirs.v[i], allowed))
            continue;
        size_t n = strlen(allowed);
        if (!strncmp(real, allowed, n) && (real[n] == '/' || real[n] == 0 || (n == 1 && allowed[0] == '/')))
            return true;
    }
    return false;
}

/* One registration at a time in this process, so that "does the id exist"
 * and "register it" cannot interleave with another POST of the same id. */
static pthread_mutex_t register_mu = PTHREAD_MUTEX_INITIALIZER;

/* 1 registered, 0 not, -errno when the store cannot tell */
static int problem_exists(struct app *app, const char *id)
{
    struct problem_rec p;
    int rc = app->store->ops->problem_get(app->store, id, &p);
    if (rc)
        return rc == -ENOENT ? 0 : rc;
    problem_rec_clear(&p);
    return 1;
}

static void conflict(struct http_resp *w, const char *id)
{
    char msg[300];
    snprintf(msg, sizeof msg, "problem %s already exists; PUT /problems/%s replaces it", id, id);
    http_error(w, 409, msg);
}

/* Registers dir as id: 0 with *status (201 created, 200 replaced) and
 * *info; 1 when the answer is set (409: POST met an existing id, or 500:
 * the store could not say); else -errno with err (the package did not
 * load, or storing it failed). */
static int register_as(struct app *app, struct http_resp *w, const char *id, const char *dir,
                       const char *origin, const char *sha256, bool replace, int *status,
                       json_t **info, char *err, size_t errlen)
{
    pthread_mutex_lock(&register_mu);
    int existed = problem_exists(app, id);
    if (existed < 0 || (existed && !replace)) {
        pthread_mutex_unlock(&register_mu);
        if (existed < 0)
            http_error(w, 500, "store error");
        else
            conflict(w, id);
        return 1;
    }
    int rc = problems_register(app, id, dir, origin, sha256, info, err, errlen);
    pthread_mutex_unlock(&register_mu);
    *status = existed ? 200 : 201;
    return rc;
}

static void register_dir(struct http_req *r, struct http_resp *w, const char *id, const char *path,
                         bool replace)
{
    struct app *app = r->app;
    char real[PATH_MAX], err[512];
    if (!app->cfg.problem_dirs.n) {
        http_error(w, 403, "registering server directories is disabled (config key problem_dirs)");
        return;
    }
    if (!path || !realpath(path, real)) {
        http_error(w, 422, "path does not exist on the server");
        return;
    }
    if (!under_allowed(&app->cfg, real)) {
        http_error(w, 403, "path is not under a directory allowed by config key problem_dirs");
        return;
    }
    json_t *info;
    int status;
    int rc = register_as(app, w, id, real, "dir", NULL, replace, &status, &info, err, sizeof err);
    if (rc == 1)
        return;
    if (rc) {
        http_error(w, 422, err);
        return;
    }
    nlog(&app->log, LOG_INFO, "problem_registered", "id=%s origin=dir replaced=%s", id,
         status == 200 ? "true" : "false");
    http_json(w, status, info);
}

static void register_upload(struct http_req *r, struct http_resp *w, const char *id, bool replace)
{
    struct app *app = r->app;
    char err[512];
    char *root;
    int hold;
    /* before unpacking: a POST of a taken id costs no extraction */
    if (!replace && problem_exists(app, id) == 1) {
        conflict(w, id);
        return;
    }
    /* the upload's checks (judge/archive.c) hold for PUT as for POST */
    char sha[65];
    int rc = pkg_unpack(app, id, r->body, r->body_len, &root, &hold, sha, err, sizeof err);
    if (rc) {
        /* the server's own trouble, else the archive's */
        bool ours = rc == -ENOMEM || rc == -ENOSPC || rc == -EDQUOT || rc == -EIO || rc == -EACCES ||
                    rc == -EROFS || rc == -EMFILE || rc == -ENFILE;
        char q[600];
        nlog(&app->log, LOG_INFO, "problem_refused", "id=%s bytes=%zu reason=%s", id, r->body_len,
             log_quote(err, q, sizeof q));
        http_error(w, ours ? 500 : 422, err);
        return;
    }
    json_t *info;
    int status;
    /* registered while held, so no sweep can take it in between */
    rc = register_as(app, w, id, root, "upload", sha, replace, &status, &info, err, sizeof err);
    if (rc) {
        pkg_discard(app, root, hold);
        free(root);
        if (rc != 1)
            http_error(w, 422, err);
        return;
    }
    pkg_release(hold);
    free(root);
    nlog(&app->log, LOG_INFO, "problem_registered", "id=%s origin=upload bytes=%zu replaced=%s", id,
         r->body_len, status == 200 ? "true" : "false");
    http_json(w, status, info);
}

static void create(struct http_req *r, struct http_resp *w, const char *id_from_path, bool replace)
{
    if (http_authorize(r, w))
        return;
    if (!r->body_len) {
        http_error(w, 400, "empty body: send a problem archive or {\"id\": ..., \"path\": ...}");
        return;
    }
    if (looks_json(r)) {
        json_t *j = http_body_json(r, w);
        if (!j)
            return;
        const char *id = id_from_path ? id_from_path : plain_string(json_object_get(j, "id"));
        const char *path = plain_string(json_object_get(j, "path"));
        if (!problem_id_valid(id))
            http_json(w, 422, json_pack("{s:[s]}", "id", "must be letters, digits, '_', '-' or '.' (at most 100)"));
        else if (!path)
            http_json(w, 422, json_pack("{s:[s]}", "path", "can't be blank"));
        else
            register_dir(r, w, id, path, replace);
        json_decref(j);
        return;
    }
    const char *id = id_from_path ? id_from_path : http_query(r, "id");
    if (!problem_id_valid(id)) {
        http_json(w, 422, json_pack("{s:[s]}", "id", "must be letters, digits, '_', '-' or '.' (at most 100)"));
        return;
    }
    register_upload(r, w, id, replace);
}

void route_problem_create(struct http_req *r, struct http_resp *w)
{
    create(r, w, NULL, false);
}

/* PUT /problems/ID creates or replaces; POST /problems/ID only creates */
void route_problem_put(struct http_req *r, struct http_resp *w)
{
    create(r, w, r->param, !strcmp(r->method, "PUT"));
}

void route_problem_list(struct http_req *r, struct http_resp *w)
{
    struct problem_rec *v;
    size_t n;
    if (r->app->store->ops->problem_list(r->app->store, &v, &n)) {
        http_error(w, 500, "store error");
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, problems_rec_json(&v[i]));
        problem_rec_clear(&v[i]);
    }
    free(v);
    http_json(w, 200, json_pack("{s:o}", "problems", a));
}

/* What a loaded package says of itself: type, limits, test counts, groups. */
static void describe(json_t *o, const struct jd_problem *p)
{
    json_t *type = json_array();
    json_array_append_new(type, json_string(jd_problem_is_scoring(p) ? "scoring" : "pass-fail"));
    if (jd_problem_is_interactive(p))
        json_array_append_new(type, json_string("interactive"));
    if (jd_problem_is_multipass(p))
        json_array_append_new(type, json_string("multi-pass"));
    json_object_set_new(o, "type", type);
    json_object_set_new(o, "format_version", json_string(jd_problem_format_version(p)));
    const char *fb = jd_feedback_name(jd_problem_feedback(p));
    json_object_set_new(o, "feedback", fb ? json_string(fb) : json_null());
    json_object_set_new(o, "limits",
                        json_pack("{s:f, s:b, s:I, s:I}", "time_s", jd_problem_time_limit(p),
                                  "time_is_default", !jd_problem_time_limit_given(p), "memory_kib",
                                  (json_int_t)jd_problem_mem_limit_kib(p), "output_kib",
                                  (json_int_t)jd_problem_output_limit_kib(p)));
    size_t total = jd_problem_test_count(p), samples = 0;
    json_t *groups = json_array();
    for (size_t i = 0; i < jd_problem_group_count(p); i++) {
        struct jd_group_info g;
        if (jd_problem_group(p, i, &g) || !g.name[0])
            continue; /* data/ itself: its counts are the totals */
        if (!strcmp(g.name, "sample"))
            samples = g.tests;
        json_t *go = json_pack("{s:s, s:b, s:I}", "name", g.name, "sample", g.sample, "tests",
                               (json_int_t)g.tests);
        if (jd_problem_is_scoring(p) && !g.sample) {
            json_object_set_new(go, "aggregation", json_string(g.aggregation_min ? "min" : "sum"));
            if (g.has_max_score)
                json_object_set_new(go, "max_score", json_real(g.max_score));
        }
        json_array_append_new(groups, go);
    }
    json_object_set_new(o, "test_counts", json_pack("{s:I, s:I, s:I}", "total", (json_int_t)total,
                                                    "sample", (json_int_t)samples, "secret",
                                                    (json_int_t)(total - samples)));
    json_object_set_new(o, "groups", groups);
    json_object_set_new(o, "warnings", problems_warnings_json(p));
}

void route_problem_show(struct http_req *r, struct http_resp *w)
{
    struct app *app = r->app;
    struct problem_rec p;
    int rc = app->store->ops->problem_get(app->store, r->param, &p);
    if (rc) {
        http_error(w, rc == -ENOENT ? 404 : 500, rc == -ENOENT ? "problem not found" : "store error");
        return;
    }
    json_t *o = problems_rec_json(&p);
    problem_rec_clear(&p);
    /* the loaded copy the judges use (cached), held while it is read */
    struct problem_ref *ref;
    char err[512];
    rc = problems_acquire(app, r->param, &ref, err, sizeof err);
    if (rc == -ENOENT && problem_exists(app, r->param) == 0) {
        json_decref(o);
        http_error(w, 404, "problem not found"); /* deleted meanwhile */
        return;
    }
    if (rc) {
        /* a server directory that changed on disk since it was registered */
        json_object_set_new(o, "load_error", json_string(err));
    } else {
        describe(o, problems_get(ref));
        problems_release(app, ref);
    }
    http_json(w, 200, o);
}

void route_problem_delete(struct http_req *r, struct http_resp *w)
{
    if (http_authorize(r, w))
        return;
    int rc = problems_unregister(r->app, r->param);
    if (rc) {
        http_error(w, rc == -ENOENT ? 404 : 500, rc == -ENOENT ? "problem not found" : "store error");
        return;
    }
    nlog(&r->app->log, LOG_INFO, "problem_deleted", "id=%s", r->param);
    http_json(w, 200, json_pack("{s:s, s:b}", "id", r->param, "deleted", 1));
}
