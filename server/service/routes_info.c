/* routes_info.c - languages, statuses, about/version/config_info, workers,
 * system_info, statistics, health and metrics. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "judge/number.h"
#include "server/module.h"
#include "server/service/judge0_json.h"
#include "server/service/routes.h"
#include "server/service/worker.h"

#define JUDGE0_VERSION "1.13.1"

static int cmp_id(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "id"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "id"));
    return (x > y) - (x < y);
}

/* Sorted by id. GET /languages: each installed toolchain once, under its
 * listed ids (judge0_ids). GET /languages/all: every id of every language,
 * is_archived for Judge0's archived ids (judge0_archived_ids) and for
 * toolchains this host lacks. */
static json_t *languages(struct app *app, bool all)
{
    json_t *tmp[512];
    size_t n = 0;
    for (size_t i = 0; app->langs && i < app->langs->n; i++) {
        const struct jd_lang *l = &app->langs->v[i];
        if (!l->available && !all)
            continue;
        for (int k = 0; k < 8 && l->judge0_ids[k] && n < 512; k++) {
            bool archived = k >= l->judge0_listed;
            if (archived && !all)
                continue;
            json_t *o = j0_language_json(l, l->judge0_ids[k], false);
            if (!o)
                continue;
            if (all)
                json_object_set_new(o, "is_archived", json_boolean(archived || !l->available));
            tmp[n++] = o;
        }
    }
    qsort(tmp, n, sizeof tmp[0], cmp_id);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, tmp[i]);
    return a;
}

void route_languages(struct http_req *r, struct http_resp *w)
{
    http_json(w, 200, languages(r->app, false));
}

void route_languages_all(struct http_req *r, struct http_resp *w)
{
    http_json(w, 200, languages(r->app, true));
}

void route_language_show(struct http_req *r, struct http_resp *w)
{
    int64_t id = 0;
    /* in range before the cast: 4294967346 must not become 50 */
    bool ok = jd_parse_int(r->param, 1, INT_MAX, &id) == 0;
    const struct jd_lang *l = !ok || !r->app->langs ? NULL : jd_lang_by_judge0(r->app->langs, (int)id);
    if (!l) {
        http_error(w, 404, "language not found");
        return;
    }
    json_t *o = j0_language_json(l, (int)id, true);
    /* an archived id answers as Judge0 answers for its archived languages */
    for (int k = l->judge0_listed; o && k < 8 && l->judge0_ids[k]; k++)
        if (l->judge0_ids[k] == (int)id)
            json_object_set_new(o, "is_archived", json_true());
    http_json(w, 200, o);
}

void route_statuses(struct http_req *r, struct http_resp *w)
{
    (void)r;
    http_json(w, 200, j0_statuses_json());
}

void route_about(struct http_req *r, struct http_resp *w)
{
    (void)r;
    http_json(w, 200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
                                "version", JUDGE0_VERSION,
                                "homepage", "",
                                "source_code", "",
                                "maintainer", "nsjudge developers",
                                "nsjudge_version", NSJUDGE_VERSION,
                                "compatibility", "Judge0 CE " JUDGE0_VERSION " API"));
}

void route_version(struct http_req *r, struct http_resp *w)
{
    (void)r;
    http_text(w, 200, "text/plain; charset=utf-8", JUDGE0_VERSION, strlen(JUDGE0_VERSION));
}

void route_config_info(struct http_req *r, struct http_resp *w)
{
    const struct config *c = &r->app->cfg;
    json_t *o = json_object();
    if (!o) {
        http_json(w, 500, NULL);
        return;
    }
#define B(k) json_object_set_new(o, #k, json_boolean(c->k))
#define I(k) json_object_set_new(o, #k, json_integer((json_int_t)c->k))
#define D(k) json_object_set_new(o, #k, json_real(c->k))
    B(maintenance_mode);
    B(enable_wait_result);
    B(enable_compiler_options);
    json_object_set_new(o, "allowed_languages_for_compile_options", json_array());
    B(enable_command_line_arguments);
    B(enable_submission_delete);
    B(enable_callbacks);
    I(callbacks_max_tries);
    D(callbacks_timeout);
    B(enable_additional_files);
    I(max_queue_size);
    D(cpu_time_limit);
    D(max_cpu_time_limit);
    D(cpu_extra_time);
    D(max_cpu_extra_time);
    D(wall_time_limit);
    D(max_wall_time_limit);
    I(memory_limit);
    I(max_memory_limit);
    I(stack_limit);
    I(max_stack_limit);
    I(max_processes_and_or_threads);
    I(max_max_processes_and_or_threads);
    B(enable_per_process_and_thread_time_limit);
    B(allow_enable_per_process_and_thread_time_limit);
    B(enable_per_process_and_thread_memory_limit);
    B(allow_enable_per_process_and_thread_memory_limit);
    I(max_file_size);
    I(max_max_file_size);
    I(number_of_runs);
    I(max_number_of_runs);
    B(redirect_stderr_to_stdout);
    json_object_set_new(o, "max_extract_size", json_integer((json_int_t)(c->max_extract_bytes / 1024)));
    B(enable_batched_submissions);
    I(max_submission_batch_size);
    json_object_set_new(o, "submission_cache_duration", json_real(0));
    json_object_set_new(o, "use_docs_as_homepage", json_false());
    B(allow_enable_network);
    B(enable_network);
#undef B
#undef I
#undef D
    http_json(w, 200, o);
}

void route_workers(struct http_req *r, struct http_resp *w)
{
    struct workers_info wi;
    long queued = 0;
    int procs;
    workers_info_all(r->app, &wi, &procs);
    r->app->store->ops->count_status(r->app->store, J0_IN_QUEUE, &queued);
    /* and those handed to our workers in memory, not started */
    queued += (long)queue_n_handed(&r->app->queue, NULL);
    json_t *o = json_pack("{s:s, s:I, s:i, s:i, s:i, s:i, s:i}", "queue", JUDGE0_VERSION,
                          "size", (json_int_t)queued, "available", wi.total, "idle", wi.idle,
                          "working", wi.busy, "paused", 0, "failed", wi.failed);
    http_json(w, 200, json_pack("[o]", o));
}

static void first_line_value(const char *path, const char *key, char *out, size_t len)
{
    FILE *f = fopen(path, "re");
    char line[512];
    out[0] = 0;
    if (!f)
        return;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, kl)) {
            char *v = strchr(line, ':');
            if (!v)
                continue;
            v++;
            while (*v == ' ' || *v == '\t')
                v++;
            v[strcspn(v, "\n")] = 0;
            snprintf(out, len, "%s", v);
            break;
        }
    fclose(f);
}

void route_system_info(struct http_req *r, struct http_resp *w)
{
    (void)r;
    struct utsname u;
    uname(&u);
    char model[256], mem[64], swap[64], cpus[16];
    first_line_value("/proc/cpuinfo", "model name", model, sizeof model);
    first_line_value("/proc/meminfo", "MemTotal", mem, sizeof mem);
    first_line_value("/proc/meminfo", "SwapTotal", swap, sizeof swap);
    snprintf(cpus, sizeof cpus, "%ld", sysconf(_SC_NPROCESSORS_ONLN));
    struct sb_host_info hi;
    memset(&hi, 0, sizeof hi);
    sb_host_probe(&hi);
    http_json(w, 200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Architecture", u.machine,
                                "CPU(s)", cpus, "Model name", model, "Kernel", u.release,
                                "Mem", mem, "Swap", swap, "cgroups", hi.cgroup_detail));
}

void route_statistics(struct http_req *r, struct http_resp *w)
{
    struct app *app = r->app;
    struct store_stats st;
    if (app->store->ops->stats(app->store, &st)) {
        http_error(w, 500, "store error");
        return;
    }
    char now[32];
    store_now_iso(now);
    json_t *langs = json_array(), *statuses = json_array();
    for (size_t i = 0; i < st.n_lang; i++) {
        const struct jd_lang *l = app->langs ? jd_lang_by_judge0(app->langs, st.by_lang[i].id) : NULL;
        json_array_append_new(langs, json_pack("{s:{s:i, s:s?}, s:I}", "language", "id",
                                               st.by_lang[i].id, "name", l ? l->name : NULL,
                                               "count", (json_int_t)st.by_lang[i].count));
    }
    for (int id = 1; id <= J0_STATUS_MAX; id++)
        json_array_append_new(statuses, json_pack("{s:{s:i, s:s}, s:I}", "status", "id", id, "name",
                                                  j0_status_name(id), "count",
                                                  (json_int_t)st.by_status[id]));
    char pretty[32];
    snprintf(pretty, sizeof pretty, "%.1f MB", st.db_bytes / 1048576.0);
    http_json(w, 200, json_pack("{s:s, s:{s:I, s:I, s:I}, s:o, s:o, s:{s:s, s:I}}", "now", now,
                                "submissions", "total", (json_int_t)st.total, "today",
                                (json_int_t)st.today, "last_30_days", (json_int_t)st.last_30_days,
                                "languages", langs, "statuses", statuses, "database",
                                "size_pretty", pretty, "size_in_bytes", (json_int_t)st.db_bytes));
    store_stats_clear(&st);
}

/* 503 when the store fails or no worker anywhere (this process or a
 * separate `nsjudge worker` on the same data dir) can take a job: a load
 * balancer or an operator must not send work to a service that will only
 * queue it. */
void route_healthz(struct http_req *r, struct http_resp *w)
{
    struct app *app = r->app;
    struct workers_info wi;
    long queued = -1;
    int procs;
    workers_info_all(app, &wi, &procs);
    int store_ok = app->store->ops->count_status(app->store, J0_IN_QUEUE, &queued) == 0;
    bool can_judge = wi.total - wi.failed > 0;
    bool ok = store_ok && can_judge;
    const char *reason = !store_ok ? "store error" : !can_judge ? (wi.total ? "every worker failed" : "no workers") : NULL;
    json_t *o = json_pack("{s:s, s:s, s:I, s:{s:i, s:i, s:i, s:i, s:i}, s:I}", "status",
                          ok ? "ok" : "degraded", "store", store_ok ? "ok" : "error", "queue",
                          (json_int_t)queued, "workers", "total", wi.total, "busy", wi.busy, "idle",
                          wi.idle, "failed", wi.failed, "processes", procs, "uptime_s",
                          (json_int_t)(time(NULL) - app->started));
    if (o && reason)
        json_object_set_new(o, "reason", json_string(reason));
    if (o) /* every worker process of the store's cluster, with its heartbeat */
        json_object_set_new(o, "nodes", workers_nodes_json(app));
    http_json(w, ok ? 200 : 503, o);
}

void route_metrics(struct http_req *r, struct http_resp *w)
{
    static const char *const codes[METRICS_VERDICTS] = {"PENDING", "AC", "WA", "PE", "TLE",
                                                        "MLE", "RTE", "OLE", "CE", "JE"};
    long queued = 0;
    r->app->store->ops->count_status(r->app->store, J0_IN_QUEUE, &queued);
    queued += (long)queue_n_handed(&r->app->queue, NULL); /* in memory, not started */
    struct workers_info wi;
    int procs;
    workers_info_all(r->app, &wi, &procs);
    struct metrics_workers mw = {.total = wi.total, .busy = wi.busy, .failed = wi.failed,
                                 .processes = procs};
    size_t len;
    char *text = metrics_render(&r->app->metrics, queued, &mw, codes, &len);
    if (!text) {
        http_error(w, 500, "out of memory");
        return;
    }
    http_text(w, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}

void route_authenticate(struct http_req *r, struct http_resp *w)
{
    (void)r;
    http_text(w, 200, "application/json", "{}", 2);
}

void route_authorize(struct http_req *r, struct http_resp *w)
{
    if (http_authorize(r, w))
        return;
    http_text(w, 200, "application/json", "{}", 2);
}
