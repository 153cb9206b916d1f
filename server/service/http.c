/*
 * http.c - libmicrohttpd glue. MHD runs its own thread pool on epoll;
 * each request's body is collected (capped: JSON bodies and problem
 * uploads have separate caps) and the complete request is dispatched to
 * a handler from the route table below.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include <pthread.h>
#include "server/module.h"
#include "server/service/codec.h"
#include "server/service/http.h"
#include "server/service/judge0_json.h"
#include "server/service/routes.h"

/* How long a stop waits for the answers already given to be sent. */
#define HTTP_STOP_SEND_S 5

struct http_server {
    struct MHD_Daemon *d;
    struct app *app;
    pthread_mutex_t mu;
    bool stop;                /* http_stop began: nothing more is parked */
    int parked;               /* suspended requests not yet answered */
    int answering;            /* answered (resumed), the answer not yet sent */
    pthread_cond_t sent;      /* answering went down */
};

/* ---- helpers for handlers ------------------------------------------------------- */

const char *http_query(const struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(const struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

int http_query_true(const struct http_req *r, const char *name)
{
    const char *v = http_query(r, name);
    return v && !strcmp(v, "true");
}

void http_text(struct http_resp *w, int status, const char *ctype, const char *text, size_t len)
{
    free(w->body);
    w->body = malloc(len + 1);
    if (!w->body) {
        w->status = 500;
        w->len = 0;
        w->ctype = "text/plain";
        return;
    }
    memcpy(w->body, text, len);
    w->body[len] = 0;
    w->len = len;
    w->status = status;
    w->ctype = ctype;
}

void http_json(struct http_resp *w, int status, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    free(w->body);
    w->body = NULL;
    if (!s) {
        static const char oom[] = "{\"error\":\"out of memory\"}";
        http_text(w, 500, "application/json", oom, sizeof oom - 1);
        return;
    }
    w->body = s;
    w->len = strlen(s);
    w->status = status;
    w->ctype = "application/json; charset=utf-8";
}

void http_error(struct http_resp *w, int status, const char *msg)
{
    http_json(w, status, j0_error(msg));
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* application/x-www-form-urlencoded -> {"key": "value", ...}; Rails (so
 * Judge0) accepts form posts too, and the validators take numeric and
 * boolean strings. A JSON body cannot hold bytes that are not UTF-8 and a
 * form body must not either: they would be stored, then break every later
 * rendering of the submission. NULL on allocation failure, or with
 * *bad_field set (malloc'd; "" for a name) for a field that is not UTF-8. */
json_t *http_form_json(const char *body, size_t len, char **bad_field)
{
    *bad_field = NULL;
    json_t *o = json_object();
    char *buf = malloc(len + 1);
    if (!o || !buf) {
        json_decref(o);
        free(buf);
        return NULL;
    }
    size_t i = 0;
    while (i < len) {
        size_t k = 0, eq = (size_t)-1;
        for (; i < len && body[i] != '&'; i++) {
            char c = body[i];
            if (c == '+') {
                c = ' ';
            } else if (c == '%' && i + 2 < len && hexval(body[i + 1]) >= 0 && hexval(body[i + 2]) >= 0) {
                c = (char)(hexval(body[i + 1]) * 16 + hexval(body[i + 2]));
                i += 2;
            } else if (c == '=' && eq == (size_t)-1) {
                eq = k;
                buf[k++] = 0;
                continue;
            }
            buf[k++] = c;
        }
        i++;
        buf[k] = 0;
        if (eq == (size_t)-1 || eq == 0 || memchr(buf, 0, eq))
            continue;
        bool name_ok = jd_utf8_valid(buf, eq);
        if (!name_ok || !jd_utf8_valid(buf + eq + 1, k - eq - 1)) {
            *bad_field = strdup(name_ok ? buf : "");
            json_decref(o);
            free(buf);
            return NULL;
        }
        if (json_object_set_new(o, buf, json_stringn(buf + eq + 1, k - eq - 1))) {
            json_decref(o);
            free(buf);
            return NULL;
        }
    }
    free(buf);
    return o;
}

json_t *http_body_json(const struct http_req *r, struct http_resp *w)
{
    json_error_t je;
    const char *ct = http_header(r, "Content-Type");
    if (ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33)) {
        char *bad = NULL;
        json_t *o = http_form_json(r->body, r->body_len, &bad);
        if (!o && bad) {
            char msg[200];
            if (*bad && strlen(bad) <= 64) /* whole: a cut name might not be UTF-8 */
                snprintf(msg, sizeof msg, "form field %s is not valid UTF-8", bad);
            else
                snprintf(msg, sizeof msg, "a form field %s is not valid UTF-8", *bad ? "value" : "name");
            http_error(w, 400, msg);
        } else if (!o) {
            http_error(w, 500, "out of memory");
        }
        free(bad);
        return o;
    }
    if (!r->body_len) {
        http_error(w, 400, "request body is empty; expected a JSON object");
        return NULL;
    }
    json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (!j) {
        char msg[300];
        snprintf(msg, sizeof msg, "malformed JSON at line %d column %d: %s", je.line, je.column,
                 je.text);
        http_error(w, 400, msg);
    }
    return j;
}

static int token_in(const struct strlist *l, const char *v)
{
    for (size_t i = 0; v && i < l->n; i++)
        if (!strcmp(l->v[i], v))
            return 1;
    return 0;
}

int http_authorize(const struct http_req *r, struct http_resp *w)
{
    const struct config *c = &r->app->cfg;
    if (!c->authz_tokens.n || token_in(&c->authz_tokens, http_header(r, "X-Auth-User")))
        return 0;
    http_error(w, 403, "forbidden: a valid X-Auth-User header is required");
    return -EACCES;
}

/* ---- dispatch ----------------------------------------------------------------------- */

struct reqctx {
    char *body;
    size_t len, cap, limit;
    int too_big;
    bool started;            /* the first call of on_request has been seen */
    char uri[1024];          /* the request line's URI as sent, query included (cut) */
    char addr[64];           /* the client's address and port */
    struct timespec t0;
    int deferred;            /* 1 parked, 2 answer ready in resp */
    struct http_resp resp;
    struct MHD_Connection *conn;  /* parked: resumed through it */
};

/* Suspends the request (MHD_suspend_connection may be called from the
 * access handler); on_request then queues no response, and MHD calls it
 * again once http_parked_answer resumes the connection. */
struct http_parked *http_park(const struct http_req *r, struct http_resp *w)
{
    struct reqctx *rc = r->ctx;
    struct http_server *hs = r->app->http;
    if (!rc)
        return NULL;
    pthread_mutex_lock(&hs->mu);
    bool stop = hs->stop;
    if (!stop)
        hs->parked++;
    pthread_mutex_unlock(&hs->mu);
    if (stop)
        return NULL;
    rc->conn = r->conn;
    rc->deferred = 1;
    w->parked = true;
    MHD_suspend_connection(r->conn);
    return (struct http_parked *)rc;
}

void http_parked_answer(struct app *app, struct http_parked *p, struct http_resp *w)
{
    struct reqctx *rc = (struct reqctx *)p;
    struct http_server *hs = app->http;
    rc->resp = *w;
    memset(w, 0, sizeof *w);
    rc->deferred = 2;
    pthread_mutex_lock(&hs->mu);
    hs->parked--;
    hs->answering++; /* until on_completed: http_stop waits for it */
    pthread_mutex_unlock(&hs->mu);
    MHD_resume_connection(rc->conn);
}

static const struct route *match(const char *method, const char *path, char *param,
                                 size_t plen, int *method_mismatch)
{
    *method_mismatch = 0;
    for (const struct route *rt = http_routes; rt->method; rt++) {
        const char *star = strchr(rt->pattern, '*');
        int ok;
        if (!star) {
            ok = !strcmp(rt->pattern, path);
            if (ok)
                param[0] = 0;
        } else {
            size_t pre = (size_t)(star - rt->pattern);
            const char *rest = path + pre;
            ok = !strncmp(rt->pattern, path, pre) && *rest && !strchr(rest, '/') &&
                 strlen(rest) < plen;
            if (ok)
                snprintf(param, plen, "%s", rest);
        }
        if (!ok)
            continue;
        if (!strcmp(rt->method, method))
            return rt;
        *method_mismatch = 1;
    }
    return NULL;
}

static void dispatch(struct app *app, struct MHD_Connection *conn, const char *method,
                     const char *url, struct reqctx *rc, struct http_resp *w)
{
    char path[512], param[256];
    snprintf(path, sizeof path, "%s", url);
    size_t pl = strlen(path);
    while (pl > 1 && path[pl - 1] == '/')
        path[--pl] = 0;
    /* Judge0 routes also answer with a ".json" suffix (Rails format) */
    if (pl > 5 && !strcmp(path + pl - 5, ".json"))
        path[pl - 5] = 0;

    struct http_req r = {app, conn, method, path, rc->body ? rc->body : "", rc->len, NULL, rc};
    if (rc->too_big) {
        char msg[128];
        snprintf(msg, sizeof msg, "request body too large (limit %zu bytes)", rc->limit);
        http_error(w, 413, msg);
        return;
    }
    if (!strcmp(method, "OPTIONS")) { /* CORS preflight: headers added in send_resp */
        http_text(w, 204, "text/plain", "", 0);
        return;
    }
    int mismatch;
    const struct route *rt = match(method, path, param, sizeof param, &mismatch);
    if (!rt) {
        http_error(w, mismatch ? 405 : 404, mismatch ? "method not allowed" : "not found");
        return;
    }
    r.param = param[0] ? param : NULL;
    if (rt->auth == AUTH_TOKEN && app->cfg.auth_tokens.n &&
        !token_in(&app->cfg.auth_tokens, http_header(&r, "X-Auth-Token"))) {
        http_error(w, 401, "unauthorized: a valid X-Auth-Token header is required");
        return;
    }
    if (app->cfg.maintenance_mode && (!strcmp(method, "POST") || !strcmp(method, "DELETE")) &&
        strncmp(path, "/auth", 5)) {
        http_error(w, 503, "maintenance mode is on, creating and deleting is not allowed");
        return;
    }
    rt->fn(&r, w);
}

static enum MHD_Result send_resp(struct app *app, struct MHD_Connection *conn, struct http_resp *w)
{
    struct MHD_Response *resp =
        w->stream ? w->stream : MHD_create_response_from_buffer(w->len, w->body, MHD_RESPMEM_MUST_FREE);
    if (!resp)
        return MHD_NO;
    if (w->stream)
        w->stream = NULL;
    else
        w->body = NULL; /* MHD owns it now */
    MHD_add_response_header(resp, "Content-Type", w->ctype ? w->ctype : "application/json");
    MHD_add_response_header(resp, "Server", "nsjudge/" NSJUDGE_VERSION);
    /* browser IDEs call Judge0 cross-origin; Judge0 allows any origin */
    const char *origin = app->cfg.cors_allow_origin;
    if (origin && *origin) {
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", origin);
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
        MHD_add_response_header(resp, "Access-Control-Allow-Headers",
                                "Content-Type, X-Auth-Token, X-Auth-User");
        MHD_add_response_header(resp, "Access-Control-Max-Age", "86400");
    }
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)w->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* The client's address as "1.2.3.4:port" or "[::1]:port". */
static void client_addr(struct MHD_Connection *conn, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    char host[INET6_ADDRSTRLEN];
    snprintf(out, len, "-");
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
        if (inet_ntop(AF_INET, &a->sin_addr, host, sizeof host))
            snprintf(out, len, "%s:%u", host, ntohs(a->sin_port));
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
        if (inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host))
            snprintf(out, len, "[%s]:%u", host, ntohs(a->sin6_port));
    }
}

/* MHD calls this once per request, before the headers are parsed, with the
 * URI as sent (the access handler only sees the path, the query already
 * split off). The request's context starts here so the log line can show
 * the query string. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    struct reqctx *rc = calloc(1, sizeof *rc);
    if (!rc)
        return NULL; /* on_request makes one, without the query */
    snprintf(rc->uri, sizeof rc->uri, "%s", uri ? uri : "");
    client_addr(conn, rc->addr, sizeof rc->addr);
    clock_gettime(CLOCK_MONOTONIC, &rc->t0);
    return rc;
}

/* Why a request failed, for its log line: the "error" of a JSON error
 * body, else the body itself (422 is {field: [messages]}), cut. */
static void failure_reason(const struct http_resp *w, char *out, size_t len)
{
    out[0] = 0;
    if (!w->body || !w->len)
        return;
    json_t *j = w->len <= 65536 ? json_loadb(w->body, w->len, 0, NULL) : NULL;
    const char *msg = json_string_value(json_object_get(j, "error"));
    if (msg)
        snprintf(out, len, "%s", msg);
    else
        snprintf(out, len, "%.*s", (int)(w->len < len ? w->len : len - 1), w->body);
    json_decref(j);
}

/* One line per request: who (addr), what (method, path with its query),
 * the answer (status, size, time) and, for a 4xx or 5xx, why (reason). */
static void log_request(struct app *app, const char *method, const char *url,
                        struct reqctx *rc, const struct http_resp *w)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (t1.tv_sec - rc->t0.tv_sec) * 1e3 + (t1.tv_nsec - rc->t0.tv_nsec) / 1e6;
    char q[1100], reason[300], qreason[620] = "";
    if (w->status >= 400) {
        failure_reason(w, reason, sizeof reason);
        log_quote(reason, qreason, sizeof qreason);
    }
    nlog(&app->log, LOG_INFO, "request",
         "addr=%s method=%s path=%s status=%d ms=%.1f in=%zu out=%zu%s%s",
         rc->addr[0] ? rc->addr : "-", method, log_quote(rc->uri[0] ? rc->uri : url, q, sizeof q),
         w->status, ms, rc->len, w->len, qreason[0] ? " reason=" : "", qreason);
    metrics_http(&app->metrics, w->status);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct app *app = cls;
    struct reqctx *rc = *con_cls;
    (void)version;
    if (!rc || !rc->started) {
        if (!rc) {
            rc = calloc(1, sizeof *rc);
            if (!rc)
                return MHD_NO;
            clock_gettime(CLOCK_MONOTONIC, &rc->t0);
            client_addr(conn, rc->addr, sizeof rc->addr);
        }
        rc->started = true;
        rc->limit = !strncmp(url, "/problems", 9) ? app->cfg.max_upload_bytes
                                                  : app->cfg.max_body_bytes;
        *con_cls = rc;
        /* An announced oversize body is refused before it is read. */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > rc->limit) {
            rc->too_big = 1;
            struct http_resp w = {0};
            dispatch(app, conn, method, url, rc, &w);
            log_request(app, method, url, rc, &w);
            return send_resp(app, conn, &w);
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (rc->too_big || rc->len + n > rc->limit) {
            rc->too_big = 1;
            free(rc->body);
            rc->body = NULL;
            rc->len = rc->cap = 0;
            return MHD_YES;
        }
        if (rc->len + n + 1 > rc->cap) {
            size_t nc = rc->cap ? rc->cap * 2 : 4096;
            while (nc < rc->len + n + 1)
                nc *= 2;
            char *nb = realloc(rc->body, nc);
            if (!nb)
                return MHD_NO;
            rc->body = nb;
            rc->cap = nc;
        }
        memcpy(rc->body + rc->len, upload_data, n);
        rc->len += n;
        rc->body[rc->len] = 0;
        return MHD_YES;
    }
    struct http_resp w = {0};
    if (rc->deferred == 2) {
        /* resumed: http_parked_answer left the answer here */
        w = rc->resp;
        memset(&rc->resp, 0, sizeof rc->resp);
    } else {
        dispatch(app, conn, method, url, rc, &w);
        if (w.parked)
            return MHD_YES; /* answered later, http_parked_answer */
    }
    if (!w.status)
        http_error(&w, 500, "handler produced no response");
    log_request(app, method, url, rc, &w);
    enum MHD_Result ok = send_resp(app, conn, &w);
    free(w.body);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    struct reqctx *rc = *con_cls;
    if (rc && rc->deferred == 2) {
        struct http_server *hs = ((struct app *)cls)->http;
        pthread_mutex_lock(&hs->mu);
        if (--hs->answering == 0)
            pthread_cond_broadcast(&hs->sent);
        pthread_mutex_unlock(&hs->mu);
    }
    if (rc) {
        free(rc->body);
        free(rc->resp.body);
        free(rc);
        *con_cls = NULL;
    }
}

int http_bind(struct app *app, char *err, size_t errlen)
{
    char host[128];
    int port;
    if (config_listen_addr(&app->cfg, host, sizeof host, &port)) {
        snprintf(err, errlen, "bad listen address \"%s\" (want HOST:PORT)", app->cfg.listen);
        return -EINVAL;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
    } else {
        snprintf(err, errlen, "listen host \"%s\" is not an IP address", host);
        return -EINVAL;
    }
    /* The socket is made here rather than by MHD, which sets SO_REUSEPORT
     * (MHD_OPTION_LISTENING_ADDRESS_REUSE): with it a second serve on the
     * same port binds too and the kernel splits requests between two
     * services with two different stores. SO_REUSEADDR only lets a restart
     * bind over connections left in TIME_WAIT; an active listener still
     * makes bind fail with EADDRINUSE. */
    int lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (lfd < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot listen on %s: %s", app->cfg.listen, strerror(e));
        return -e;
    }
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    socklen_t slen = ss.ss_family == AF_INET6 ? sizeof *a6 : sizeof *a4;
    if (ss.ss_family == AF_INET6)
        setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(lfd, (struct sockaddr *)&ss, slen) || listen(lfd, 128)) {
        int e = errno;
        close(lfd);
        snprintf(err, errlen, "cannot listen on %s: %s", app->cfg.listen,
                 e == EADDRINUSE ? "address already in use (is another nsjudge serve running?)"
                                 : strerror(e));
        return -e;
    }
    return lfd;
}

int http_start(struct app *app, int lfd, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t slen = sizeof ss;
    if (getsockname(lfd, (struct sockaddr *)&ss, &slen)) {
        int e = errno;
        close(lfd);
        snprintf(err, errlen, "listening socket: %s", strerror(e));
        return -e;
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    struct http_server *hs = calloc(1, sizeof *hs);
    if (!hs) {
        close(lfd);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    hs->app = app;
    pthread_mutex_init(&hs->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&hs->sent, &ca);
    pthread_condattr_destroy(&ca);
    app->http = hs;
    unsigned threads = app->cfg.http_threads > 0 ? (unsigned)app->cfg.http_threads : 4;
    /* MHD owns lfd from here and closes it in MHD_stop_daemon */
    hs->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, app,
                             MHD_OPTION_LISTEN_SOCKET, lfd,
                             MHD_OPTION_THREAD_POOL_SIZE, threads,
                             MHD_OPTION_NOTIFY_COMPLETED, on_completed, app,
                             MHD_OPTION_URI_LOG_CALLBACK, on_uri, app,
                             MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
                             MHD_OPTION_END);
    if (!hs->d) {
        close(lfd);
        snprintf(err, errlen, "cannot serve on %s: the HTTP library failed to start",
                 app->cfg.listen);
        app->http = NULL;
        pthread_cond_destroy(&hs->sent);
        pthread_mutex_destroy(&hs->mu);
        free(hs);
        return -EIO;
    }
    return 0;
}

void http_stop(struct app *app)
{
    struct http_server *hs = app->http;
    if (!hs)
        return;
    /* the answers given (waits_stop answers every parked request first)
     * are sent before the daemon closes their connections: it waits for
     * each resumed request's completion, for at most HTTP_STOP_SEND_S; a
     * still suspended one would keep MHD_stop_daemon waiting */
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += HTTP_STOP_SEND_S;
    pthread_mutex_lock(&hs->mu);
    hs->stop = true;
    while (hs->answering > 0 && pthread_cond_timedwait(&hs->sent, &hs->mu, &until) == 0)
        ;
    int parked = hs->parked, unsent = hs->answering;
    pthread_mutex_unlock(&hs->mu);
    if (parked || unsent)
        nlog(&app->log, LOG_WARN, "parked_unanswered", "requests=%d unsent=%d", parked, unsent);
    MHD_stop_daemon(hs->d);
    pthread_cond_destroy(&hs->sent);
    pthread_mutex_destroy(&hs->mu);
    free(hs);
    app->http = NULL;
}
