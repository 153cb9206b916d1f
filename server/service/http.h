/* http.h - the HTTP front: libmicrohttpd (thread pool + epoll), request
 * bodies collected under a size cap, routing, auth, one log line per request. */
#ifndef NSJUDGE_SERVER_HTTP_H
#define NSJUDGE_SERVER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "server/service/app.h"

struct MHD_Connection;
struct MHD_Response;

struct http_req {
    struct app *app;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    const char *body;
    size_t body_len;
    const char *param;   /* the {token} / {id} part of the path, if any */
    void *ctx;           /* the transport's own (http.c) */
};

struct http_resp {
    int status;
    char *body;          /* malloc'd */
    size_t len;
    const char *ctype;
    /* set by http_park: no answer now, http_parked_answer gives it */
    bool parked;
    /* set by a streaming handler (routes_stream.c): queued instead of body */
    struct MHD_Response *stream;
};

const char *http_query(const struct http_req *r, const char *name);
const char *http_header(const struct http_req *r, const char *name);
/* Steals j (may be NULL: then 500). */
void http_json(struct http_resp *w, int status, json_t *j);
void http_text(struct http_resp *w, int status, const char *ctype, const char *text, size_t len);
void http_error(struct http_resp *w, int status, const char *msg);
/* application/x-www-form-urlencoded body -> JSON object of strings. NULL
 * on allocation failure, or with *bad_field set (malloc'd; "" for a name)
 * when a field's name or value is not UTF-8. */
json_t *http_form_json(const char *body, size_t len, char **bad_field);
/* Parses the body as JSON; on failure answers 400 and returns NULL. */
json_t *http_body_json(const struct http_req *r, struct http_resp *w);
/* X-Auth-User check for privileged routes: 0 ok, else -EACCES with the response set (403). */
int http_authorize(const struct http_req *r, struct http_resp *w);
/* query flag is "true" */
int http_query_true(const struct http_req *r, const char *name);


/* Parks the request without holding an HTTP thread: the handler returns
 * with w unset, and the answer is given later, from any thread, by
 * http_parked_answer (exactly once). NULL when the server is stopping: the
 * handler answers now. */
struct http_parked;
struct http_parked *http_park(const struct http_req *r, struct http_resp *w);
/* Sends w (its body is taken) as the parked request's answer. */
void http_parked_answer(struct app *app, struct http_parked *p, struct http_resp *w);

/* Makes the listening socket for cfg.listen (no SO_REUSEPORT: a port in
 * use is an error, EADDRINUSE). Returns the fd or -errno with err filled. */
int http_bind(struct app *app, char *err, size_t errlen);
/* Serves on lfd (from http_bind; taken over, also on failure). */
int http_start(struct app *app, int lfd, char *err, size_t errlen);
/* Stops the daemon. Parked requests (waits_stop) and event streams
 * (stream.h) must be answered or ended before. */
void http_stop(struct app *app);

#endif
