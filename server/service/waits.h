/* waits.h - wait=true submissions: the request is parked (http_park)
 * until its job is done, then answered from the finished row. A worker of
 * this process hands the row over in memory the moment it is stored
 * (waits_done); a job finished by another process (a worker on the same
 * SQLite file, another node) is found by a sweep of the store. */
#ifndef NSJUDGE_SERVER_WAITS_H
#define NSJUDGE_SERVER_WAITS_H

#include <stdbool.h>
#include <stdint.h>
#include "server/service/app.h"
#include "server/service/http.h"

/* How a parked request is answered: render writes the response for the
 * submission s (done, or as it stands when the server stops). arg and flag
 * are the handler's, copied. */
struct wait_answer {
    void (*render)(struct app *app, const struct submission *s, uint64_t arg, bool flag,
                   struct http_resp *w);
    uint64_t arg;
    bool flag;
};

/* Starts the sweep thread (app->waits). -errno when it cannot. */
int waits_start(struct app *app, char *err, size_t errlen);
/* Parks r until the job named token is done; park before the job can be
 * taken, so no finish is missed. -ECANCELED when the server is stopping
 * or nothing can be parked: the handler answers now. */
int waits_park(struct app *app, const struct http_req *r, struct http_resp *w,
               const char *token, const struct wait_answer *a);
/* The parked request of token gets w now (the job could not be stored). */
void waits_cancel(struct app *app, const char *token, struct http_resp *w);
/* A worker of this process stored the job's result; s is the whole row. */
void waits_done(struct app *app, const struct submission *s);
/* The store reported a finish by another process: sweep now. */
void waits_poke(struct app *app);
/* Answers every parked request with its job as it stands and stops the
 * sweep; after it nothing is parked. */
void waits_stop(struct app *app);
/* After the workers and the store's event thread stopped (they call in). */
void waits_free(struct app *app);

#endif
