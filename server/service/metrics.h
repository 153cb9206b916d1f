/* metrics.h - counters for /metrics (Prometheus text format 0.0.4). */
#ifndef NSJUDGE_SERVER_METRICS_H
#define NSJUDGE_SERVER_METRICS_H

#include <stdatomic.h>
#include <stddef.h>

#define METRICS_VERDICTS 10   /* jd_verdict values */
#define METRICS_BUCKETS 12

struct metrics {
    atomic_long http_requests[6];         /* by status class 1xx..5xx; [0] other */
    atomic_long jobs[METRICS_VERDICTS];   /* finished jobs by verdict */
    atomic_long latency_bucket[METRICS_BUCKETS + 1]; /* judge latency, cumulative at render */
    atomic_long latency_count;
    _Atomic double latency_sum;
    atomic_long sandbox_failures;
    atomic_long workers_busy;
    atomic_long workers_total;
    atomic_long workers_failed;
    atomic_long callbacks_ok, callbacks_failed;
    atomic_long requeued;
    /* wait=true answers: [0] by the worker that judged the job, from the
     * row in memory; [1] by the sweep, from the store; [2] at shutdown */
    atomic_long wait_answers[3];
};

void metrics_init(struct metrics *m);
void metrics_http(struct metrics *m, int status);
void metrics_job(struct metrics *m, int verdict, double seconds);
/* Worker counts across processes (worker.c's workers_info_all). */
struct metrics_workers {
    long total, busy, failed, processes;
};
/* Appends the exposition text; queue_length is read from the store by the caller. */
char *metrics_render(struct metrics *m, long queue_length, const struct metrics_workers *wk,
                     const char *const *verdict_codes,
                     size_t *len);

#endif
