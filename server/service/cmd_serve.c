/*
 * cmd_serve.c - `nsjudge serve` (HTTP API + workers) and `nsjudge worker`
 * (workers only, sharing the service's data directory). Start-up order:
 * config, data dir, languages, store, requeue jobs of dead owners,
 * callbacks, workers, HTTP; then wait for SIGTERM/SIGINT and stop in
 * reverse, letting running jobs finish (or putting them back).
 */
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "judge/number.h"
#include "server/service/app.h"
#include "server/service/callback.h"
#include "server/module.h"
#include "server/service/http.h"
#include "server/service/stream.h"
#include "server/common/install_paths.h"
#include "server/service/job.h"
#include "server/service/problems.h"
#include "server/service/waits.h"
#include "server/service/worker.h"
#include "sandbox/util.h"

static const char cmd_serve_usage[] =
    "usage: nsjudge serve [options]\n"
    "\n"
    "Run the judging service: a Judge0 CE 1.13.1 compatible HTTP API, plus\n"
    "problems with per-test results, backed by an embedded SQLite store (or a\n"
    "PostgreSQL one shared by many nodes: --store) and a pool of sandboxed\n"
    "workers. Stops cleanly on SIGTERM, SIGINT or SIGHUP (SIGHUP does not\n"
    "reload: restart the service to apply a new config).\n"
    "\n"
    "options:\n"
    "      --config FILE      service config (JSON). Default: $NSJUDGE_CONFIG,\n"
    "                         else ./configs/nsjudge.json, else configs/nsjudge.json of\n"
    "                         the checkout holding this binary, else\n"
    "                         /etc/nsjudge/nsjudge.json, else\n"
    "                         PREFIX/share/nsjudge/nsjudge.json, else built-in defaults\n"
    "      --listen HOST:PORT address to listen on (default 127.0.0.1:2358)\n"
    "      --data-dir DIR     database, scratch dirs and uploaded problems (default ./data;\n"
    "                         /var/lib/nsjudge for an installed binary)\n"
    "      --store URL        where submissions and the queue live: sqlite:PATH (default\n"
    "                         sqlite:DATA_DIR/nsjudge.db), or PostgreSQL for a cluster of\n"
    "                         nodes: postgresql://user@host:port/dbname or a libpq conninfo\n"
    "                         (\"host=/run/postgresql dbname=nsjudge\")\n"
    "      --workers N        judging workers, one sandbox slot each (default: one per core;\n"
    "                         0 = API only, for use with `nsjudge worker`)\n"
    "      --languages FILE   language table (default configs/languages.json, from the\n"
    "                         cwd, else next to the binary's checkout, else\n"
    "                         /etc/nsjudge, else PREFIX/share/nsjudge)\n"
    "      --slot-base N      first sandbox slot id (default 0); give each process on a\n"
    "                         host its own range\n"
    "      --log-level LEVEL  debug, info, warn or error (default info)\n"
    "  -h, --help             this text\n"
    "\n"
    "Command line options override the config file. Logs are logfmt lines on stderr.\n"
    "\n"
    "examples:\n"
    "  nsjudge serve\n"
    "  nsjudge serve --config configs/nsjudge.json --listen 127.0.0.1:8080 --workers 4\n"
    "  curl -s -XPOST -H 'Content-Type: application/json' \\\n"
    "       -d '{\"language_id\":50,\"source_code\":\"int main(){return 0;}\"}' \\\n"
    "       'http://127.0.0.1:2358/submissions?wait=true'\n";

static const char cmd_worker_usage[] =
    "usage: nsjudge worker [options]\n"
    "\n"
    "Run judging workers only, taking jobs from the store of a running\n"
    "`nsjudge serve` (same --data-dir on the same host). Use it to add workers\n"
    "without restarting the API, or with `serve --workers 0`.\n"
    "\n"
    "options:\n"
    "      --config FILE      service config (JSON), as for serve\n"
    "      --data-dir DIR     the data directory (default ./data): shared with serve on\n"
    "                         an SQLite store; this node's own with --store postgresql://\n"
    "      --store URL        as for serve: the same PostgreSQL as the API nodes lets\n"
    "                         this worker run on another host\n"
    "      --workers N        judging workers (default: one per core)\n"
    "      --languages FILE   language table (default configs/languages.json, from the\n"
    "                         cwd, else next to the binary's checkout, else\n"
    "                         /etc/nsjudge, else PREFIX/share/nsjudge)\n"
    "      --slot-base N      first sandbox slot id (default: the config's slot_id_base\n"
    "                         + 100, so it does not collide with a serve on the same\n"
    "                         host; give each extra worker process its own range)\n"
    "      --log-level LEVEL  debug, info, warn or error (default info)\n"
    "  -h, --help             this text\n"
    "\n"
    "example:\n"
    "  nsjudge serve --workers 0 &  nsjudge worker --workers 2\n";

#define SLOT_BASE_MAX 1000000 /* as config.c's slot_id_base */

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static int set_str(char **dst, const char *v)
{
    char *s = strdup(v);
    if (!s)
        return -ENOMEM;
    free(*dst);
    *dst = s;
    return 0;
}

/* From the store's LISTEN thread: news from any node. */
static void on_store_event(void *ctx, int ev)
{
    struct app *app = ctx;
    if (ev == STORE_EV_WORK) {
        queue_notify_work(&app->queue);
    } else {
        queue_notify_done(&app->queue);
        waits_poke(app);
    }
}

enum { OPT_CONFIG = 1000, OPT_LISTEN, OPT_DATA_DIR, OPT_WORKERS };

static int run_service(int argc, char **argv, bool with_http)
{
    const char *usage = with_http ? cmd_serve_usage : cmd_worker_usage;
    static const struct option opts[] = {
        /* long only: -c, -d, -w and -l are run's (isolate's) and judge's letters */
        {"config", required_argument, NULL, OPT_CONFIG},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"data-dir", required_argument, NULL, OPT_DATA_DIR},
        {"workers", required_argument, NULL, OPT_WORKERS},
        {"languages", required_argument, NULL, 'L'},
        {"slot-base", required_argument, NULL, 'S'},
        {"log-level", required_argument, NULL, 'v'},
        {"store", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config_path = getenv("NSJUDGE_CONFIG");
    const char *listen = NULL, *data_dir = NULL, *languages = NULL, *level = NULL, *store = NULL;
    int workers = -1, slot_base = -1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:l:d:w:h", opts, NULL)) != -1) {
        int64_t n;
        switch (c) {
        case 'c': case 'l': case 'd': case 'w': {
            static const char *const longs[] = {"c--config", "l--listen", "d--data-dir", "w--workers"};
            for (size_t i = 0; i < 4; i++)
                if (longs[i][0] == c)
                    fprintf(stderr, "nsjudge %s: -%c is written %s here (one letter means one thing "
                                    "across subcommands: -%c belongs to run or judge)\n",
                            with_http ? "serve" : "worker", c, longs[i] + 1, c);
            return 2;
        }
        case OPT_CONFIG: config_path = optarg; break;
        case OPT_LISTEN:
            if (!with_http)
                goto bad;
            listen = optarg;
            break;
        case OPT_DATA_DIR: data_dir = optarg; break;
        case OPT_WORKERS:
            /* parsed and range-checked before the int: 4294967297 is not 1 */
            if (jd_parse_int(optarg, 0, 1024, &n)) {
                fprintf(stderr, "nsjudge: --workers wants a number from 0 to 1024\n");
                return 2;
            }
            workers = (int)n;
            break;
        case 'L': languages = optarg; break;
        case 'S':
            if (jd_parse_int(optarg, 0, SLOT_BASE_MAX, &n)) {
                fprintf(stderr, "nsjudge: --slot-base wants a number from 0 to %d\n", SLOT_BASE_MAX);
                return 2;
            }
            slot_base = (int)n;
            break;
        case 'v': level = optarg; break;
        case 's': store = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        default:
        bad:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "nsjudge: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }

    static struct app app; /* lives for the whole process; threads point into it */
    memset(&app, 0, sizeof app);
    char err[1024];
    config_defaults(&app.cfg);
    /* An installed service keeps its state in an absolute place, whatever
     * the directory it was started from. */
    if (install_paths_installed() && set_str(&app.cfg.data_dir, NSJUDGE_STATE_DIR)) {
        fprintf(stderr, "nsjudge: out of memory\n");
        return 1;
    }
    char found[PATH_MAX + 200];
    if (!config_path) {
        if (file_exists("configs/nsjudge.json"))
            config_path = "configs/nsjudge.json";
        else if (install_paths_find("nsjudge.json", found, sizeof found) == 0)
            config_path = found;
    }
    if (config_path && config_load(&app.cfg, config_path, err, sizeof err)) {
        fprintf(stderr, "nsjudge: %s\n", err);
        return 1;
    }
    if ((listen && set_str(&app.cfg.listen, listen)) ||
        (data_dir && set_str(&app.cfg.data_dir, data_dir)) ||
        (languages && set_str(&app.cfg.languages, languages)) ||
        (store && set_str(&app.cfg.store, store))) {
        fprintf(stderr, "nsjudge: out of memory\n");
        return 1;
    }
    if (workers >= 0)
        app.cfg.workers = workers;
    else if (!app.cfg.workers)
        app.cfg.workers = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (!with_http && app.cfg.workers == 0)
        app.cfg.workers = 1;
    if (slot_base >= 0)
        app.cfg.slot_id_base = slot_base;
    else if (!with_http)
        app.cfg.slot_id_base += 100; /* next to a serve on the same host and config */
    if (level && log_level_parse(level, &app.cfg.log_level)) {
        fprintf(stderr, "nsjudge: bad --log-level '%s'\n", level);
        return 2;
    }
    /* A relative table path that is not there from the cwd (the default
     * configs/languages.json, when started outside the checkout) is looked
     * up next to the binary, then in the installed places. An explicit
     * --languages is taken as given. */
    if (!languages && app.cfg.languages[0] != '/' && !file_exists(app.cfg.languages)) {
        const char *base = strrchr(app.cfg.languages, '/');
        char where[PATH_MAX + 200];
        if (install_paths_find(base ? base + 1 : app.cfg.languages, where, sizeof where) == 0) {
            if (set_str(&app.cfg.languages, where)) {
                fprintf(stderr, "nsjudge: out of memory\n");
                return 1;
            }
        } else {
            fprintf(stderr, "nsjudge: languages: %s: not found here nor in %s (use --languages FILE)\n",
                    app.cfg.languages, where);
            return 1;
        }
    }
    app.log.level = app.cfg.log_level;
    app.log.fd = 2;
    app.started = time(NULL);

    /* Signals are taken synchronously by this thread; every thread started
     * from here on inherits the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    /* SIGHUP (the terminal closed, or an operator's `kill -HUP`) used to
     * kill the process on the spot with its default action, leaving leased
     * jobs and a half-written log. It now stops cleanly like SIGTERM; it
     * does not reload: the config sizes the worker pool, the store and the
     * listener, so a restart (which requeues nothing that was finished) is
     * the reload. */
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    int rc;
    char path[1200];
    snprintf(path, sizeof path, "%s/scratch", app.cfg.data_dir);
    if ((rc = sb_mkdir_p(path, 0755))) {
        fprintf(stderr, "nsjudge: cannot create %s: %s\n", path, strerror(-rc));
        return 1;
    }
    /* the sandbox wants absolute paths for box dirs under the data dir */
    char *abs_data = realpath(app.cfg.data_dir, NULL);
    if (!abs_data) {
        fprintf(stderr, "nsjudge: %s: %s\n", app.cfg.data_dir, strerror(errno));
        return 1;
    }
    free(app.cfg.data_dir);
    app.cfg.data_dir = abs_data;
    if ((rc = jd_langs_load(app.cfg.languages, &app.langs, err, sizeof err))) {
        fprintf(stderr, "nsjudge: languages: %s\n", err);
        return 1;
    }
    snprintf(path, sizeof path, "sqlite:%s/nsjudge.db", app.cfg.data_dir);
    if ((rc = store_open(app.cfg.store && app.cfg.store[0] ? app.cfg.store : path, &app.store, err,
                         sizeof err))) {
        fprintf(stderr, "nsjudge: store: %s\n", err);
        jd_langs_free(app.langs);
        return 1;
    }
    app.store->max_attempts = app.cfg.max_attempts;
    if (problems_new(&app.problems)) {
        fprintf(stderr, "nsjudge: out of memory\n");
        return 1;
    }
    queue_init(&app.queue);
    metrics_init(&app.metrics);
    /* other nodes' jobs and results wake this one (PostgreSQL); SQLite polls */
    rc = app.store->ops->listen(app.store, on_store_event, &app);
    if (rc && rc != -ENOTSUP)
        nlog(&app.log, LOG_WARN, "store_listen_failed", "error=%d polling=true", -rc);
    if (gethostname(app.host, sizeof app.host))
        snprintf(app.host, sizeof app.host, "localhost");
    app.host[sizeof app.host - 1] = 0;
    for (char *p = app.host; *p; p++)
        if (*p == ':')
            *p = '_';
    snprintf(app.owner, sizeof app.owner, "%s:%ld:%llu", app.host, (long)getpid(), sb_proc_start_time(0));

    size_t avail = 0;
    for (size_t i = 0; i < app.langs->n; i++)
        avail += app.langs->v[i].available;
    nlog(&app.log, LOG_INFO, "start",
         "mode=%s version=%s data_dir=%s store=%s workers=%d slot_base=%d languages=%zu available_languages=%zu owner=%s",
         with_http ? "serve" : "worker", NSJUDGE_VERSION, app.cfg.data_dir, app.store->kind, app.cfg.workers,
         app.cfg.slot_id_base, app.langs->n, avail, app.owner);

    /* The port is taken before any worker can lease a job: a second serve
     * on a port in use stops here and touches nothing in the store. */
    int listen_fd = -1;
    if (with_http && (listen_fd = http_bind(&app, err, sizeof err)) < 0) {
        fprintf(stderr, "nsjudge: %s\n", err);
        nlog(&app.log, LOG_ERROR, "listen_failed", "listen=%s error=%d", app.cfg.listen, -listen_fd);
        app.store->ops->close(app.store);
        problems_free(app.problems);
        jd_langs_free(app.langs);
        queue_destroy(&app.queue);
        config_free(&app.cfg);
        return 1;
    }

    long requeued = workers_reap(&app);
    if (requeued)
        nlog(&app.log, LOG_INFO, "recovered", "requeued_jobs=%ld", requeued);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    int exit_code = 0;
    if (callbacks_start(&app, 2, err, sizeof err) ||
        workers_start(&app, app.cfg.workers, err, sizeof err)) {
        fprintf(stderr, "nsjudge: %s\n", err);
        if (listen_fd >= 0)
            close(listen_fd);
        exit_code = 1;
        goto stop;
    }
    if (with_http) {
        stream_hub_new(&app); /* without it (no memory) event streams answer 503 */
        if (waits_start(&app, err, sizeof err) || http_start(&app, listen_fd, err, sizeof err)) {
            fprintf(stderr, "nsjudge: %s\n", err);
            nlog(&app.log, LOG_ERROR, "listen_failed", "listen=%s", app.cfg.listen);
            exit_code = 1;
            goto stop;
        }
        nlog(&app.log, LOG_INFO, "listening", "listen=%s", app.cfg.listen);
    }
    queue_notify_work(&app.queue);

    int sig = 0;
    sigwait(&sigs, &sig);
    nlog(&app.log, LOG_INFO, "stopping", "signal=%s grace_s=%.0f",
         sig == SIGHUP ? "SIGHUP" : sig == SIGINT ? "SIGINT" : "SIGTERM", app.cfg.shutdown_grace_s);

stop:
    /* Wake wait=true requests so the HTTP server can drain, then stop
     * taking jobs and let the running ones finish within the grace time. */
    queue_stop(&app.queue);
    workers_store_unstored(&app);
    waits_stop(&app);
    stream_hub_stop(&app); /* resumes parked event streams, which then end */
    http_stop(&app);
    stream_hub_free(&app);
    rc = workers_stop(&app, app.cfg.shutdown_grace_s);
    if (rc == -ETIMEDOUT) {
        /* jobs went back to the queue; worker threads die with the process */
        nlog(&app.log, LOG_WARN, "stopped", "clean=false");
        fflush(NULL);
        _exit(exit_code);
    }
    callbacks_stop(&app);
    app.store->ops->close(app.store);
    /* after the workers and the store's event thread: both may call in */
    waits_free(&app);
    problems_free(app.problems);
    jd_langs_free(app.langs);
    queue_destroy(&app.queue);
    nlog(&app.log, LOG_INFO, "stopped", "clean=true");
    config_free(&app.cfg);
    curl_global_cleanup();
    return exit_code;
}

static int cmd_serve(int argc, char **argv)
{
    return run_service(argc, argv, true);
}

static int cmd_worker(int argc, char **argv)
{
    return run_service(argc, argv, false);
}

const struct nsjudge_module nsjudge_module = {
    .abi = NSJUDGE_MODULE_ABI,
    .version = NSJUDGE_VERSION,
    .serve = cmd_serve,
    .worker = cmd_worker,
    .serve_usage = cmd_serve_usage,
    .worker_usage = cmd_worker_usage,
};
