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
};

struct http_resp;

/* How a parked request is answered: the handler's function and what it
 * needs besides the token (the transport does not look inside). answer
 * returns 1 with the response in w when the job is done (or force: the
 * server stops, or the request waited too long), else 0. */
struct http_answer {
    int (*answer)(struct app *app, const char *token, const struct http_answer *a, bool force,
                  struct http_resp *w);
    uint64_t arg;
    bool flag;
};

struct http_resp {
    int status;
    char *body;          /* malloc'd */
    size_t len;
    const char *ctype;
    /* set by http_defer: answer later, when the job named wait_token is done */
    bool deferred;
    char wait_token[40];
    struct http_answer wait_answer;
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
/* X-Auth-User check for privileged routes: 0 ok, else the response is set (403). */
int http_authorize(const struct http_req *r, struct http_resp *w);
/* query flag is "true" */
int http_query_true(const struct http_req *r, const char *name);


/* Park the request until the job named token finishes (wait=true) without
 * holding an HTTP thread: the connection is suspended, and a waiter thread
 * calls a->answer whenever a job with that token finishes (or on its
 * sweep). a is copied. */
void http_defer(const struct http_req *r, struct http_resp *w, const char *token,
                const struct http_answer *a);

/* Makes the listening socket for cfg.listen (no SO_REUSEPORT: a port in
 * use is an error, EADDRINUSE). Returns the fd or -errno with err filled. */
int http_bind(struct app *app, char *err, size_t errlen);
/* Serves on lfd (from http_bind; taken over, also on failure). */
int http_start(struct app *app, int lfd, char *err, size_t errlen);
/* Stops answering parked wait=true requests (each gets its answer now);
 * new requests are still served. Then http_stop stops the daemon: parked
 * event streams (stream.h) must be ended between the two. */
void http_quiesce(struct app *app);
void http_stop(struct app *app);

#endif
