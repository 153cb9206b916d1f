/* problems.c - problem registration and the shared cache of loaded problems. */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "server/problems.h"

struct problem_ref {
    char id[128];
    char version[32];       /* created_at of the registration it was loaded from */
    struct jd_problem *p;
    int refs;
    bool stale;             /* re-registered or deleted: free when unused */
    struct problem_ref *next;
};

struct problem_cache {
    pthread_mutex_t mu;
    struct problem_ref *head;
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

void problems_free(struct problem_cache *pc)
{
    if (!pc)
        return;
    for (struct problem_ref *e = pc->head, *n; e; e = n) {
        n = e->next;
        jd_problem_free(e->p);
        free(e);
    }
    pthread_mutex_destroy(&pc->mu);
    free(pc);
}

/* with the lock held */
static void sweep(struct problem_cache *pc)
{
    for (struct problem_ref **pp = &pc->head; *pp;) {
        struct problem_ref *e = *pp;
        if (e->stale && e->refs == 0) {
            *pp = e->next;
            jd_problem_free(e->p);
            free(e);
        } else {
            pp = &e->next;
        }
    }
}

static void invalidate(struct problem_cache *pc, const char *id)
{
    pthread_mutex_lock(&pc->mu);
    for (struct problem_ref *e = pc->head; e; e = e->next)
        if (!strcmp(e->id, id))
            e->stale = true;
    sweep(pc);
    pthread_mutex_unlock(&pc->mu);
}

int problems_acquire(struct app *app, const char *id, struct problem_ref **out,
                     char *err, size_t errlen)
{
    struct problem_cache *pc = app->problems;
    /* The store says which registration is current; a `nsjudge worker` in
     * another process learns of a re-registration this way too. */
    struct problem_rec rec;
    int rc = app->store->ops->problem_get(app->store, id, &rec);
    if (rc) {
        snprintf(err, errlen, "problem %s is not registered", id);
        return rc;
    }
    pthread_mutex_lock(&pc->mu);
    for (struct problem_ref *e = pc->head; e; e = e->next) {
        if (e->stale || strcmp(e->id, id))
            continue;
        if (strcmp(e->version, rec.created_at)) {
            e->stale = true;
            continue;
        }
        e->refs++;
        *out = e;
        sweep(pc);
        pthread_mutex_unlock(&pc->mu);
        problem_rec_clear(&rec);
        return 0;
    }
    sweep(pc);
    pthread_mutex_unlock(&pc->mu);

    struct problem_ref *e = calloc(1, sizeof *e);
    if (!e) {
        problem_rec_clear(&rec);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    snprintf(e->id, sizeof e->id, "%s", id);
    snprintf(e->version, sizeof e->version, "%s", rec.created_at);
    rc = jd_problem_load(rec.path, NULL, &e->p, err, errlen);
    problem_rec_clear(&rec);
    if (rc) {
        free(e);
        return rc;
    }
    /* Two workers may load the same problem at once; both entries are
     * valid, the cache just keeps both until they are invalidated. */
    pthread_mutex_lock(&pc->mu);
    e->refs = 1;
    e->next = pc->head;
    pc->head = e;
    pthread_mutex_unlock(&pc->mu);
    *out = e;
    return 0;
}

const struct jd_problem *problems_get(const struct problem_ref *r)
{
    return r->p;
}

void problems_release(struct app *app, struct problem_ref *r)
{
    struct problem_cache *pc = app->problems;
    pthread_mutex_lock(&pc->mu);
    r->refs--;
    sweep(pc);
    pthread_mutex_unlock(&pc->mu);
}

bool problems_valid_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (!n || n > 100 || s[0] == '.' || s[0] == '-')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return false;
    return true;
}

json_t *problems_rec_json(const struct problem_rec *p)
{
    return json_pack("{s:s, s:s?, s:s, s:s, s:I, s:s}", "id", p->id, "name", p->name,
                     "origin", p->origin ? p->origin : "", "path", p->path ? p->path : "",
                     "tests", (json_int_t)p->tests, "created_at", p->created_at);
}

int problems_register(struct app *app, const char *id, const char *dir, const char *origin,
                      json_t **info, char *err, size_t errlen)
{
    struct jd_problem *p;
    int rc = jd_problem_load(dir, NULL, &p, err, errlen);
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
    jd_problem_free(p);
    if (!rec.name || !rec.path || !rec.origin) {
        problem_rec_clear(&rec);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    rc = app->store->ops->problem_put(app->store, &rec);
    if (rc) {
        snprintf(err, errlen, "cannot store the problem: %s", strerror(-rc));
        problem_rec_clear(&rec);
        return rc;
    }
    invalidate(app->problems, id);
    *info = problems_rec_json(&rec);
    problem_rec_clear(&rec);
    return 0;
}

int problems_unregister(struct app *app, const char *id)
{
    struct problem_rec rec;
    int rc = app->store->ops->problem_get(app->store, id, &rec);
    if (rc)
        return rc;
    rc = app->store->ops->problem_remove(app->store, id);
    invalidate(app->problems, id);
    /* uploaded packages live in our data dir; server dirs are not ours */
    if (!rc && rec.origin && !strcmp(rec.origin, "upload"))
        problems_rmtree(rec.path);
    problem_rec_clear(&rec);
    return rc;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

int problems_rmtree(const char *path)
{
    return nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}
