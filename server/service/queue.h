/* queue.h - in-process wake-ups around the durable queue in the store:
 * "there is work" (to idle workers) and "a job finished" (to wait=true
 * requests). The store stays the source of truth; these only cut latency. */
#ifndef NSJUDGE_SERVER_QUEUE_H
#define NSJUDGE_SERVER_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* The tokens of jobs finished since the wait=true answerer last looked
 * (http.c): it then reads only those from the store instead of every
 * parked request's. More than this many, or a finish without a token (a
 * store event from another node), and it looks at all of them. */
#define QUEUE_DONE_TOKENS 256

struct queue {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    uint64_t work_gen, done_gen;
    bool stopping;
    char done_tokens[QUEUE_DONE_TOKENS][40];
    size_t n_done;
    bool done_all;
};

void queue_init(struct queue *q);
void queue_destroy(struct queue *q);
void queue_notify_work(struct queue *q);
/* Waits until new work is announced or timeout. */
void queue_wait_work(struct queue *q, uint64_t *seen, int timeout_ms);
/* A job finished (some job: every parked request is looked at) */
void queue_notify_done(struct queue *q);
/* This job finished. */
void queue_notify_done_token(struct queue *q, const char *token);
/* For the one wait=true answerer: moves the tokens noted since the last
 * call to out (at most QUEUE_DONE_TOKENS) and returns their number; *all
 * is set when any job may have finished, tokens or not. */
size_t queue_take_done(struct queue *q, char (*out)[40], bool *all);
uint64_t queue_done_gen(struct queue *q);
/* Waits until a job finishes after generation gen, stop, or timeout. */
void queue_wait_done(struct queue *q, uint64_t gen, int timeout_ms);
void queue_stop(struct queue *q);
bool queue_stopping(struct queue *q);

#endif
