/* metrics.c - Prometheus text exposition of the service counters. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "server/service/metrics.h"

static const double bounds[METRICS_BUCKETS] = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                               1, 2.5, 5, 10, 30, 60};

void metrics_init(struct metrics *m)
{
    memset(m, 0, sizeof *m);
}

void metrics_http(struct metrics *m, int status)
{
    int c = status / 100;
    atomic_fetch_add(&m->http_requests[c >= 1 && c <= 5 ? c : 0], 1);
}

void metrics_job(struct metrics *m, int verdict, double seconds)
{
    if (verdict >= 0 && verdict < METRICS_VERDICTS)
        atomic_fetch_add(&m->jobs[verdict], 1);
    int b = 0;
    while (b < METRICS_BUCKETS && seconds > bounds[b])
        b++;
    atomic_fetch_add(&m->latency_bucket[b], 1);
    atomic_fetch_add(&m->latency_count, 1);
    double old = atomic_load(&m->latency_sum);
    while (!atomic_compare_exchange_weak(&m->latency_sum, &old, old + seconds))
        ;
}

struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
};

static void add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)n < b->cap - b->n) {
            b->n += (size_t)n;
            return;
        }
        size_t nc = b->cap * 2 + (size_t)n;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
}

char *metrics_render(struct metrics *m, long queue_length, const struct metrics_workers *wk,
                     const char *const *codes, size_t *len)
{
    struct sbuf b = {malloc(4096), 0, 4096, 0};
    if (!b.p)
        return NULL;
    add(&b, "# HELP nsjudge_queue_length Submissions waiting in the queue.\n"
            "# TYPE nsjudge_queue_length gauge\nnsjudge_queue_length %ld\n", queue_length);
    /* workers of every process on this data dir, as /workers and /healthz */
    add(&b, "# HELP nsjudge_workers Worker threads (one sandbox slot each), in every process"
            " on this data dir.\n"
            "# TYPE nsjudge_workers gauge\nnsjudge_workers %ld\n", wk->total);
    add(&b, "# HELP nsjudge_workers_busy Workers judging a job right now.\n"
            "# TYPE nsjudge_workers_busy gauge\nnsjudge_workers_busy %ld\n", wk->busy);
    add(&b, "# HELP nsjudge_workers_failed Workers whose sandbox slot could not be opened.\n"
            "# TYPE nsjudge_workers_failed gauge\nnsjudge_workers_failed %ld\n", wk->failed);
    add(&b, "# HELP nsjudge_worker_processes Processes (serve or worker) with workers.\n"
            "# TYPE nsjudge_worker_processes gauge\nnsjudge_worker_processes %ld\n",
        wk->processes);
    add(&b, "# HELP nsjudge_jobs_total Finished jobs by verdict.\n# TYPE nsjudge_jobs_total counter\n");
    for (int v = 0; v < METRICS_VERDICTS; v++)
        add(&b, "nsjudge_jobs_total{verdict=\"%s\"} %ld\n", codes[v], atomic_load(&m->jobs[v]));
    add(&b, "# HELP nsjudge_judge_seconds Time from claiming a job to its result.\n"
            "# TYPE nsjudge_judge_seconds histogram\n");
    long cum = 0;
    for (int i = 0; i < METRICS_BUCKETS; i++) {
        cum += atomic_load(&m->latency_bucket[i]);
        add(&b, "nsjudge_judge_seconds_bucket{le=\"%g\"} %ld\n", bounds[i], cum);
    }
    cum += atomic_load(&m->latency_bucket[METRICS_BUCKETS]);
    add(&b, "nsjudge_judge_seconds_bucket{le=\"+Inf\"} %ld\n", cum);
    add(&b, "nsjudge_judge_seconds_sum %.6f\nnsjudge_judge_seconds_count %ld\n",
        atomic_load(&m->latency_sum), atomic_load(&m->latency_count));
    add(&b, "# HELP nsjudge_sandbox_failures_total Runs where the sandbox itself failed.\n"
            "# TYPE nsjudge_sandbox_failures_total counter\nnsjudge_sandbox_failures_total %ld\n",
        atomic_load(&m->sandbox_failures));
    add(&b, "# HELP nsjudge_jobs_requeued_total Jobs put back in the queue (dead owner, expired lease, shutdown).\n"
            "# TYPE nsjudge_jobs_requeued_total counter\nnsjudge_jobs_requeued_total %ld\n",
        atomic_load(&m->requeued));
    add(&b, "# HELP nsjudge_wait_answers_total wait=true answers by who gave them.\n"
            "# TYPE nsjudge_wait_answers_total counter\n"
            "nsjudge_wait_answers_total{by=\"worker\"} %ld\nnsjudge_wait_answers_total{by=\"sweep\"} %ld\n"
            "nsjudge_wait_answers_total{by=\"shutdown\"} %ld\n",
        atomic_load(&m->wait_answers[0]), atomic_load(&m->wait_answers[1]),
        atomic_load(&m->wait_answers[2]));
    add(&b, "# HELP nsjudge_callbacks_total Callback deliveries by outcome.\n"
            "# TYPE nsjudge_callbacks_total counter\n"
            "nsjudge_callbacks_total{outcome=\"ok\"} %ld\nnsjudge_callbacks_total{outcome=\"failed\"} %ld\n",
        atomic_load(&m->callbacks_ok), atomic_load(&m->callbacks_failed));
    add(&b, "# HELP nsjudge_http_requests_total HTTP requests by status class.\n"
            "# TYPE nsjudge_http_requests_total counter\n");
    static const char *const cls[] = {"other", "1xx", "2xx", "3xx", "4xx", "5xx"};
    for (int i = 0; i < 6; i++)
        add(&b, "nsjudge_http_requests_total{code=\"%s\"} %ld\n", cls[i],
            atomic_load(&m->http_requests[i]));
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    *len = b.n;
    return b.p;
}
