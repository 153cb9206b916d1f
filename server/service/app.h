/*
 * app.h - the state of one nsjudge service process, passed to every part
 * (routes, workers, callbacks). Nothing here is global: a test or a second
 * instance builds its own struct app.
 */
#ifndef NSJUDGE_SERVER_APP_H
#define NSJUDGE_SERVER_APP_H

#include <stdbool.h>
#include <time.h>
#include "judge/judge.h"
#include "server/service/config.h"
#include "server/service/log.h"
#include "server/service/metrics.h"
#include "server/service/queue.h"
#include "server/service/store.h"

struct http_server;
struct callbacks;
struct cb_allow;
struct worker_pool;
struct problem_cache;
struct stream_hub;
struct waits;

struct app {
    struct config cfg;
    struct logger log;
    struct store *store;
    struct jd_langs *langs;
    struct queue queue;
    struct metrics metrics;
    struct callbacks *callbacks;
    /* cfg.callback_allow parsed (callback_guard.c), set by callbacks_start */
    const struct cb_allow *callback_allow;
    struct worker_pool *workers;
    struct problem_cache *problems;
    struct http_server *http;
    struct waits *waits;        /* parked wait=true requests (waits.c) */
    struct stream_hub *streams; /* open event streams (stream.c) */
    char owner[160];       /* "host:pid:start" - owns the jobs this process claims */
    char host[64];
    time_t started;
};

#endif
