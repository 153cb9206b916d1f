/* test_server.h - helpers for the end-to-end service tests: start the real
 * build/nsjudge serve on a free 127.0.0.1 port with a temp data dir, talk
 * to it with libcurl, stop or kill it. */
#ifndef NSJUDGE_TEST_SERVER_H
#define NSJUDGE_TEST_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>

struct srv {
    pid_t pid;
    int port;
    char dir[256];      /* temp dir: config, data, log */
    char cfg[300];
    char log[300];
    int workers;
    char extra[2048];   /* extra config keys, JSON members without braces */
    bool relative;      /* data_dir "./data", server started with cwd = dir */
};

struct hresp {
    long code;
    char *body;
    size_t len;
    json_t *json;       /* parsed body, or NULL */
    char ctype[128];
};

/* Creates the temp dir and config, starts the server, waits for /healthz. */
void srv_start(struct srv *s, int workers, const char *extra_json_members);
/* Same, with a relative data dir (the server runs in s->dir). */
void srv_start_relative(struct srv *s, int workers);
/* Starts again on the same dir and port (after a stop or kill). */
void srv_restart(struct srv *s);
/* SIGTERM and wait; returns the exit status (or -1). */
int srv_stop(struct srv *s);
void srv_kill9(struct srv *s);
void srv_cleanup(struct srv *s);

/* HTTP to the server; headers is a NULL-terminated list or NULL. */
struct hresp http(struct srv *s, const char *method, const char *path, const char *body,
                  size_t len, const char *const *headers);
struct hresp http_json_post(struct srv *s, const char *path, json_t *body);
void hresp_free(struct hresp *r);

/* POST a submission and return its token (asserts 201). */
char *submit(struct srv *s, json_t *body);
/* The stored submissions' count, GET /submissions?fields=FIELDS (asserts 200). */
long total_submissions(struct srv *s, const char *fields);
/* Polls until status id >= 3 (asserts within timeout). */
void wait_finished(struct srv *s, const char *token, double timeout_s);
/* Polls GET /submissions/TOKEN?fields=*,verdict until status id >= 3; returns the JSON (caller decref). */
json_t *wait_done(struct srv *s, const char *token, double timeout_s);

int status_id(json_t *sub);
const char *jstr(json_t *o, const char *key);

char *repo_path(const char *rel); /* path under the repo root (from NSJUDGE_BIN) */

/* A port on 127.0.0.1 that was free a moment ago. */
int srv_free_port(void);
/* A port on 127.0.0.1 bound (not listening) by *fd while it stays open:
 * connections to it are refused and no one else takes it. */
int srv_hold_port(int *fd);

/* A tiny HTTP listener on 127.0.0.1 for callbacks. It keeps the method
 * and body of the first LISTENER_MAX requests (later ones overwrite the
 * last); answers 500 to the first fail_first requests, 307 to
 * http://127.0.0.1:redirect_port/next when that is set, else 200. */
#define LISTENER_MAX 32
struct listener {
    int fd, port;
    int fail_first, redirect_port;
    int count;
    char method[LISTENER_MAX][16];
    char *body[LISTENER_MAX];
    pthread_mutex_t mu;
    pthread_t th;
};
void listener_start_on(struct listener *l, int fail_first, int port); /* port 0: any */
void listener_start(struct listener *l, int fail_first);
int listener_count(struct listener *l);
/* Waits up to 20 s until n requests arrived; returns how many did. */
int listener_wait(struct listener *l, int n);
/* Ends the thread (shutdown wakes its accept) and frees what it kept. */
void listener_stop(struct listener *l);

#endif
