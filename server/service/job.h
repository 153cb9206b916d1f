/* job.h - judge one claimed submission into its result fields. */
#ifndef NSJUDGE_SERVER_JOB_H
#define NSJUDGE_SERVER_JOB_H

#include "server/service/app.h"

/* Runs s (single run or problem) in the worker's slots (single runs use
 * the first; interactive problems need two), using scratch as work space,
 * and fills res (status_id, verdict, outputs, times, tests...). Never
 * fails: judge errors become Internal Error results. */
void job_judge(struct app *app, struct sb_slot **slots, size_t n_slots, const char *scratch,
               const struct submission *s, struct submission *res);
void job_internal_error(struct submission *res, const char *msg);
/* mkdir -p (mode 0755): 0 or -errno. */

#endif
