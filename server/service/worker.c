/*
 * worker.c - judging workers. Each thread owns one sandbox slot (slot ids
 * are cfg.slot_id_base + index, unique in the process), claims the oldest
 * queued job, judges it (job.c) and writes the result. The
 * lease renewer thread renews this process's leases so jobs are not stolen while
 * they run, and requeues the jobs of owners that died.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "server/service/callback.h"
#include "server/service/job.h"
#include "server/service/judge0_json.h"
#include "server/service/submission_cols.h"
#include "server/service/waits.h"
#include "server/service/worker.h"
#include "sandbox/util.h"
#include <jansson.h>

enum { W_STARTING, W_IDLE, W_BUSY, W_FAILED, W_DONE };

struct worker {
    struct worker_pool *pool;
    int idx;
    pthread_t th;
    atomic_int state;
    /* two slots: a problem's interactive tests need one box for the
     * submission and one for its validator at the same time */
    struct sb_slot *slot, *slot2;
    char scratch[512];         /* problem judging */
    char single_scratch[520];  /* Judge0 single runs: a tmpfs (else a plain dir) */
    int cpu;                   /* its boxes run there (pin_workers), or -1 */
    /* the job being judged ("" when none), for the lease renewer; and,
     * when it is a job only in memory (unstored), the job itself, for
     * workers_store_unstored at a stop (stored: its row is claimed now) */
    pthread_mutex_t job_mu;
    char job[40];
    struct submission *unstored;
    bool stored;
};

/* The single runs' scratch is a tmpfs mounted once per worker: a job's
 * files (source, stdin, stdout, stderr) created and removed on the data
 * dir's filesystem cost more than a trivial job's run. The size bounds
 * what the runs' outputs may hold at once (each is also capped by its
 * max_file_size). Not under scratch: a problem judge unmounts all below it. */
#define SINGLE_SCRATCH_KIB (512 * 1024)

struct worker_pool {
    struct app *app;
    int n;
    struct worker *w;
    atomic_bool stop;
    pthread_t renewer;
    pthread_mutex_t mu;
    pthread_cond_t cv;   /* the renewer sleeps on it so stop is prompt */
};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the worker thread ------------------------------------------------------------ */

static int verdict_index(const char *code)
{
    jd_verdict v;
    return code && !jd_verdict_parse(code, &v) ? (int)v : (int)JD_JE;
}

/* Stores the result of s (res's results are moved into s, which becomes
 * the row as stored): an update of its claimed row, or, for a job only in
 * memory, the insert of its whole row. Under job_mu, so that a stop
 * either stores the job first (and this updates it) or sees it done. */
static int store_result(struct worker *w, struct submission *s, struct submission *res,
                        char *err, size_t errlen)
{
    struct store *st = w->pool->app->store;
    pthread_mutex_lock(&w->job_mu); /* a stop may be copying s */
    sub_cols_move_results(s, res);
    int rc;
    if (s->unstored && !w->stored) {
        rc = st->ops->insert_done(st, s, err, errlen);
    } else {
        rc = st->ops->finish(st, s, w->pool->app->owner);
        snprintf(err, errlen, "%s", rc ? strerror(-rc) : "");
    }
    w->unstored = NULL;
    pthread_mutex_unlock(&w->job_mu);
    return rc;
}

static void run_job(struct worker *w, struct submission *s)
{
    struct app *app = w->pool->app;
    struct submission res;
    submission_init(&res);
    snprintf(res.token, sizeof res.token, "%s", s->token);
    res.attempts = s->attempts; /* finish() lands only for this very claim */
    double t0 = mono_s();
    if (s->attempts > app->cfg.max_attempts) {
        /* the store settles these when it puts them back; one queued by an
         * older nsjudge or under a larger max_attempts still ends here */
        char msg[200];
        snprintf(msg, sizeof msg, "gave up after %d" STORE_GAVE_UP_TAIL, s->attempts - 1);
        job_internal_error(&res, msg);
    } else {
        struct sb_slot *slots[2] = {w->slot, w->slot2};
        job_judge(app, slots, 2, s->problem_id ? w->scratch : w->single_scratch, s, &res);
    }
    if (!res.verdict && res.status_id < 3)
        job_internal_error(&res, "the judge returned no verdict");
    store_now_iso(res.finished_at);
    double dt = mono_s() - t0;
    char err[300], q[400];
    int rc = store_result(w, s, &res, err, sizeof err);
    if (rc)
        nlog(&app->log, LOG_WARN, "job_result_dropped", "token=%s worker=%d error=%s", s->token,
             w->idx, log_quote(err, q, sizeof q));
    metrics_job(&app->metrics, verdict_index(s->verdict), dt);
    queue_notify_done(&app->queue);
    if (!rc && s->callback_url && app->callbacks)
        callbacks_enqueue(app->callbacks, s->token);
    nlog(&app->log, LOG_INFO, "job",
         "token=%s worker=%d language_id=%d problem=%s status=%d verdict=%s time=%.3f memory=%ld ms=%.1f attempt=%d",
         s->token, w->idx, s->language_id, s->problem_id ? s->problem_id : "-", s->status_id,
         s->verdict ? s->verdict : "-", s->time < 0 ? 0 : s->time, s->memory, dt * 1e3,
         s->attempts);
    if (!rc)
        waits_done(app, s); /* a wait=true request answers from the row */
    submission_clear(&res);
}

#define IDLE_POLL_EVENTS_MS 5000

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct worker_pool *pool = w->pool;
    struct app *app = pool->app;
    char err[512];
    uint64_t seen = 0;
    int slot_id = app->cfg.slot_id_base + w->idx;

    while (!atomic_load(&pool->stop)) {
        struct sb_slot_options so = {.id = slot_id, .pin_cpu = w->cpu >= 0, .cpu = w->cpu};
        /* sb_slot_open is safe from several threads (the sandbox opens one
         * slot at a time: its helpers must not inherit another open's pipes) */
        int orc = sb_slot_open(&so, &w->slot, err, sizeof err);
        if (orc == 0) {
            struct sb_slot_options so2 = {.id = slot_id + 10000};
            orc = sb_slot_open(&so2, &w->slot2, err, sizeof err);
            if (orc < 0) {
                sb_slot_close(w->slot);
                w->slot = NULL;
            }
        }
        if (orc == 0)
            break;
        char q[600];
        if (atomic_exchange(&w->state, W_FAILED) != W_FAILED) {
            atomic_fetch_add(&app->metrics.workers_failed, 1);
            nlog(&app->log, LOG_ERROR, "worker_slot_failed", "worker=%d slot=%d error=%s", w->idx,
                 slot_id, log_quote(err, q, sizeof q));
        }
        w->slot = NULL;
        for (int i = 0; i < 50 && !atomic_load(&pool->stop); i++)
            usleep(100000);
    }
    if (atomic_load(&w->state) == W_FAILED && w->slot)
        atomic_fetch_sub(&app->metrics.workers_failed, 1);
    if (!w->slot) {
        atomic_store(&w->state, W_DONE);
        return NULL;
    }
    /* mounts a killed earlier process left here go first */
    sb_scratch_umount_under(w->single_scratch);
    bool single_tmpfs = sb_scratch_mount(w->single_scratch, SINGLE_SCRATCH_KIB, err, sizeof err) == 0;
    if (!single_tmpfs) {
        char q[600];
        nlog(&app->log, LOG_WARN, "worker_scratch_not_tmpfs", "worker=%d dir=%s error=%s", w->idx,
             w->single_scratch, log_quote(err, q, sizeof q));
    }
    atomic_store(&w->state, W_IDLE);

    while (!atomic_load(&pool->stop)) {
        struct submission s;
        /* jobs handed in memory first: they are claimed already, and older
         * than any the store holds (workers_submit hands none while the
         * store has jobs waiting) */
        pthread_mutex_lock(&w->job_mu); /* taken and named at once, for a stop */
        struct submission *h = queue_take_handed(&app->queue);
        if (h) {
            s = *h;
            free(h);
            snprintf(w->job, sizeof w->job, "%s", s.token);
            w->unstored = s.unstored ? &s : NULL;
            w->stored = false;
        }
        pthread_mutex_unlock(&w->job_mu);
        int rc = h ? 0 : app->store->ops->claim(app->store, app->owner, app->cfg.lease_s, &s);
        if (rc == -ENOENT) {
            /* a store with events (PostgreSQL LISTEN) wakes us for other
             * nodes' jobs; its slow poll is only a safety net. Without
             * (SQLite), another process's job is seen within 500 ms. */
            queue_wait_work(&app->queue, &seen, app->store->events ? IDLE_POLL_EVENTS_MS : 500);
            continue;
        }
        if (rc) {
            nlog(&app->log, LOG_ERROR, "claim_failed", "worker=%d error=%d", w->idx, rc);
            usleep(500000);
            continue;
        }
        atomic_store(&w->state, W_BUSY);
        atomic_fetch_add(&app->metrics.workers_busy, 1);
        if (!h) {
            pthread_mutex_lock(&w->job_mu);
            snprintf(w->job, sizeof w->job, "%s", s.token);
            pthread_mutex_unlock(&w->job_mu);
        }
        run_job(w, &s);
        pthread_mutex_lock(&w->job_mu);
        w->job[0] = 0;
        pthread_mutex_unlock(&w->job_mu);
        atomic_fetch_sub(&app->metrics.workers_busy, 1);
        atomic_store(&w->state, W_IDLE);
        submission_clear(&s);
    }
    sb_slot_close(w->slot);
    sb_slot_close(w->slot2);
    w->slot = w->slot2 = NULL;
    if (single_tmpfs)
        sb_scratch_umount_under(w->single_scratch);
    atomic_store(&w->state, W_DONE);
    return NULL;
}

/* ---- leases and dead owners ------------------------------------------------------------ */

/* owner = "host:pid:start" */
static bool owner_dead(struct app *app, const char *owner)
{
    if (!strcmp(owner, app->owner))
        return false;
    size_t hl = strlen(app->host);
    if (strncmp(owner, app->host, hl) || owner[hl] != ':')
        return false; /* another host: only its lease can tell */
    long pid = strtol(owner + hl + 1, NULL, 10);
    if (pid <= 0)
        return false;
    if (kill((pid_t)pid, 0) && errno == ESRCH)
        return true;
    /* the pid lives, but is it still the same process? compare start time */
    const char *st = strchr(owner + hl + 1, ':');
    if (!st)
        return false;
    unsigned long long start = sb_proc_start_time((pid_t)pid);
    return start && start != strtoull(st + 1, NULL, 10);
}

long workers_reap(struct app *app)
{
    long total = 0, n = 0;
    char **owners;
    size_t no;
    if (app->store->ops->owners(app->store, &owners, &no) == 0) {
        for (size_t i = 0; i < no; i++)
            if (owner_dead(app, owners[i]) &&
                app->store->ops->requeue(app->store, owners[i], &n) == 0 && n) {
                char q[200];
                nlog(&app->log, LOG_WARN, "requeued", "owner=%s jobs=%ld reason=owner_dead",
                     log_quote(owners[i], q, sizeof q), n);
                total += n;
            }
        store_free_strv(owners, no);
    }
    if (app->store->ops->requeue(app->store, NULL, &n) == 0 && n) {
        nlog(&app->log, LOG_WARN, "requeued", "jobs=%ld reason=lease_expired", n);
        total += n;
    }
    if (total) {
        atomic_fetch_add(&app->metrics.requeued, total);
        queue_notify_work(&app->queue);
    }
    return total;
}

/* The lease renewer beats at most every RENEW_MAX_PERIOD_S; a pool row not beaten
 * for three periods belongs to a process that is gone (kill -9, another
 * host down) and its workers are not counted. */
#define RENEW_MAX_PERIOD_S 5.0
#define POOL_MAX_AGE_S (3 * RENEW_MAX_PERIOD_S)

static void pool_beat(struct app *app)
{
    struct workers_info wi;
    workers_info(app, &wi);
    if (!wi.total)
        return; /* an API-only serve has no workers to offer */
    struct store_pool p = {.owner = app->owner, .total = wi.total, .busy = wi.busy,
                           .idle = wi.idle, .failed = wi.failed};
    app->store->ops->pool_beat(app->store, &p);
}

/* The lease of each job a worker here is judging; nothing else of ours. */
static void renew_running(struct worker_pool *pool)
{
    struct app *app = pool->app;
    for (int i = 0; i < pool->n; i++) {
        char job[40];
        struct worker *w = &pool->w[i];
        pthread_mutex_lock(&w->job_mu);
        /* a job only in memory has no row, so no lease */
        snprintf(job, sizeof job, "%s", w->unstored && !w->stored ? "" : w->job);
        pthread_mutex_unlock(&w->job_mu);
        if (job[0])
            app->store->ops->renew_job(app->store, job, app->owner, app->cfg.lease_s);
    }
    static char handed[QUEUE_HANDED_MAX][40]; /* the renewer is one thread */
    size_t n = queue_handed_tokens(&app->queue, handed, QUEUE_HANDED_MAX);
    for (size_t i = 0; i < n; i++)
        app->store->ops->renew_job(app->store, handed[i], app->owner, app->cfg.lease_s);
}

static void *renewer_main(void *arg)
{
    struct worker_pool *pool = arg;
    struct app *app = pool->app;
    double period = app->cfg.lease_s / 4;
    if (period > RENEW_MAX_PERIOD_S)
        period = RENEW_MAX_PERIOD_S;
    if (period < 0.2)
        period = 0.2;
    pool_beat(app); /* seen by the other processes from the start */
    pthread_mutex_lock(&pool->mu);
    while (!atomic_load(&pool->stop)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long ns = ts.tv_nsec + (long)((period - (long)period) * 1e9);
        ts.tv_sec += (time_t)period + ns / 1000000000L;
        ts.tv_nsec = ns % 1000000000L;
        pthread_cond_timedwait(&pool->cv, &pool->mu, &ts);
        if (atomic_load(&pool->stop))
            break;
        pthread_mutex_unlock(&pool->mu);
        renew_running(pool);
        pool_beat(app);
        workers_reap(app);
        pthread_mutex_lock(&pool->mu);
    }
    pthread_mutex_unlock(&pool->mu);
    return NULL;
}

int workers_start(struct app *app, int n, char *err, size_t errlen)
{
    struct worker_pool *pool = calloc(1, sizeof *pool);
    if (!pool || !(pool->w = calloc((size_t)(n > 0 ? n : 1), sizeof *pool->w))) {
        free(pool);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    pool->app = app;
    pthread_mutex_init(&pool->mu, NULL);
    pthread_cond_init(&pool->cv, NULL);
    app->workers = pool;
    /* one CPU per worker for its submissions' boxes when there are enough
     * (the validators' second slot is left to the scheduler) */
    cpu_set_t ours;
    int cpus[CPU_SETSIZE], n_cpus = 0;
    if (app->cfg.pin_workers && sched_getaffinity(0, sizeof ours, &ours) == 0)
        for (int c = 0; c < CPU_SETSIZE; c++)
            if (CPU_ISSET(c, &ours))
                cpus[n_cpus++] = c;
    for (int i = 0; i < n; i++) {
        struct worker *w = &pool->w[i];
        w->pool = pool;
        w->idx = i;
        w->cpu = n <= n_cpus ? cpus[i] : -1;
        pthread_mutex_init(&w->job_mu, NULL);
        atomic_store(&w->state, W_STARTING);
        snprintf(w->scratch, sizeof w->scratch, "%s/scratch/slot%d", app->cfg.data_dir,
                 app->cfg.slot_id_base + i);
        snprintf(w->single_scratch, sizeof w->single_scratch, "%s-single", w->scratch);
        int rc = sb_mkdir_p(w->scratch, 0755);
        if (!rc)
            rc = sb_mkdir_p(w->single_scratch, 0755);
        if (rc) {
            snprintf(err, errlen, "cannot create %s: %s", w->scratch, strerror(-rc));
            return rc;
        }
        if ((rc = pthread_create(&w->th, NULL, worker_main, w))) {
            snprintf(err, errlen, "cannot start a worker thread: %s", strerror(rc));
            return -rc;
        }
        pool->n++;
        atomic_fetch_add(&app->metrics.workers_total, 1);
    }
    int rc = pthread_create(&pool->renewer, NULL, renewer_main, pool);
    if (rc) {
        snprintf(err, errlen, "cannot start the lease renewer: %s", strerror(rc));
        return -rc;
    }
    return 0;
}

int workers_stop(struct app *app, double grace_s)
{
    struct worker_pool *pool = app->workers;
    if (!pool)
        return 0;
    atomic_store(&pool->stop, true);
    pthread_mutex_lock(&pool->mu);
    pthread_cond_broadcast(&pool->cv);
    pthread_mutex_unlock(&pool->mu);
    queue_notify_work(&app->queue);
    pthread_join(pool->renewer, NULL);
    /* no longer taking jobs: other processes must stop counting us now */
    app->store->ops->pool_gone(app->store, app->owner);
    double until = mono_s() + grace_s;
    for (;;) {
        int running = 0;
        for (int i = 0; i < pool->n; i++)
            if (atomic_load(&pool->w[i].state) != W_DONE)
                running++;
        if (!running)
            break;
        if (mono_s() > until) {
            long n = 0;
            app->store->ops->requeue(app->store, app->owner, &n);
            nlog(&app->log, LOG_WARN, "shutdown_requeued", "jobs=%ld running_workers=%d", n, running);
            return -ETIMEDOUT;
        }
        usleep(20000);
    }
    for (int i = 0; i < pool->n; i++) {
        pthread_join(pool->w[i].th, NULL);
        pthread_mutex_destroy(&pool->w[i].job_mu);
    }
    /* handed jobs no worker took: back to the store's queue for the next
     * process (ours are all done, so every job this owner holds is one) */
    struct submission *h;
    while ((h = queue_take_handed(&app->queue)))
        submission_free(h);
    long n = 0;
    if (app->store->ops->requeue(app->store, app->owner, &n) == 0 && n)
        nlog(&app->log, LOG_INFO, "shutdown_requeued", "jobs=%ld reason=not_started", n);
    pthread_mutex_destroy(&pool->mu);
    pthread_cond_destroy(&pool->cv);
    free(pool->w);
    free(pool);
    app->workers = NULL;
    return 0;
}

int workers_submit(struct app *app, struct submission *s, bool unstored_ok, long *queued,
                   char *err, size_t errlen)
{
    struct worker_pool *pool = app->workers;
    /* only workers with a slot take jobs: one still opening its slot (or
     * failing to) would hold the job while other processes could run it */
    size_t ready = 0;
    for (int i = 0; pool && i < pool->n; i++) {
        int st = atomic_load(&pool->w[i].state);
        ready += st == W_IDLE || st == W_BUSY;
    }
    size_t cap = ready * (size_t)app->cfg.handoff_per_worker;
    if (*queued == 0 && cap && !atomic_load(&pool->stop) && queue_reserve(&app->queue, cap)) {
        struct submission *h = malloc(sizeof *h);
        if (!h) {
            queue_unreserve(&app->queue);
            snprintf(err, errlen, "out of memory");
            return -ENOMEM;
        }
        int rc = 0;
        if (unstored_ok) {
            /* stored once, with its result: as a claim would leave it */
            s->unstored = true;
            s->status_id = J0_PROCESSING;
            s->attempts = 1;
            store_now_iso(s->created_at);
        } else {
            rc = app->store->ops->insert_claimed(app->store, s, app->owner, app->cfg.lease_s,
                                                 err, errlen);
        }
        if (rc) {
            queue_unreserve(&app->queue);
            free(h);
            return rc;
        }
        *h = *s;
        submission_init(s);
        /* refused only when stopping: a claimed row is ours, and
         * workers_stop (or, after a crash, the next start) puts it back
         * in the queue; a job only in memory is dropped, and its request
         * told to send it again (waits_stop) */
        queue_hand(&app->queue, h);
        return 0;
    }
    int rc = app->store->ops->insert(app->store, s, err, errlen);
    if (!rc) {
        (*queued)++;
        queue_count_add(&app->queue, 1);
        queue_notify_work(&app->queue);
    }
    return rc;
}

void workers_store_unstored(struct app *app)
{
    struct worker_pool *pool = app->workers;
    char err[300], q[400];
    struct submission *h;
    while ((h = queue_take_set_aside(&app->queue))) {
        /* queued, as if it had never been handed */
        h->unstored = false;
        h->status_id = J0_IN_QUEUE;
        h->attempts = 0;
        if (app->store->ops->insert(app->store, h, err, sizeof err))
            nlog(&app->log, LOG_ERROR, "store_insert_failed", "token=%s error=%s", h->token,
                 log_quote(err, q, sizeof q));
        submission_free(h);
    }
    for (int i = 0; pool && i < pool->n; i++) {
        struct worker *w = &pool->w[i];
        pthread_mutex_lock(&w->job_mu);
        if (w->unstored && !w->stored) {
            /* a copy: the worker reads its job meanwhile, and the insert
             * writes the status and attempt (the same values) */
            struct submission c = *w->unstored;
            w->stored = app->store->ops->insert_claimed(app->store, &c, app->owner,
                                                        app->cfg.lease_s, err, sizeof err) == 0;
            if (!w->stored)
                nlog(&app->log, LOG_ERROR, "store_insert_failed", "token=%s error=%s", c.token,
                     log_quote(err, q, sizeof q));
        }
        pthread_mutex_unlock(&w->job_mu);
    }
}

int workers_running_unstored(struct app *app)
{
    struct worker_pool *pool = app->workers;
    int n = 0;
    for (int i = 0; pool && i < pool->n; i++) {
        pthread_mutex_lock(&pool->w[i].job_mu);
        n += pool->w[i].unstored && !pool->w[i].stored;
        pthread_mutex_unlock(&pool->w[i].job_mu);
    }
    return n;
}

void workers_info(struct app *app, struct workers_info *wi)
{
    memset(wi, 0, sizeof *wi);
    struct worker_pool *pool = app->workers;
    if (!pool)
        return;
    for (int i = 0; i < pool->n; i++) {
        int s = atomic_load(&pool->w[i].state);
        wi->total++;
        if (s == W_BUSY)
            wi->busy++;
        else if (s == W_FAILED)
            wi->failed++;
        else if (s == W_IDLE)
            wi->idle++;
    }
}

void workers_info_all(struct app *app, struct workers_info *wi, int *processes)
{
    workers_info(app, wi);
    *processes = wi->total ? 1 : 0;
    struct store_pool *v = NULL;
    size_t n = 0;
    if (app->store->ops->pools(app->store, POOL_MAX_AGE_S, &v, &n))
        return; /* the store's health is reported on its own */
    for (size_t i = 0; i < n; i++) {
        /* ours is counted live above; a dead pid on this host counts for nothing
         * even before its row goes stale */
        if (!strcmp(v[i].owner, app->owner) || owner_dead(app, v[i].owner))
            continue;
        wi->total += (int)v[i].total;
        wi->busy += (int)v[i].busy;
        wi->idle += (int)v[i].idle;
        wi->failed += (int)v[i].failed;
        (*processes)++;
    }
    store_free_pools(v, n);
}

json_t *workers_nodes_json(struct app *app)
{
    json_t *a = json_array();
    struct workers_info wi;
    workers_info(app, &wi);
    if (a && wi.total)
        json_array_append_new(a, json_pack("{s:s, s:f, s:i, s:i, s:i, s:i}", "owner", app->owner,
                                           "heartbeat_age_s", 0.0, "total", wi.total, "busy",
                                           wi.busy, "idle", wi.idle, "failed", wi.failed));
    struct store_pool *v = NULL;
    size_t n = 0;
    if (!a || app->store->ops->pools(app->store, POOL_MAX_AGE_S, &v, &n))
        return a;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(v[i].owner, app->owner) || owner_dead(app, v[i].owner))
            continue;
        json_array_append_new(a, json_pack("{s:s, s:f, s:I, s:I, s:I, s:I}", "owner", v[i].owner,
                                           "heartbeat_age_s", v[i].age_s, "total",
                                           (json_int_t)v[i].total, "busy", (json_int_t)v[i].busy,
                                           "idle", (json_int_t)v[i].idle, "failed",
                                           (json_int_t)v[i].failed));
    }
    store_free_pools(v, n);
    return a;
}
