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

struct sockaddr;
struct cb_allow;

/* Starts the delivery threads; parses cfg.callback_allow (an error names
 * the bad entry). */
int callbacks_start(struct app *app, int threads, char *err, size_t errlen);
/* A callback of token became pending in the store: wake the threads. */
void callbacks_enqueue(struct callbacks *cb, const char *token);
void callbacks_stop(struct app *app);

/* SSRF guard. Why a callback must not go to this address ("loopback
 * (127.0.0.0/8)", "private (10.0.0.0/8)", ...), or NULL for a public one.
 * IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6 forms are judged by
 * the IPv4 address they carry. */
const char *callback_addr_class(const struct sockaddr *sa);
/* The allow-list: entries "ADDRESS[/BITS][:PORT]", "[V6ADDRESS[/BITS]]:PORT"
 * or "HOST:PORT" (that name, whatever it resolves to). */
int callback_allow_parse(char *const *entries, size_t n, struct cb_allow **out, char *err,
                         size_t errlen);
void callback_allow_free(struct cb_allow *a);
/* Whether an entry allows this address and port (host: the URL's name, or NULL). */
bool callback_allow_match(const struct cb_allow *a, const struct sockaddr *sa, const char *host);
/* Submission-time check of a callback_url: 0, or -EINVAL / -EPERM with why
 * ("must not point at a loopback (127.0.0.0/8) address"). Only literal
 * addresses are judged here; names are judged when connecting. */
int callback_url_check(const struct app *app, const char *url, char *why, size_t whylen);

#endif
