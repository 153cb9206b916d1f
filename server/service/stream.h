/* stream.h - GET /submissions/events/TOKEN: a submission's per-test results
 * as Server-Sent Events while it is judged (routes_stream.c). A stream with
 * nothing new to send parks its connection (MHD suspend, not a thread); the
 * hub's one thread resumes parked streams when a job finishes and every
 * STREAM_TICK_MS, and each resumed stream reads the store for news. */
#ifndef NSJUDGE_SERVER_STREAM_H
#define NSJUDGE_SERVER_STREAM_H

#include "server/service/app.h"

#define STREAM_TICK_MS 200
#define STREAM_MAX_OPEN 64          /* more are refused with 503 */
#define STREAM_MAX_SECONDS 600      /* a stream ends after this; the page reconnects */
#define STREAM_KEEPALIVE_SECONDS 15 /* a comment line, so proxies keep it open */

/* Sets app->streams (left NULL without memory or a thread). */
void stream_hub_new(struct app *app);
/* Ends every stream: parked ones are resumed and finish; new ones get 503. */
void stream_hub_stop(struct app *app);
/* After the HTTP daemon stopped (no stream left). */
void stream_hub_free(struct app *app);

#endif
