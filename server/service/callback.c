/*
 * callback.c - delivering results to callback_url with libcurl PUT. The
 * guard (callback_guard.c) runs on the address curl is about to connect to
 * (CURLOPT_OPENSOCKETFUNCTION), so a name that resolves differently later
 * (DNS rebinding) cannot get past it; redirects are not followed and
 * proxies are off.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include "judge/number.h"
#include "server/service/callback.h"
#include "server/service/callback_guard.h"
#include "server/service/judge0_json.h"

/* The queue of callbacks is in the store (callback_claim/settle), so any
 * node delivers any node's callbacks, one node at a time, and the count of
 * tries survives the node that made them. These threads claim what is
 * due; a finished job here wakes them, the rest (other nodes' results,
 * retries coming due) is found by a poll every CB_POLL_S. */
#define CB_POLL_S 1.0

struct callbacks {
    struct app *app;
    struct cb_allow *allow;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t wakes;
    bool stop;
    int n_threads;
    pthread_t th[8];
};

void callbacks_enqueue(struct callbacks *cb, const char *token)
{
    (void)token; /* already pending in the store */
    pthread_mutex_lock(&cb->mu);
    cb->wakes++;
    pthread_cond_broadcast(&cb->cv);
    pthread_mutex_unlock(&cb->mu);
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
    (void)p;
    (void)u;
    return s * n;
}

/* What the connect-time check needs, and what it saw. */
struct cb_target {
    const struct cb_allow *allow;
    const char *host;           /* of the URL: for HOST:PORT entries */
    char refused[200];          /* why the last address was refused */
};

/* libcurl asks here for every socket it would connect: the address is
 * final (resolved, after any DNS answer), so this is where SSRF stops. */
static curl_socket_t open_checked(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct cb_target *t = clientp;
    const struct sockaddr *sa = &a->addr;
    const char *cls = purpose == CURLSOCKTYPE_IPCXN ? callback_addr_class(sa) : "not a connection";
    if (cls && !(purpose == CURLSOCKTYPE_IPCXN && callback_allow_match(t->allow, sa, t->host))) {
        char ip[INET6_ADDRSTRLEN] = "?";
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof ip);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof ip);
        snprintf(t->refused, sizeof t->refused, "%s is %s (not in callback_allow)", ip, cls);
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* Puts token's result to its callback_url. 0 delivered (or nothing to
 * deliver); otherwise -errno with why saying what went wrong: -EAGAIN (the
 * request failed or was answered with an error) and -ENOMEM are worth
 * another try later, the rest never: -ENOENT the submission is gone (any
 * store error counts so), -EINVAL its callback_url is not a URL, -EACCES
 * the guard refused the address (the same one next time). */
static int deliver(struct callbacks *cb, const char *token, char *why, size_t whylen)
{
    struct app *app = cb->app;
    struct submission s;
    if (app->store->ops->get(app->store, token, &s)) {
        snprintf(why, whylen, "submission is gone");
        return -ENOENT;
    }
    if (!s.callback_url) {
        submission_clear(&s);
        return 0;
    }
    j0_fields f;
    char e[64];
    j0_fields_parse(NULL, &f, e, sizeof e);
    bool bad;
    /* a callback goes to whoever submitted: the policy's view, never the jury's */
    json_t *j = j0_render_submission(app, &s, f, true, (struct fb_view){0}, &bad);
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!body) {
        submission_clear(&s);
        snprintf(why, whylen, "out of memory");
        return -ENOMEM;
    }
    int rc = -EAGAIN;
    char host[256] = "";
    int port;
    struct cb_target tgt = {cb->allow, host, ""};
    if (callback_url_host_port(s.callback_url, host, sizeof host, &port)) {
        snprintf(why, whylen, "callback_url is not a valid URL");
        free(body);
        submission_clear(&s);
        return -EINVAL;
    }
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (c && h) {
        long ms = (long)(app->cfg.callbacks_timeout * 1000);
        curl_easy_setopt(c, CURLOPT_URL, s.callback_url);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms > 0 ? ms : 5000);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms > 0 ? ms : 5000);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "nsjudge-callback");
        /* the SSRF guard: every address checked, no redirects, no proxy
         * (a proxy would make the connection the check cannot see) */
        curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_checked);
        curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &tgt);
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(c, CURLOPT_PROXY, "");
        CURLcode cr = curl_easy_perform(c);
        long code = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        if (cr != CURLE_OK && tgt.refused[0]) {
            snprintf(why, whylen, "refused: %s", tgt.refused);
            rc = -EACCES; /* the same address next time: do not retry */
        } else if (cr != CURLE_OK)
            snprintf(why, whylen, "%s", curl_easy_strerror(cr));
        else if (code < 200 || code >= 300)
            snprintf(why, whylen, "HTTP %ld", code);
        else
            rc = 0;
    } else {
        snprintf(why, whylen, "cannot set up libcurl");
        rc = -ENOMEM;   /* what curl_easy_init and curl_slist_append fail on */
    }
    curl_slist_free_all(h);
    if (c)
        curl_easy_cleanup(c);
    free(body);
    submission_clear(&s);
    return rc;
}

static bool worth_retrying(int rc)
{
    return rc == -EAGAIN || rc == -ENOMEM;
}

/* One claimed callback: deliver, then settle it in the store. */
static void deliver_claimed(struct callbacks *cb, const char *token, int tries)
{
    struct app *app = cb->app;
    char why[256] = "", q[300];
    int rc = deliver(cb, token, why, sizeof why);
    tries++;
    int src;
    if (rc == 0) {
        src = app->store->ops->callback_settle(app->store, token, app->owner, -1);
        atomic_fetch_add(&app->metrics.callbacks_ok, 1);
        nlog(&app->log, LOG_INFO, "callback", "token=%s outcome=ok tries=%d", token, tries);
    } else if (!worth_retrying(rc) || tries >= app->cfg.callbacks_max_tries) {
        src = app->store->ops->callback_settle(app->store, token, app->owner, -1);
        atomic_fetch_add(&app->metrics.callbacks_failed, 1);
        nlog(&app->log, LOG_WARN, "callback", "token=%s outcome=failed tries=%d error=%s", token,
             tries, log_quote(why, q, sizeof q));
    } else {
        /* 1, 2, 4, ... s, at most 64 (callbacks_max_tries may be 1000) */
        double backoff = (double)(1 << (tries < 7 ? tries - 1 : 6));
        src = app->store->ops->callback_settle(app->store, token, app->owner, backoff);
        nlog(&app->log, LOG_INFO, "callback", "token=%s outcome=retry tries=%d error=%s", token,
             tries, log_quote(why, q, sizeof q));
    }
    if (src)
        nlog(&app->log, LOG_WARN, "callback_settle_failed", "token=%s error=%d", token, -src);
}

static void *cb_main(void *arg)
{
    struct callbacks *cb = arg;
    struct app *app = cb->app;
    /* a delivery takes at most connect + transfer timeouts; past that
     * (the node died) another node may take it */
    double lease = 2 * app->cfg.callbacks_timeout + 10;
    pthread_mutex_lock(&cb->mu);
    while (!cb->stop) {
        uint64_t seen = cb->wakes;
        pthread_mutex_unlock(&cb->mu);
        char token[40];
        int tries = 0;
        int rc = app->store->ops->callback_claim(app->store, app->owner, lease, token, &tries);
        if (rc == 0)
            deliver_claimed(cb, token, tries);
        pthread_mutex_lock(&cb->mu);
        if (rc == 0 || cb->stop || cb->wakes != seen)
            continue;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long ns = ts.tv_nsec + (long)((CB_POLL_S - (long)CB_POLL_S) * 1e9);
        ts.tv_sec += (time_t)CB_POLL_S + ns / 1000000000L;
        ts.tv_nsec = ns % 1000000000L;
        pthread_cond_timedwait(&cb->cv, &cb->mu, &ts);
    }
    pthread_mutex_unlock(&cb->mu);
    return NULL;
}

int callbacks_start(struct app *app, int threads, char *err, size_t errlen)
{
    struct callbacks *cb = calloc(1, sizeof *cb);
    if (!cb) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    cb->app = app;
    int prc = callback_allow_parse(app->cfg.callback_allow.v, app->cfg.callback_allow.n,
                                   &cb->allow, err, errlen);
    if (prc) {
        free(cb);
        return prc;
    }
    pthread_mutex_init(&cb->mu, NULL);
    pthread_cond_init(&cb->cv, NULL);
    app->callbacks = cb;
    app->callback_allow = cb->allow;   /* for the submission-time check */
    if (threads < 1)
        threads = 1;
    if (threads > 8)
        threads = 8;
    /* undelivered callbacks of a previous run are in the store: found by the poll */
    for (int i = 0; i < threads; i++) {
        int rc = pthread_create(&cb->th[i], NULL, cb_main, cb);
        if (rc) {
            snprintf(err, errlen, "cannot start a callback thread: %s", strerror(rc));
            return -rc;
        }
        cb->n_threads++;
    }
    return 0;
}

void callbacks_stop(struct app *app)
{
    struct callbacks *cb = app->callbacks;
    if (!cb)
        return;
    pthread_mutex_lock(&cb->mu);
    cb->stop = true;
    pthread_cond_broadcast(&cb->cv);
    pthread_mutex_unlock(&cb->mu);
    for (int i = 0; i < cb->n_threads; i++)
        pthread_join(cb->th[i], NULL);
    pthread_mutex_destroy(&cb->mu);
    pthread_cond_destroy(&cb->cv);
    app->callback_allow = NULL;
    callback_allow_free(cb->allow);
    free(cb);
    app->callbacks = NULL;
}
