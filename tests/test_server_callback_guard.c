/*
 * test_server_callback_guard.c - the SSRF guard of callbacks on parsed
 * addresses: nothing here connects anywhere (the end-to-end tests in
 * test_server_jobs.c use 127.0.0.1 only).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include "server/service/callback_guard.h"

static struct sockaddr_storage addr(const char *ip, int port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
    } else {
        cr_assert_eq(inet_pton(AF_INET6, ip, &a6->sin6_addr), 1, "%s", ip);
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
    }
    return ss;
}

static const char *cls(const char *ip)
{
    struct sockaddr_storage ss = addr(ip, 80);
    return callback_addr_class((struct sockaddr *)&ss);
}

Test(server_callback_guard, forbidden_ranges)
{
    static const char *const forbidden[][2] = {
        {"127.0.0.1", "loopback"}, {"127.255.255.254", "loopback"}, {"10.0.0.1", "private"},
        {"10.255.255.255", "private"}, {"172.16.0.1", "private"}, {"172.31.255.255", "private"},
        {"192.168.0.1", "private"}, {"192.168.255.255", "private"},
        {"169.254.169.254", "link-local"}, {"169.254.0.1", "link-local"},
        {"0.0.0.0", "unspecified"}, {"0.1.2.3", "unspecified"}, {"100.64.0.1", "shared"},
        {"100.127.255.255", "shared"}, {"192.0.0.8", "special"}, {"198.18.0.1", "benchmarking"},
        {"224.0.0.1", "multicast"}, {"239.255.255.250", "multicast"},
        {"255.255.255.255", "broadcast"}, {"240.0.0.1", "reserved"},
        {"::1", "loopback"}, {"::", "unspecified"}, {"fe80::1", "link-local"},
        {"febf:ffff::1", "link-local"}, {"fec0::1", "site-local"}, {"fc00::1", "unique local"},
        {"fdff:ffff::1", "unique local"}, {"ff02::1", "multicast"}, {"ff05::2", "multicast"},
        /* IPv6 forms carrying an IPv4 address */
        {"::ffff:127.0.0.1", "loopback"}, {"::ffff:10.1.2.3", "private"},
        {"::ffff:169.254.169.254", "link-local"}, {"::ffff:0.0.0.0", "unspecified"},
        {"::127.0.0.1", "loopback"}, {"::192.168.1.1", "private"},
        {"64:ff9b::7f00:1", "loopback"}, {"64:ff9b::a9fe:a9fe", "link-local"},
        {"64:ff9b:1::1", "NAT64"}, {"2002:7f00:1::1", "loopback"}, {"2002:c0a8:101::1", "private"},
    };
    for (size_t i = 0; i < sizeof forbidden / sizeof *forbidden; i++) {
        const char *c = cls(forbidden[i][0]);
        cr_assert(c, "%s must be refused", forbidden[i][0]);
        cr_assert(strstr(c, forbidden[i][1]), "%s is %s, want %s", forbidden[i][0], c, forbidden[i][1]);
    }
    static const char *const public[] = {
        "8.8.8.8", "1.1.1.1", "11.0.0.1", "9.255.255.255", "126.255.255.255", "128.0.0.1",
        "172.15.255.255", "172.32.0.1", "192.167.255.255", "192.169.0.1", "169.253.255.255",
        "169.255.0.1", "100.63.255.255", "100.128.0.1", "223.255.255.255",
        "2001:4860:4860::8888", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808",
        "2002:808:808::1", "fbff::1", "fe7f::1",
    };
    for (size_t i = 0; i < sizeof public / sizeof *public; i++)
        cr_assert_null(cls(public[i]), "%s is public, got %s", public[i], cls(public[i]));
    struct sockaddr un = {.sa_family = AF_UNIX};
    cr_assert(callback_addr_class(&un), "not IP: refused");
}

Test(server_callback_guard, allow_list)
{
    char *entries[] = {"127.0.0.1:8080", "10.0.0.0/8", "[fd00::/8]:443", "hooks.internal:9000",
                       "192.168.1.7", "::1"};
    struct cb_allow *a = NULL;
    char err[256];
    cr_assert_eq(callback_allow_parse(entries, 6, &a, err, sizeof err), 0, "%s", err);
    struct {
        const char *ip;
        int port;
        const char *host;
        bool allowed;
    } cases[] = {
        {"127.0.0.1", 8080, NULL, true}, {"127.0.0.1", 8081, NULL, false},
        {"127.0.0.2", 8080, NULL, false}, {"::ffff:127.0.0.1", 8080, NULL, true},
        {"10.9.9.9", 1, NULL, true}, {"::ffff:10.1.1.1", 5, NULL, true}, {"11.0.0.1", 1, NULL, false},
        {"fd00::5", 443, NULL, true}, {"fd00::5", 80, NULL, false}, {"fc00::5", 443, NULL, false},
        {"192.168.0.1", 9000, "hooks.internal", true}, {"192.168.0.1", 9000, "HOOKS.internal", true},
        {"192.168.0.1", 9001, "hooks.internal", false}, {"192.168.0.1", 9000, "other", false},
        {"192.168.1.7", 1, NULL, true}, {"192.168.1.8", 1, NULL, false},
        {"::1", 3, NULL, true}, {"::2", 3, NULL, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct sockaddr_storage ss = addr(cases[i].ip, cases[i].port);
        cr_assert_eq(callback_allow_match(a, (struct sockaddr *)&ss, cases[i].host), cases[i].allowed,
                     "%s port %d host %s", cases[i].ip, cases[i].port, cases[i].host ? cases[i].host : "-");
    }
    callback_allow_free(a);
    cr_assert_eq(callback_allow_match(NULL, (struct sockaddr *)&(struct sockaddr_storage){0}, NULL), false);

    static const char *const bad[] = {"10.0.0.0/33", "abc", "1.2.3.4:0", "1.2.3.4:70000", "[::1",
                                      "[::1]:", "host.example", "host/8:80", "[::1/129]:5", "", "1.2.3.4:8x",
                                      "a b:80"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *e = (char *)bad[i];
        a = NULL;
        cr_assert_lt(callback_allow_parse(&e, 1, &a, err, sizeof err), 0, "'%s' must be refused", bad[i]);
        cr_assert(strstr(err, "callback_allow"), "%s", err);
        cr_assert_null(a);
    }
}

Test(server_callback_guard, submission_time_check)
{
    const struct cb_allow *none = NULL;   /* no allow-list */
    char why[160];
    static const char *const refused[] = {
        "http://127.0.0.1:5/x", "http://2130706433/", "http://0x7f.1/", "http://017700000001/",
        "http://[::1]:80/", "http://[::ffff:127.0.0.1]/", "https://10.1.2.3/", "http://169.254.169.254/latest",
        "http://[fe80::1%25eth0]/", "http://0.0.0.0:2358/", "http://[fd00::1]/",
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        cr_assert_eq(callback_url_check(none, refused[i], why, sizeof why), -EPERM, "%s", refused[i]);
        cr_assert(strstr(why, "must not point at"), "%s: %s", refused[i], why);
    }
    /* names are judged when connecting; public literals pass */
    cr_assert_eq(callback_url_check(none, "http://localhost:5/x", why, sizeof why), 0);
    cr_assert_eq(callback_url_check(none, "https://hooks.example.com/judge0", why, sizeof why), 0);
    cr_assert_eq(callback_url_check(none, "http://8.8.8.8/", why, sizeof why), 0);
    cr_assert_eq(callback_url_check(none, "http://a b/", why, sizeof why), -EINVAL);
}
