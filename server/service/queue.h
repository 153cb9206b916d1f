/* queue.h - in-process hand-offs around the durable queue in the store:
 * "there is work" (to idle workers), "a job finished" (to event streams),
 * and jobs handed to this process's workers in memory. The store stays the
 * source of truth: a handed job is a claimed row, put back by the usual
 * lease rules if this process dies; or, for a wait=true request, only in
 * memory until it is done (stored once, with its result): that request has
 * not been answered, so a crash loses nothing anyone was told of. */
#ifndef NSJUDGE_SERVER_QUEUE_H
#define NSJUDGE_SERVER_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "server/service/store.h"

/* At most this many jobs wait in memory for this process's workers. */
#define QUEUE_HANDED_MAX 256

struct queue {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    uint64_t work_gen, done_gen;
    bool stopping;
    /* jobs handed to this process's workers: inserted already claimed by
     * this process (store insert_claimed), so a worker takes one without
     * a claim; a ring, oldest at handed_head */
    struct submission *handed[QUEUE_HANDED_MAX];
    size_t handed_head, n_handed, n_reserved, n_unstored;
    /* handed jobs only in memory (submission.unstored) that no worker
     * took before queue_stop: taken out of the ring for the stop to store */
    struct submission *set_aside[QUEUE_HANDED_MAX];
    size_t n_set_aside;
    /* the store's count of queued jobs, as last read (queue_store_count)
     * plus our inserts since; and every insert of ours, ever */
    long store_queued, store_added;
    double store_queued_at;   /* CLOCK_MONOTONIC seconds; 0: never read */
};

/* How old a count of the store's queued jobs may be (queue_store_count). */
#define QUEUE_COUNT_MAX_AGE_S 0.05

void queue_init(struct queue *q);
void queue_destroy(struct queue *q);
void queue_notify_work(struct queue *q);
/* Waits until new work is announced or timeout. */
void queue_wait_work(struct queue *q, uint64_t *seen, int timeout_ms);
/* A job finished (here or, from the store's events, anywhere): event
 * streams look again. */
void queue_notify_done(struct queue *q);
uint64_t queue_done_gen(struct queue *q);
/* Waits until a job finishes after generation gen, stop, or timeout. */
void queue_wait_done(struct queue *q, uint64_t gen, int timeout_ms);
/* Reserves a place for a job about to be handed, while fewer than cap
 * are handed or reserved (and not stopping); false: none. */
bool queue_reserve(struct queue *q, size_t cap);
void queue_unreserve(struct queue *q);
/* Hands a claimed job to the workers into the place reserved for it (the
 * queue owns *s from here, also when it returns false: stopping). Wakes
 * a worker. */
bool queue_hand(struct queue *q, struct submission *s);
/* The oldest handed job, or NULL; the caller frees it (submission_free). */
struct submission *queue_take_handed(struct queue *q);
/* How many are handed and not yet taken; *unstored (may be NULL): how
 * many of them are only in memory. */
size_t queue_n_handed(struct queue *q, size_t *unstored);
/* The tokens of the handed jobs not yet taken that have rows (at most
 * max), for the lease renewer. */
size_t queue_handed_tokens(struct queue *q, char (*out)[40], size_t max);
/* Stops hand-offs; the handed jobs only in memory are set aside. */
void queue_stop(struct queue *q);
/* The store's queued jobs (status 1) in *n: read from st when fresh is
 * set or the last count is older than QUEUE_COUNT_MAX_AGE_S, else the last
 * count plus this process's own queued inserts since (queue_count_add).
 * So a new submission costs no count statement under load; another
 * process's inserts are seen up to that much later. -errno from st. */
int queue_store_count(struct queue *q, struct store *st, bool fresh, long *n);
/* This process queued n jobs in the store. */
void queue_count_add(struct queue *q, long n);
/* One of the jobs queue_stop set aside (the caller frees it), or NULL. */
struct submission *queue_take_set_aside(struct queue *q);
bool queue_stopping(struct queue *q);

#endif
