/*
 * callback_guard.c - the guard that keeps a submitter from aiming callback
 * requests at the server's own network (SSRF): loopback, private,
 * link-local and other non-public addresses are refused unless the
 * operator's callback_allow lists them. callback.c asks it for every
 * address curl connects to; a literal address in callback_url is refused
 * at submission time too (judge0_json.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <curl/curl.h>
#include "judge/number.h"
#include "server/service/callback_guard.h"

/* ---- which addresses a callback may reach --------------------------------------- */

static const char *v4_class(uint32_t a) /* host byte order */
{
    static const struct { uint32_t net; int bits; const char *what; } nets[] = {
        {0x00000000, 8, "unspecified (0.0.0.0/8)"},
        {0x0a000000, 8, "private (10.0.0.0/8)"},
        {0x64400000, 10, "shared (100.64.0.0/10)"},
        {0x7f000000, 8, "loopback (127.0.0.0/8)"},
        {0xa9fe0000, 16, "link-local (169.254.0.0/16)"},
        {0xac100000, 12, "private (172.16.0.0/12)"},
        {0xc0000000, 24, "special-purpose (192.0.0.0/24)"},
        {0xc0a80000, 16, "private (192.168.0.0/16)"},
        {0xc6120000, 15, "benchmarking (198.18.0.0/15)"},
        {0xe0000000, 4, "multicast (224.0.0.0/4)"},
        {0xf0000000, 4, "reserved or broadcast (240.0.0.0/4)"},
    };
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++)
        if ((a >> (32 - nets[i].bits)) == (nets[i].net >> (32 - nets[i].bits)))
            return nets[i].what;
    return NULL;
}

static uint32_t be32_at(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const char *v6_class(const unsigned char *b)
{
    static const unsigned char zero[16];
    if (!memcmp(b, zero, 16))
        return "unspecified (::)";
    if (!memcmp(b, zero, 15) && b[15] == 1)
        return "loopback (::1)";
    /* forms that carry an IPv4 address: judged by that address */
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
    if (!memcmp(b, mapped, 12) || !memcmp(b, zero, 12) || !memcmp(b, nat64, 12)) {
        return v4_class(be32_at(b + 12));
    }
    if (b[0] == 0x20 && b[1] == 0x02) /* 6to4: 2002:V4ADDR::/48 */
        return v4_class(be32_at(b + 2));
    if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0 && b[5] == 1)
        return "local NAT64 (64:ff9b:1::/48)";
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        return "link-local (fe80::/10)";
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
        return "site-local (fec0::/10)";
    if ((b[0] & 0xfe) == 0xfc)
        return "unique local (fc00::/7)";
    if (b[0] == 0xff)
        return "multicast (ff00::/8)";
    return NULL;
}

const char *callback_addr_class(const struct sockaddr *sa)
{
    if (!sa)
        return "no address";
    if (sa->sa_family == AF_INET)
        return v4_class(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
    if (sa->sa_family == AF_INET6)
        return v6_class(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
    return "not an IP address";
}

/* One allow-list entry: an address range (port 0 = any) or a host name and port. */
struct cb_rule {
    int family;                 /* AF_INET, AF_INET6, or 0 for a host name */
    unsigned char addr[16];
    int bits;
    int port;
    char *host;
};

struct cb_allow {
    struct cb_rule *v;
    size_t n;
};

void callback_allow_free(struct cb_allow *a)
{
    for (size_t i = 0; a && i < a->n; i++)
        free(a->v[i].host);
    if (a)
        free(a->v);
    free(a);
}

static int parse_rule(const char *e, struct cb_rule *r)
{
    char buf[300];
    memset(r, 0, sizeof *r);
    if (strlen(e) >= sizeof buf || !*e)
        return -EINVAL;
    snprintf(buf, sizeof buf, "%s", e);
    char *addr = buf, *port = NULL;
    if (buf[0] == '[') {               /* [v6 or v6/bits]:port */
        char *close = strchr(buf, ']');
        if (!close || (close[1] && close[1] != ':'))
            return -EINVAL;
        *close = 0;
        addr = buf + 1;
        port = close[1] ? close + 2 : NULL;
    } else if (strchr(buf, ':') == strrchr(buf, ':') && strchr(buf, ':')) {
        port = strchr(buf, ':');      /* one colon: v4, v4/bits or name, then a port */
        *port++ = 0;
    }
    if (port) {
        int64_t p;
        if (jd_parse_int(port, 1, 65535, &p))
            return -EINVAL;
        r->port = (int)p;
    }
    char *slash = strchr(addr, '/');
    if (slash)
        *slash++ = 0;
    if (inet_pton(AF_INET, addr, r->addr) == 1) {
        r->family = AF_INET;
        r->bits = 32;
    } else if (inet_pton(AF_INET6, addr, r->addr) == 1) {
        r->family = AF_INET6;
        r->bits = 128;
    } else {
        /* a host name: only with a port, so one entry opens one service */
        if (slash || !r->port || !*addr || strspn(addr, "abcdefghijklmnopqrstuvwxyz"
                                                       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != strlen(addr))
            return -EINVAL;
        return (r->host = strdup(addr)) ? 0 : -ENOMEM;
    }
    if (slash) {
        int64_t b;
        if (jd_parse_int(slash, 0, r->bits, &b))
            return -EINVAL;
        r->bits = (int)b;
    }
    return 0;
}

int callback_allow_parse(char *const *entries, size_t n, struct cb_allow **out, char *err,
                         size_t errlen)
{
    struct cb_allow *a = calloc(1, sizeof *a);
    if (!a || !(a->v = calloc(n ? n : 1, sizeof *a->v))) {
        free(a);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        int rc = parse_rule(entries[i], &a->v[i]);
        if (rc) {
            if (rc == -ENOMEM)
                snprintf(err, errlen, "out of memory");
            else
                snprintf(err, errlen,
                         "config key \"callback_allow\": \"%.200s\" is not ADDRESS[/BITS][:PORT], "
                         "[V6ADDRESS[/BITS]]:PORT or HOST:PORT", entries[i]);
            callback_allow_free(a);
            return rc;
        }
        a->n++;
    }
    *out = a;
    return 0;
}

static bool prefix_eq(const unsigned char *x, const unsigned char *y, int bits)
{
    int whole = bits / 8, rest = bits % 8;
    if (memcmp(x, y, (size_t)whole))
        return false;
    if (!rest)
        return true;
    unsigned char m = (unsigned char)(0xff << (8 - rest));
    return (x[whole] & m) == (y[whole] & m);
}

bool callback_allow_match(const struct cb_allow *a, const struct sockaddr *sa, const char *host)
{
    unsigned char b[16];
    int fam, port;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        memcpy(b, &s4->sin_addr, 4);
        fam = AF_INET;
        port = ntohs(s4->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        port = ntohs(s6->sin6_port);
        if (!memcmp(s6->sin6_addr.s6_addr, mapped, 12)) { /* ::ffff:a.b.c.d is a.b.c.d */
            memcpy(b, s6->sin6_addr.s6_addr + 12, 4);
            fam = AF_INET;
        } else {
            memcpy(b, s6->sin6_addr.s6_addr, 16);
            fam = AF_INET6;
        }
    } else {
        return false;
    }
    for (size_t i = 0; a && i < a->n; i++) {
        const struct cb_rule *r = &a->v[i];
        if (r->port && r->port != port)
            continue;
        if (r->host ? host && !strcasecmp(r->host, host)
                    : r->family == fam && prefix_eq(r->addr, b, r->bits))
            return true;
    }
    return false;
}

/* Host (brackets removed) and port of an http(s) URL, as libcurl reads them. */
int callback_url_host_port(const char *url, char *host, size_t hostlen, int *port)
{
    CURLU *u = curl_url();
    char *h = NULL, *p = NULL;
    int rc = -EINVAL;
    if (!u)
        return -ENOMEM;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        int64_t n;
        size_t l = strlen(h);
        if (l >= 2 && h[0] == '[' && h[l - 1] == ']') {
            h[l - 1] = 0;
            memmove(h, h + 1, l - 1);
        }
        if (strlen(h) < hostlen && jd_parse_int(p, 0, 65535, &n) == 0) {
            snprintf(host, hostlen, "%s", h);
            *port = (int)n;
            rc = 0;
        }
    }
    curl_free(h);
    curl_free(p);
    curl_url_cleanup(u);
    return rc;
}

/* An address literal in host, as a sockaddr with port; false for a name. */
static bool literal_addr(const char *host, int port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    char h[256];
    snprintf(h, sizeof h, "%s", host);
    char *zone = strchr(h, '%'); /* fe80::1%eth0 */
    if (zone)
        *zone = 0;
    if (inet_pton(AF_INET, h, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        return true;
    }
    if (inet_pton(AF_INET6, h, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        return true;
    }
    return false;
}

int callback_url_check(const struct cb_allow *allow, const char *url, char *why, size_t whylen)
{
    char host[256];
    int port;
    if (callback_url_host_port(url, host, sizeof host, &port)) {
        snprintf(why, whylen, "is not a valid URL");
        return -EINVAL;
    }
    struct sockaddr_storage ss;
    const char *cls;
    if (literal_addr(host, port, &ss) && (cls = callback_addr_class((struct sockaddr *)&ss)) &&
        !callback_allow_match(allow, (struct sockaddr *)&ss, NULL)) {
        snprintf(why, whylen, "must not point at a %s address", cls);
        return -EPERM;
    }
    return 0;
}
