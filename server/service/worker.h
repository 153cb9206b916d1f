/* worker.h - the worker pool: N threads, each with its own sandbox slot,
 * taking jobs from the store's queue; plus the lease renewer that renews
 * this process's leases and returns dead owners' jobs to the queue. */
#ifndef NSJUDGE_SERVER_WORKER_H
#define NSJUDGE_SERVER_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include "server/service/app.h"

int workers_start(struct app *app, int n, char *err, size_t errlen);
/* Stop taking jobs; wait up to grace_s for running jobs to finish. Jobs
 * still running then are put back in the queue and -ETIMEDOUT returned
 * (the threads are left to die with the process). */
int workers_stop(struct app *app, double grace_s);
/* Stores a new submission (s is moved out: cleared or emptied) and gets it
 * to a worker. When this process's workers hold fewer than
 * handoff_per_worker jobs each and the store has none older (*queued ==
 * 0), it is handed to them in memory: inserted already claimed, or, when
 * unstored_ok (a wait=true request is parked for it, so no one else needs
 * its row until it is done), not stored at all until its result is;
 * otherwise queued in the store (*queued counts it) for any worker. */
int workers_submit(struct app *app, struct submission *s, bool unstored_ok, long *queued,
                   char *err, size_t errlen);
/* The server is stopping (after queue_stop, before waits_stop answers the
 * parked requests from the store): the jobs only in memory get rows, so
 * that their requests can be answered with a token. Those no worker took
 * are queued; a running one is inserted claimed, and its worker's result
 * then updates it. */
void workers_store_unstored(struct app *app);
/* How many of this process's workers run a job that has no row yet. */
int workers_running_unstored(struct app *app);

struct workers_info {
    int total, busy, idle, failed;
};
/* This process's workers only. */
void workers_info(struct app *app, struct workers_info *wi);
/* Every process's workers on this data dir (this one live, the others from
 * their heartbeats in the store); *processes: how many processes have any. */
void workers_info_all(struct app *app, struct workers_info *wi, int *processes);

/* Each process with workers, here or on another node, as JSON: [{"owner":
 * "host:pid:start", "heartbeat_age_s", "total", "busy", "idle", "failed"}]. */
struct json_t;
struct json_t *workers_nodes_json(struct app *app);

/* Put back the jobs of owners that are gone (same host, dead pid) or whose
 * lease expired. Returns how many. */
long workers_reap(struct app *app);

#endif
