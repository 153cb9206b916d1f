/* problems.c - problem registration and the shared cache of loaded problems. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "server/service/problem_archive.h"
#include "server/service/problems.h"

/* One loaded registration, shared by the jobs judging on it. */
struct problem_entry {
    char id[128];
    char version[32];       /* created_at of the registration it was loaded from */
    char *path;
    struct jd_problem *p;
    int refs;
    bool stale;             /* re-registered or deleted: free when unused */
    struct problem_entry *next;
};

/* One job's use of an entry, holding the package directory on disk. */
struct problem_ref {
    struct problem_entry *e;
    int hold;               /* pkg_hold / pkg_fetch fd, or -1 */
    bool cached;            /* a copy of the store's blob: nothing to sweep after */
    char id[128];
    char *path;
};

struct problem_cache {
    pthread_mutex_t mu;
    struct problem_entry *head;
};

int problems_new(struct problem_cache **out)
{
    struct problem_cache *pc = calloc(1, sizeof *pc);
    if (!pc)
        return -ENOMEM;
    pthread_mutex_init(&pc->mu, NULL);
    *out = pc;
    return 0;
}

static void entry_free(struct problem_entry *e)
{
    jd_problem_free(e->p);
    free(e->path);
    free(e);
}

void problems_free(struct problem_cache *pc)
{
    if (!pc)
        return;
    for (struct problem_entry *e = pc->head, *n; e; e = n) {
        n = e->next;
        entry_free(e);
    }
    pthread_mutex_destroy(&pc->mu);
    free(pc);
}

/* with the lock held */
static void drop_unused(struct problem_cache *pc)
{
    for (struct problem_entry **pp = &pc->head; *pp;) {
        struct problem_entry *e = *pp;
        if (e->stale && e->refs == 0) {
            *pp = e->next;
            entry_free(e);
        } else {
            pp = &e->next;
        }
    }
}

static void invalidate(struct problem_cache *pc, const char *id)
{
    pthread_mutex_lock(&pc->mu);
    for (struct problem_entry *e = pc->head; e; e = e->next)
        if (!strcmp(e->id, id))
            e->stale = true;
    drop_unused(pc);
    pthread_mutex_unlock(&pc->mu);
}

static bool same_registration(const struct problem_rec *a, const struct problem_rec *b)
{
    return !strcmp(a->created_at, b->created_at) && a->path && b->path && !strcmp(a->path, b->path);
}

static bool is_upload(const struct problem_rec *r)
{
    return r->origin && !strcmp(r->origin, "upload");
}

/* The current registration of id with its package directory held: held
 * first, then confirmed, because a removal changes the store first and
 * then takes the directory only if nobody holds it. */
static int hold_current(struct app *app, const char *id, struct problem_rec *rec, int *hold,
                        char *err, size_t errlen)
{
    for (int tries = 0;; tries++) {
        int rc = app->store->ops->problem_get(app->store, id, rec);
        if (rc) {
            snprintf(err, errlen, "problem %s is not registered", id);
            return rc;
        }
        *hold = -1;
        if (rec->package_sha256[0] && !pkg_is_local(app, rec->path)) {
            /* uploaded to another node, or a server directory copied into
             * a cluster store: judged from our copy of its blob */
            char *root;
            if ((rc = pkg_fetch(app, rec->package_sha256, &root, hold, err, errlen))) {
                problem_rec_clear(rec);
                return rc;
            }
            free(rec->path);
            rec->path = root;
            return 0;
        }
        if (!is_upload(rec))
            return 0;
        rc = pkg_hold(app, rec->path, hold);
        struct problem_rec now;
        bool same = false;
        if (rc == 0) {
            if (app->store->ops->problem_get(app->store, id, &now) == 0) {
                same = same_registration(rec, &now);
                problem_rec_clear(&now);
            }
            if (same)
                return 0;
            pkg_release(*hold);
            *hold = -1;
        }
        problem_rec_clear(rec);
        if (rc && (rc != -ENOENT || tries == 3)) {
            snprintf(err, errlen, "problem %s: its package directory: %s", id, strerror(-rc));
            return rc;
        }
        if (tries == 3) {
            snprintf(err, errlen, "problem %s changed while it was being loaded", id);
            return -EAGAIN;
        }
    }
}

int problems_acquire(struct app *app, const char *id, struct problem_ref **out,
                     char *err, size_t errlen)
{
    struct problem_cache *pc = app->problems;
    /* The store says which registration is current; a `nsjudge worker` in
     * another process learns of a re-registration this way too. */
    struct problem_rec rec;
    int hold;
    int rc = hold_current(app, id, &rec, &hold, err, errlen);
    if (rc)
        return rc;
    struct problem_ref *ref = calloc(1, sizeof *ref);
    if (!ref || !(ref->path = strdup(rec.path))) {
        free(ref);
        pkg_release(hold);
        problem_rec_clear(&rec);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    ref->hold = hold;
    ref->cached = rec.package_sha256[0] && !pkg_is_local(app, rec.path);
    snprintf(ref->id, sizeof ref->id, "%s", id);
    pthread_mutex_lock(&pc->mu);
    for (struct problem_entry *e = pc->head; e; e = e->next) {
        if (e->stale || strcmp(e->id, id))
            continue;
        if (strcmp(e->version, rec.created_at) || strcmp(e->path, rec.path)) {
            e->stale = true;
            continue;
        }
        e->refs++;
        ref->e = e;
        break;
    }
    drop_unused(pc);
    pthread_mutex_unlock(&pc->mu);
    if (ref->e) {
        problem_rec_clear(&rec);
        *out = ref;
        return 0;
    }

    struct problem_entry *e = calloc(1, sizeof *e);
    if (!e || !(e->path = strdup(rec.path))) {
        free(e);
        problem_rec_clear(&rec);
        problems_release(app, ref);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    snprintf(e->id, sizeof e->id, "%s", id);
    snprintf(e->version, sizeof e->version, "%s", rec.created_at);
    char cache[PATH_MAX];
    struct jd_problem_options po = {0};
    /* compiled validators survive restarts (judge/build_cache.c) */
    if (snprintf(cache, sizeof cache, "%s/build-cache", app->cfg.data_dir) < (int)sizeof cache)
        po.build_cache_dir = cache;
    char scratch[PATH_MAX];   /* its validators are built here while it is loaded */
    if (snprintf(scratch, sizeof scratch, "%s/scratch", app->cfg.data_dir) < (int)sizeof scratch)
        po.scratch_dir = scratch;
    rc = jd_problem_load(rec.path, &po, &e->p, err, errlen);
    problem_rec_clear(&rec);
    if (rc) {
        entry_free(e);
        problems_release(app, ref);
        return rc;
    }
    /* Two workers may load the same problem at once; both entries are
     * valid, the cache just keeps both until they are invalidated. */
    pthread_mutex_lock(&pc->mu);
    e->refs = 1;
    e->next = pc->head;
    pc->head = e;
    ref->e = e;
    pthread_mutex_unlock(&pc->mu);
    *out = ref;
    return 0;
}

const struct jd_problem *problems_get(const struct problem_ref *r)
{
    return r->e->p;
}

void problems_release(struct app *app, struct problem_ref *r)
{
    struct problem_cache *pc = app->problems;
    if (r->e) {
        pthread_mutex_lock(&pc->mu);
        r->e->refs--;
        drop_unused(pc);
        pthread_mutex_unlock(&pc->mu);
    }
    /* The last judge on a package that was replaced or deleted meanwhile
     * (here or in another process) removes it. */
    bool held = r->hold >= 0 && !r->cached;
    pkg_release(r->hold);
    if (held) {
        struct problem_rec now;
        bool current = false;
        if (app->store->ops->problem_get(app->store, r->id, &now) == 0) {
            current = now.path && !strcmp(now.path, r->path);
            problem_rec_clear(&now);
        }
        if (!current)
            pkg_sweep(app);
    }
    free(r->path);
    free(r);
}

json_t *problems_rec_json(const struct problem_rec *p)
{
    return json_pack("{s:s, s:s?, s:s, s:s, s:I, s:s}", "id", p->id, "name", p->name,
                     "origin", p->origin ? p->origin : "", "path", p->path ? p->path : "",
                     "tests", (json_int_t)p->tests, "created_at", p->created_at);
}

json_t *problems_warnings_json(const struct jd_problem *p)
{
    json_t *a = json_array();
    const char *dir = jd_problem_dir(p);
    size_t dl = dir ? strlen(dir) : 0;
    for (size_t i = 0; i < jd_problem_n_warnings(p); i++) {
        const char *w = jd_problem_warning(p, i);
        if (!w)
            break;
        /* relative to the package: the server's paths are not the client's business */
        if (dl && !strncmp(w, dir, dl) && w[dl] == '/')
            w += dl + 1;
        json_array_append_new(a, json_string(w));
    }
    return a;
}

int problems_register(struct app *app, const char *id, const char *dir, const char *origin,
                      const char *sha256, json_t **info, char *err, size_t errlen)
{
    struct jd_problem *p;
    char sha[65] = "";
    if (sha256)
        snprintf(sha, sizeof sha, "%s", sha256);
    int rc = jd_problem_load(dir, NULL, &p, err, errlen);
    if (rc)
        return rc;
    if (strcmp(origin, "upload") && app->store->shared) {
        /* the other nodes cannot read this host's directories: the store
         * keeps a copy, as of now, that every node judges from */
        char *data;
        size_t len;
        if ((rc = pkg_pack_dir(app, dir, &data, &len, err, errlen))) {
            jd_problem_free(p);
            return rc;
        }
        jd_sha256_hex(data, len, sha);
        rc = app->store->ops->blob_put(app->store, sha, data, len);
        free(data);
        if (rc) {
            snprintf(err, errlen, "cannot keep the package in the store: %s", strerror(-rc));
            jd_problem_free(p);
            return rc;
        }
    }
    if (rc)
        return rc;
    struct problem_rec rec = {0};
    snprintf(rec.id, sizeof rec.id, "%s", id);
    const char *name = jd_problem_name(p);
    rec.name = strdup(name ? name : id);
    rec.path = strdup(dir);
    rec.origin = strdup(origin);
    rec.tests = (long)jd_problem_test_count(p);
    store_now_iso(rec.created_at);
    snprintf(rec.package_sha256, sizeof rec.package_sha256, "%s", sha);
    json_t *warnings = problems_warnings_json(p);
    jd_problem_free(p);
    if (!rec.name || !rec.path || !rec.origin) {
        problem_rec_clear(&rec);
        json_decref(warnings);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    rc = app->store->ops->problem_put(app->store, &rec);
    if (rc) {
        snprintf(err, errlen, "cannot store the problem: %s", strerror(-rc));
        problem_rec_clear(&rec);
        json_decref(warnings);
        return rc;
    }
    invalidate(app->problems, id);
    /* the package this one replaces, unless a judge still reads it */
    pkg_sweep(app);
    *info = problems_rec_json(&rec);
    json_object_set_new(*info, "warnings", warnings);   /* unknown keys, ... */
    problem_rec_clear(&rec);
    return 0;
}

int problems_unregister(struct app *app, const char *id)
{
    int rc = app->store->ops->problem_remove(app->store, id);
    if (rc)
        return rc;
    invalidate(app->problems, id);
    /* uploaded packages live in our data dir (server dirs are not ours);
     * one being judged goes when its last judge releases it */
    pkg_sweep(app);
    return 0;
}

