/*
 * waits.c - wait=true requests, parked until their job is done.
 *
 * Each parked request sits in a small hash table by token. A worker of
 * this process that stores a result hands the whole row here
 * (waits_done), which answers the request from memory on that thread: no
 * store read and no hand-off to another thread per job. A job another
 * process finished sends no such call, so a sweep thread reads the parked
 * tokens from the store every WAITS_SWEEP_S, and at once when the store
 * reports a finish (waits_poke, from its LISTEN thread). A parked single
 * run handed to a worker here has no row until it is done
 * (workers_submit): the sweep finds nothing for it, and its worker answers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "server/service/judge0_json.h"
#include "server/service/waits.h"

#define WAITS_SWEEP_S 0.25
#define WAITS_BUCKETS 256

struct parked_wait {
    char token[40];
    struct http_parked *p;
    struct wait_answer a;
    struct parked_wait *next;
};

struct waits {
    pthread_mutex_t mu;
    pthread_cond_t cv;            /* the sweep sleeps on it */
    struct parked_wait *bucket[WAITS_BUCKETS];
    size_t n;
    int answering;                /* taken out of the table, answer not yet given */
    bool stop, poked;
    pthread_t th;
};

static unsigned bucket_of(const char *token)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (const char *c = token; *c; c++)
        h = (h ^ (unsigned char)*c) * 16777619u;
    return h % WAITS_BUCKETS;
}

/* Takes token's entry out of the table (under w->mu), or NULL. */
static struct parked_wait *unlink_locked(struct waits *ws, const char *token)
{
    for (struct parked_wait **pp = &ws->bucket[bucket_of(token)]; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->token, token)) {
            struct parked_wait *e = *pp;
            *pp = e->next;
            ws->n--;
            ws->answering++;
            return e;
        }
    return NULL;
}

enum { BY_WORKER, BY_SWEEP, BY_SHUTDOWN };

/* Gives an unlinked request its answer; waits_stop waits for every one
 * under way, so none reaches the HTTP server after it stopped. */
static void give(struct app *app, struct parked_wait *e, struct http_resp *w)
{
    struct waits *ws = app->waits;
    http_parked_answer(app, e->p, w);
    free(e);
    pthread_mutex_lock(&ws->mu);
    if (--ws->answering == 0 && ws->stop)
        pthread_cond_broadcast(&ws->cv);
    pthread_mutex_unlock(&ws->mu);
}

/* s NULL: the row could not be read (rc), a stop being the only time one
 * may be missing (a job only in memory the stop could not store). */
static void answer(struct app *app, struct parked_wait *e, const struct submission *s, int rc,
                   int by)
{
    atomic_fetch_add(&app->metrics.wait_answers[by], 1);
    struct http_resp w = {0};
    if (s)
        e->a.render(app, s, e->a.arg, e->a.flag, &w);
    else if (rc == -ENOENT && by == BY_SHUTDOWN)
        http_error(&w, 503, "the service is stopping and the submission was not stored: send it again");
    else
        http_error(&w, 500, "submission vanished while waiting");
    give(app, e, &w);
    free(w.body);
}

/* Answers from the store: when done, or as it stands when force. */
static bool answer_from_store(struct app *app, const char *token, bool force)
{
    struct submission s;
    int rc = app->store->ops->get(app->store, token, &s);
    /* not done; or not there yet: a request is parked before its row is
     * inserted (so its finish cannot be missed); or a store error */
    if (!force && (rc || s.status_id <= J0_PROCESSING)) {
        if (!rc)
            submission_clear(&s);
        return false;
    }
    struct waits *ws = app->waits;
    pthread_mutex_lock(&ws->mu);
    struct parked_wait *e = unlink_locked(ws, token);
    pthread_mutex_unlock(&ws->mu);
    if (e)
        answer(app, e, rc ? NULL : &s, rc, force ? BY_SHUTDOWN : BY_SWEEP);
    if (!rc)
        submission_clear(&s);
    return true;
}

/* The parked tokens now (malloc'd, *n of them). */
static char (*parked_tokens(struct waits *ws, size_t *n))[40]
{
    pthread_mutex_lock(&ws->mu);
    char (*v)[40] = ws->n ? malloc(ws->n * sizeof *v) : NULL;
    *n = 0;
    for (int b = 0; v && b < WAITS_BUCKETS; b++)
        for (struct parked_wait *e = ws->bucket[b]; e; e = e->next)
            memcpy(v[(*n)++], e->token, 40);
    pthread_mutex_unlock(&ws->mu);
    return v;
}

static void *sweep_main(void *arg)
{
    struct app *app = arg;
    struct waits *ws = app->waits;
    pthread_mutex_lock(&ws->mu);
    while (!ws->stop) {
        if (!ws->poked) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_nsec += (long)(WAITS_SWEEP_S * 1e9);
            ts.tv_sec += ts.tv_nsec / 1000000000L;
            ts.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&ws->cv, &ws->mu, &ts);
        }
        ws->poked = false;
        if (ws->stop || !ws->n)
            continue;
        pthread_mutex_unlock(&ws->mu);
        size_t n;
        char (*v)[40] = parked_tokens(ws, &n);
        for (size_t i = 0; i < n; i++)
            answer_from_store(app, v[i], false);
        free(v);
        pthread_mutex_lock(&ws->mu);
    }
    pthread_mutex_unlock(&ws->mu);
    return NULL;
}

int waits_start(struct app *app, char *err, size_t errlen)
{
    struct waits *ws = calloc(1, sizeof *ws);
    if (!ws) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ws->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&ws->mu, NULL);
    app->waits = ws;
    int rc = pthread_create(&ws->th, NULL, sweep_main, app);
    if (rc) {
        app->waits = NULL;
        pthread_mutex_destroy(&ws->mu);
        pthread_cond_destroy(&ws->cv);
        free(ws);
        snprintf(err, errlen, "cannot start the wait=true sweep: %s", strerror(rc));
        return -rc;
    }
    return 0;
}

int waits_park(struct app *app, const struct http_req *r, struct http_resp *w,
               const char *token, const struct wait_answer *a)
{
    struct waits *ws = app->waits;
    struct parked_wait *e = ws ? calloc(1, sizeof *e) : NULL;
    if (!e)
        return -ECANCELED;
    snprintf(e->token, sizeof e->token, "%s", token);
    e->a = *a;
    pthread_mutex_lock(&ws->mu);
    if (ws->stop || !(e->p = http_park(r, w))) {
        pthread_mutex_unlock(&ws->mu);
        free(e);
        return -ECANCELED;
    }
    unsigned b = bucket_of(token);
    e->next = ws->bucket[b];
    ws->bucket[b] = e;
    ws->n++;
    pthread_mutex_unlock(&ws->mu);
    return 0;
}

void waits_cancel(struct app *app, const char *token, struct http_resp *w)
{
    struct waits *ws = app->waits;
    pthread_mutex_lock(&ws->mu);
    struct parked_wait *e = unlink_locked(ws, token);
    pthread_mutex_unlock(&ws->mu);
    if (e)
        give(app, e, w);
}

void waits_done(struct app *app, const struct submission *s)
{
    struct waits *ws = app->waits;
    if (!ws)
        return; /* a worker-only process parks nothing */
    pthread_mutex_lock(&ws->mu);
    struct parked_wait *e = ws->n ? unlink_locked(ws, s->token) : NULL;
    pthread_mutex_unlock(&ws->mu);
    if (e)
        answer(app, e, s, 0, BY_WORKER);
}

void waits_poke(struct app *app)
{
    struct waits *ws = app->waits;
    if (!ws)
        return;
    pthread_mutex_lock(&ws->mu);
    ws->poked = true;
    pthread_cond_signal(&ws->cv);
    pthread_mutex_unlock(&ws->mu);
}

void waits_stop(struct app *app)
{
    struct waits *ws = app->waits;
    if (!ws)
        return;
    pthread_mutex_lock(&ws->mu);
    bool was = ws->stop;
    ws->stop = true;
    pthread_cond_signal(&ws->cv);
    pthread_mutex_unlock(&ws->mu);
    if (was)
        return;
    pthread_join(ws->th, NULL);
    /* nothing is parked from here (stop is set): answer what is */
    size_t n;
    char (*v)[40] = parked_tokens(ws, &n);
    for (size_t i = 0; i < n; i++)
        answer_from_store(app, v[i], true);
    free(v);
    pthread_mutex_lock(&ws->mu);
    while (ws->answering)
        pthread_cond_wait(&ws->cv, &ws->mu);
    pthread_mutex_unlock(&ws->mu);
}

void waits_free(struct app *app)
{
    struct waits *ws = app->waits;
    if (!ws)
        return;
    app->waits = NULL;
    pthread_mutex_destroy(&ws->mu);
    pthread_cond_destroy(&ws->cv);
    free(ws);
}
