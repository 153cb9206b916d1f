/* queue.h - in-process wake-ups around the durable queue in the store:
 * "there is work" (to idle workers) and "a job finished" (to wait=true
 * requests). The store stays the source of truth; these only cut latency. */
#ifndef NSJUDGE_SERVER_QUEUE_H
#define NSJUDGE_SERVER_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct queue {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    uint64_t work_gen, done_gen;
    bool stopping;
};

void queue_init(struct queue *q);
void queue_destroy(struct queue *q);
void queue_notify_work(struct queue *q);
/* Waits until new work is announced or timeout. */
void queue_wait_work(struct queue *q, uint64_t *seen, int timeout_ms);
void queue_notify_done(struct queue *q);
uint64_t queue_done_gen(struct queue *q);
/* Waits until a job finishes after generation gen, stop, or timeout. */
void queue_wait_done(struct queue *q, uint64_t gen, int timeout_ms);
void queue_stop(struct queue *q);
bool queue_stopping(struct queue *q);

#endif
