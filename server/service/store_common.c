/* store_common.c - what every store backend shares: the records' init,
 * clear and list helpers and the timestamps of store.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "server/service/store.h"


void submission_init(struct submission *s)
{
    memset(s, 0, sizeof *s);
    s->exit_code = s->exit_signal = -1;
    s->time = s->wall_time = -1;
    s->memory = -1;
    s->score = s->max_score = -1;
    s->tests_total = -1;
    s->status_id = 1;
}

void submission_clear(struct submission *s)
{
    free(s->source_code.p);
    free(s->stdin_data.p);
    free(s->expected_output.p);
    free(s->compiler_options);
    free(s->command_line_arguments);
    free(s->callback_url);
    free(s->additional_files.p);
    free(s->problem_id);
    free(s->verdict);
    free(s->stdout_data.p);
    free(s->stderr_data.p);
    free(s->compile_output.p);
    free(s->message);
    free(s->tests);
    submission_init(s);
}

void submission_free(struct submission *s)
{
    if (s) {
        submission_clear(s);
        free(s);
    }
}

void problem_rec_clear(struct problem_rec *p)
{
    free(p->name);
    free(p->path);
    free(p->origin);
    memset(p, 0, sizeof *p);
}

void store_free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void store_free_list(struct submission *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        submission_clear(&v[i]);
    free(v);
}

void store_stats_clear(struct store_stats *st)
{
    free(st->by_lang);
    memset(st, 0, sizeof *st);
}

void store_stats_since(char today[32], char month[32])
{
    time_t now = time(NULL), past = now - 30 * 86400;
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(today, 32, "%Y-%m-%dT00:00:00", &tm);
    gmtime_r(&past, &tm);
    strftime(month, 32, "%Y-%m-%dT%H:%M:%S", &tm);
}

void store_now_iso(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    if (snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 ts.tv_nsec / 1000000) >= 32)
        out[0] = 0;   /* only a clock past year 9999 gets here: no half stamp */
}

void store_free_pools(struct store_pool *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i].owner);
    free(v);
}
