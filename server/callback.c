/* callback.c - delivering results to callback_url with libcurl PUT. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include "server/callback.h"
#include "server/judge0_json.h"

struct cb_item {
    char token[40];
    int tries;
    double due;
    struct cb_item *next;
};

struct callbacks {
    struct app *app;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct cb_item *head;
    bool stop;
    int n_threads;
    pthread_t th[8];
};

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void push(struct callbacks *cb, struct cb_item *it)
{
    pthread_mutex_lock(&cb->mu);
    it->next = cb->head;
    cb->head = it;
    pthread_cond_broadcast(&cb->cv);
    pthread_mutex_unlock(&cb->mu);
}

void callbacks_enqueue(struct callbacks *cb, const char *token)
{
    struct cb_item *it = calloc(1, sizeof *it);
    if (!it)
        return; /* still pending in the store: delivered after a restart */
    snprintf(it->token, sizeof it->token, "%s", token);
    it->due = now_mono();
    push(cb, it);
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
    (void)p;
    (void)u;
    return s * n;
}

/* 0 delivered, 1 retry later, -1 give up */
static int deliver(struct callbacks *cb, const char *token, char *why, size_t whylen)
{
    struct app *app = cb->app;
    struct submission s;
    if (app->store->ops->get(app->store, token, &s)) {
        snprintf(why, whylen, "submission is gone");
        return -1;
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
        return 1;
    }
    int rc = 1;
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
        CURLcode cr = curl_easy_perform(c);
        long code = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        if (cr != CURLE_OK)
            snprintf(why, whylen, "%s", curl_easy_strerror(cr));
        else if (code < 200 || code >= 300)
            snprintf(why, whylen, "HTTP %ld", code);
        else
            rc = 0;
    } else {
        snprintf(why, whylen, "cannot set up libcurl");
    }
    curl_slist_free_all(h);
    if (c)
        curl_easy_cleanup(c);
    free(body);
    submission_clear(&s);
    return rc;
}

static void *cb_main(void *arg)
{
    struct callbacks *cb = arg;
    struct app *app = cb->app;
    pthread_mutex_lock(&cb->mu);
    while (!cb->stop) {
        /* the earliest due item */
        struct cb_item **best = NULL;
        for (struct cb_item **pp = &cb->head; *pp; pp = &(*pp)->next)
            if (!best || (*pp)->due < (*best)->due)
                best = pp;
        double now = now_mono();
        if (!best || (*best)->due > now) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            double wait = best ? (*best)->due - now : 1.0;
            if (wait > 1.0)
                wait = 1.0;
            long ns = ts.tv_nsec + (long)(wait * 1e9);
            ts.tv_sec += ns / 1000000000L;
            ts.tv_nsec = ns % 1000000000L;
            pthread_cond_timedwait(&cb->cv, &cb->mu, &ts);
            continue;
        }
        struct cb_item *it = *best;
        *best = it->next;
        pthread_mutex_unlock(&cb->mu);

        char why[256] = "", q[300];
        int rc = deliver(cb, it->token, why, sizeof why);
        it->tries++;
        if (rc == 0) {
            app->store->ops->callback_done(app->store, it->token);
            atomic_fetch_add(&app->metrics.callbacks_ok, 1);
            nlog(&app->log, LOG_INFO, "callback", "token=%s outcome=ok tries=%d", it->token, it->tries);
            free(it);
        } else if (rc < 0 || it->tries >= app->cfg.callbacks_max_tries) {
            app->store->ops->callback_done(app->store, it->token);
            atomic_fetch_add(&app->metrics.callbacks_failed, 1);
            nlog(&app->log, LOG_WARN, "callback", "token=%s outcome=failed tries=%d error=%s",
                 it->token, it->tries, log_quote(why, q, sizeof q));
            free(it);
        } else {
            nlog(&app->log, LOG_INFO, "callback", "token=%s outcome=retry tries=%d error=%s",
                 it->token, it->tries, log_quote(why, q, sizeof q));
            it->due = now_mono() + (double)(1 << (it->tries - 1));
            push(cb, it);
        }
        pthread_mutex_lock(&cb->mu);
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
    pthread_mutex_init(&cb->mu, NULL);
    pthread_cond_init(&cb->cv, NULL);
    app->callbacks = cb;
    if (threads < 1)
        threads = 1;
    if (threads > 8)
        threads = 8;
    /* undelivered callbacks of a previous run */
    char **tokens;
    size_t n;
    if (app->store->ops->callbacks_pending(app->store, &tokens, &n) == 0) {
        for (size_t i = 0; i < n; i++)
            callbacks_enqueue(cb, tokens[i]);
        store_free_strv(tokens, n);
    }
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
    for (struct cb_item *it = cb->head, *n; it; it = n) {
        n = it->next;
        free(it);
    }
    pthread_mutex_destroy(&cb->mu);
    pthread_cond_destroy(&cb->cv);
    free(cb);
    app->callbacks = NULL;
}
