/* callback.h - callback_url delivery: a PUT of the result (as Judge0 sends
 * it: default fields, base64) by libcurl from its own threads, so workers
 * never wait on a slow client. Retried with backoff; the store remembers
 * undelivered callbacks across restarts. */
#ifndef NSJUDGE_SERVER_CALLBACK_H
#define NSJUDGE_SERVER_CALLBACK_H

#include <stddef.h>
#include "server/app.h"

int callbacks_start(struct app *app, int threads, char *err, size_t errlen);
void callbacks_enqueue(struct callbacks *cb, const char *token);
void callbacks_stop(struct app *app);

#endif
