/*
 * routes_problems.c - beyond Judge0: registered problems.
 *   POST /problems?id=ID        body: a package archive (tar/tgz/zip...)
 *   POST /problems              body: {"id": ID, "path": "/allowed/dir"}
 *   PUT|POST /problems/ID       either body
 *   GET /problems, GET /problems/ID, DELETE /problems/ID
 * Submissions name a problem with "problem_id" in POST /submissions.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "server/problem_archive.h"
#include "server/problems.h"
#include "server/routes.h"

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

static void register_dir(struct http_req *r, struct http_resp *w, const char *id, const char *path)
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
    if (problems_register(app, id, real, "dir", &info, err, sizeof err)) {
        http_error(w, 422, err);
        return;
    }
    nlog(&app->log, LOG_INFO, "problem_registered", "id=%s origin=dir", id);
    http_json(w, 201, info);
}

static void register_upload(struct http_req *r, struct http_resp *w, const char *id)
{
    struct app *app = r->app;
    char err[512];
    char *root;
    int hold;
    int rc = pkg_unpack(app, id, r->body, r->body_len, &root, &hold, err, sizeof err);
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
    /* registered while held, so no sweep can take it in between */
    if (problems_register(app, id, root, "upload", &info, err, sizeof err)) {
        pkg_discard(app, root, hold);
        free(root);
        http_error(w, 422, err);
        return;
    }
    pkg_release(hold);
    free(root);
    nlog(&app->log, LOG_INFO, "problem_registered", "id=%s origin=upload bytes=%zu", id, r->body_len);
    http_json(w, 201, info);
}

static void create(struct http_req *r, struct http_resp *w, const char *id_from_path)
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
        if (!problems_valid_id(id))
            http_json(w, 422, json_pack("{s:[s]}", "id", "must be letters, digits, '_', '-' or '.' (at most 100)"));
        else if (!path)
            http_json(w, 422, json_pack("{s:[s]}", "path", "can't be blank"));
        else
            register_dir(r, w, id, path);
        json_decref(j);
        return;
    }
    const char *id = id_from_path ? id_from_path : http_query(r, "id");
    if (!problems_valid_id(id)) {
        http_json(w, 422, json_pack("{s:[s]}", "id", "must be letters, digits, '_', '-' or '.' (at most 100)"));
        return;
    }
    register_upload(r, w, id);
}

void route_problem_create(struct http_req *r, struct http_resp *w)
{
    create(r, w, NULL);
}

void route_problem_put(struct http_req *r, struct http_resp *w)
{
    create(r, w, r->param);
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

void route_problem_show(struct http_req *r, struct http_resp *w)
{
    struct problem_rec p;
    int rc = r->app->store->ops->problem_get(r->app->store, r->param, &p);
    if (rc) {
        http_error(w, rc == -ENOENT ? 404 : 500, rc == -ENOENT ? "problem not found" : "store error");
        return;
    }
    http_json(w, 200, problems_rec_json(&p));
    problem_rec_clear(&p);
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
