/* callback.h - callback_url delivery: a PUT of the result (as Judge0 sends
 * it: default fields, base64) by libcurl from its own threads, so workers
 * never wait on a slow client. Retried with backoff. The queue is the
 * store: any node (serve or worker) delivers any node's callbacks, one at
 * a time, and a node's death loses none (its claim's lease runs out). */
#ifndef NSJUDGE_SERVER_CALLBACK_H
#define NSJUDGE_SERVER_CALLBACK_H

#include <stdbool.h>
#include <stddef.h>
#include "server/service/app.h"


/* Starts the delivery threads; parses cfg.callback_allow (an error names
 * the bad entry). */
int callbacks_start(struct app *app, int threads, char *err, size_t errlen);
/* A callback of token became pending in the store: wake the threads. */
void callbacks_enqueue(struct callbacks *cb, const char *token);
void callbacks_stop(struct app *app);

#endif
