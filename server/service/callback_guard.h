/* callback_guard.h - which addresses a callback may reach (callback_guard.c). */
#ifndef NSJUDGE_SERVER_CALLBACK_GUARD_H
#define NSJUDGE_SERVER_CALLBACK_GUARD_H

#include <stdbool.h>
#include <stddef.h>

struct sockaddr;
struct cb_allow;

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
int callback_url_check(const struct cb_allow *allow, const char *url, char *why, size_t whylen);
/* The host and port of an http(s) URL: 0, or -1 when it is not one. */
int callback_url_host_port(const char *url, char *host, size_t hostlen, int *port);

#endif
