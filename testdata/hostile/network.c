/*
 * network TCPPORT UDPPORT: reach a listener the test runs on the host's
 * 127.0.0.1, and look for any way out: a route, an interface other than
 * lo, raw or packet sockets. Never touches an address other than
 * 127.0.0.1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int escapes;

static void esc(const char *what)
{
    printf("ESCAPED: %s\n", what);
    escapes++;
}

/* Lines of a /proc/net table whose first field is an interface other than lo. */
static void check_table(const char *path, int skip, int field)
{
    FILE *f = fopen(path, "re");
    char line[512];
    int n = 0, bad = 0;
    if (!f) {
        printf("ok: %s: %s\n", path, strerror(errno));
        return;
    }
    while (fgets(line, sizeof line, f)) {
        if (n++ < skip)
            continue;
        char *tok, *save = NULL, *s = line;
        for (int i = 0; (tok = strtok_r(s, " \t\n:", &save)); i++, s = NULL)
            if (i == field)
                break;
        if (tok && strcmp(tok, "lo") != 0) {
            printf("ESCAPED: %s has %s", path, line);
            bad++;
        }
    }
    fclose(f);
    if (bad)
        escapes++;
    else
        printf("ok: %s: only lo\n", path);
}

int main(int argc, char **argv)
{
    setlinebuf(stdout);
    if (argc < 3) {
        printf("ERROR: usage\n");
        return 2;
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    a.sin_port = htons((uint16_t)atoi(argv[1]));
    if (s < 0)
        printf("ok: tcp socket: %s\n", strerror(errno));
    else if (connect(s, (struct sockaddr *)&a, sizeof a) == 0)
        esc("connected to the host's 127.0.0.1 listener");
    else
        printf("ok: tcp connect 127.0.0.1:%s: %s\n", argv[1], strerror(errno));
    if (s >= 0)
        close(s);

    s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    a.sin_port = htons((uint16_t)atoi(argv[2]));
    if (s < 0)
        printf("ok: udp socket: %s\n", strerror(errno));
    else if (sendto(s, "hostile", 7, 0, (struct sockaddr *)&a, sizeof a) < 0)
        printf("ok: udp sendto 127.0.0.1:%s: %s\n", argv[2], strerror(errno));
    else
        printf("note: udp sendto returned ok (the test checks the host side)\n");
    if (s >= 0)
        close(s);

    /* Route table: Iface is field 0 after the header line. */
    check_table("/proc/net/route", 1, 0);
    /* ipv6_route: the device is the last (10th) field, no header. */
    check_table("/proc/net/ipv6_route", 0, 9);
    /* dev: two header lines, then "  name: counters". */
    check_table("/proc/net/dev", 2, 0);

    struct if_nameindex *ifs = if_nameindex();
    if (!ifs) {
        printf("ok: if_nameindex: %s\n", strerror(errno));
    } else {
        for (struct if_nameindex *i = ifs; i->if_index; i++)
            if (strcmp(i->if_name, "lo") != 0) {
                char m[64];
                snprintf(m, sizeof m, "interface %s visible", i->if_name);
                esc(m);
            }
        if_freenameindex(ifs);
    }

    int raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
    if (raw >= 0) {
        esc("raw ICMP socket");
        close(raw);
    } else {
        printf("ok: raw socket: %s\n", strerror(errno));
    }
    int pk = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(3));
    if (pk >= 0) {
        esc("AF_PACKET socket");
        close(pk);
    } else {
        printf("ok: packet socket: %s\n", strerror(errno));
    }
    if (escapes)
        printf("ESCAPED: %d network ways out\n", escapes);
    else
        printf("BLOCKED: no way out\n");
    return 0;
}
