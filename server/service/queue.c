/* queue.c - the in-process hand-offs of queue.h: condition variables for
 * worker wake-up and event streams, and the ring of handed jobs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "server/service/queue.h"

void queue_init(struct queue *q)
{
    pthread_condattr_t ca;
    pthread_mutex_init(&q->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->work, &ca);
    pthread_cond_init(&q->done, &ca);
    pthread_condattr_destroy(&ca);
    q->work_gen = q->done_gen = 0;
    q->stopping = false;
    q->handed_head = q->n_handed = q->n_reserved = q->n_set_aside = q->n_unstored = 0;
    q->store_queued = q->store_added = 0;
    q->store_queued_at = 0;
}

void queue_destroy(struct queue *q)
{
    struct submission *s;
    while ((s = queue_take_handed(q)) || (s = queue_take_set_aside(q)))
        submission_free(s);
    pthread_cond_destroy(&q->work);
    pthread_cond_destroy(&q->done);
    pthread_mutex_destroy(&q->mu);
}

static struct timespec deadline(int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

void queue_notify_work(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->work_gen++;
    pthread_cond_broadcast(&q->work);
    pthread_mutex_unlock(&q->mu);
}

void queue_wait_work(struct queue *q, uint64_t *seen, int timeout_ms)
{
    struct timespec ts = deadline(timeout_ms);
    pthread_mutex_lock(&q->mu);
    /* not ended by queue_stop(): workers have their own stop flag and keep
     * sleeping here (instead of spinning) until the pool stops them */
    while (q->work_gen == *seen)
        if (pthread_cond_timedwait(&q->work, &q->mu, &ts))
            break;
    *seen = q->work_gen;
    pthread_mutex_unlock(&q->mu);
}

void queue_notify_done(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->done_gen++;
    pthread_cond_broadcast(&q->done);
    pthread_mutex_unlock(&q->mu);
}

uint64_t queue_done_gen(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    uint64_t g = q->done_gen;
    pthread_mutex_unlock(&q->mu);
    return g;
}

void queue_wait_done(struct queue *q, uint64_t gen, int timeout_ms)
{
    struct timespec ts = deadline(timeout_ms);
    pthread_mutex_lock(&q->mu);
    while (!q->stopping && q->done_gen == gen)
        if (pthread_cond_timedwait(&q->done, &q->mu, &ts))
            break;
    pthread_mutex_unlock(&q->mu);
}

void queue_stop(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->stopping = true;
    /* the handed jobs only in memory leave the ring: no worker starts one
     * now, and the stop stores them (queue_take_set_aside) */
    size_t n = q->n_handed;
    q->n_handed = q->n_unstored = 0;
    for (size_t i = 0; i < n; i++) {
        struct submission *s = q->handed[(q->handed_head + i) % QUEUE_HANDED_MAX];
        if (s->unstored)
            q->set_aside[q->n_set_aside++] = s;
        else
            q->handed[(q->handed_head + q->n_handed++) % QUEUE_HANDED_MAX] = s;
    }
    pthread_cond_broadcast(&q->work);
    pthread_cond_broadcast(&q->done);
    pthread_mutex_unlock(&q->mu);
}

bool queue_stopping(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    bool s = q->stopping;
    pthread_mutex_unlock(&q->mu);
    return s;
}

bool queue_reserve(struct queue *q, size_t cap)
{
    if (cap > QUEUE_HANDED_MAX)
        cap = QUEUE_HANDED_MAX;
    pthread_mutex_lock(&q->mu);
    bool ok = !q->stopping && q->n_handed + q->n_reserved < cap;
    if (ok)
        q->n_reserved++;
    pthread_mutex_unlock(&q->mu);
    return ok;
}

void queue_unreserve(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    if (q->n_reserved)
        q->n_reserved--;
    pthread_mutex_unlock(&q->mu);
}

bool queue_hand(struct queue *q, struct submission *s)
{
    pthread_mutex_lock(&q->mu);
    if (q->n_reserved)
        q->n_reserved--;
    /* the reservation keeps the ring from filling up */
    bool ok = q->n_handed < QUEUE_HANDED_MAX && !q->stopping;
    if (ok) {
        q->handed[(q->handed_head + q->n_handed++) % QUEUE_HANDED_MAX] = s;
        q->n_unstored += s->unstored;
        q->work_gen++;
        pthread_cond_signal(&q->work);
    }
    pthread_mutex_unlock(&q->mu);
    if (!ok)
        submission_free(s);
    return ok;
}

struct submission *queue_take_handed(struct queue *q)
{
    struct submission *s = NULL;
    pthread_mutex_lock(&q->mu);
    if (q->n_handed) {
        s = q->handed[q->handed_head];
        q->handed_head = (q->handed_head + 1) % QUEUE_HANDED_MAX;
        q->n_handed--;
        q->n_unstored -= s->unstored;
    }
    pthread_mutex_unlock(&q->mu);
    return s;
}

size_t queue_n_handed(struct queue *q, size_t *unstored)
{
    pthread_mutex_lock(&q->mu);
    size_t n = q->n_handed;
    if (unstored)
        *unstored = q->n_unstored;
    pthread_mutex_unlock(&q->mu);
    return n;
}

size_t queue_handed_tokens(struct queue *q, char (*out)[40], size_t max)
{
    pthread_mutex_lock(&q->mu);
    size_t n = 0;
    for (size_t i = 0; i < q->n_handed && n < max; i++) {
        const struct submission *s = q->handed[(q->handed_head + i) % QUEUE_HANDED_MAX];
        if (!s->unstored)
            memcpy(out[n++], s->token, 40);
    }
    pthread_mutex_unlock(&q->mu);
    return n;
}

struct submission *queue_take_set_aside(struct queue *q)
{
    pthread_mutex_lock(&q->mu);
    struct submission *s = q->n_set_aside ? q->set_aside[--q->n_set_aside] : NULL;
    pthread_mutex_unlock(&q->mu);
    return s;
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int queue_store_count(struct queue *q, struct store *st, bool fresh, long *n)
{
    double now = mono_s();
    pthread_mutex_lock(&q->mu);
    bool recent = !fresh && q->store_queued_at && now - q->store_queued_at < QUEUE_COUNT_MAX_AGE_S;
    *n = q->store_queued;
    long added = q->store_added;
    pthread_mutex_unlock(&q->mu);
    if (recent)
        return 0;
    /* counted outside the lock: workers take jobs meanwhile */
    int rc = st->ops->count_status(st, 1, n);
    if (rc)
        return rc;
    pthread_mutex_lock(&q->mu);
    /* kept with our inserts made while it counted, which it may miss (at
     * worst counted twice: no hand-off for a moment, never one too early);
     * the caller gets the store's own figure */
    q->store_queued = *n + (q->store_added - added);
    q->store_queued_at = now;
    pthread_mutex_unlock(&q->mu);
    return 0;
}

void queue_count_add(struct queue *q, long n)
{
    pthread_mutex_lock(&q->mu);
    q->store_queued += n;
    q->store_added += n;
    pthread_mutex_unlock(&q->mu);
}
