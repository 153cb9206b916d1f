/*
 * counters send-pid N | recv-pid | send-shm N | recv-shm: covert channels
 * between consecutive runs of a kept slot through counters of its
 * namespaces. "send-pid N" forks N children (each takes the next pid);
 * "recv-pid" prints "value P", its own pid. "send-shm N" makes and
 * removes N SysV shared memory segments (each moves the IPC namespace's
 * next id); "recv-shm" makes and removes one and prints "value I", the
 * index part of its id. "send-net N" sends N UDP datagrams with no route
 * (the box's loopback is down), each counted in the network namespace's
 * statistics; "recv-net" prints Ip OutNoRoutes from /proc/net/snmp after
 * one such send of its own. If a counter carried over, a receiver after a
 * sender would see it advanced by exactly N + 1 over the receiver before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int shm_once(void)
{
    int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    if (id >= 0)
        shmctl(id, IPC_RMID, NULL);
    return id;
}

static void send_noroute(int n)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
    a.sin_addr.s_addr = htonl(0x7f000001);
    for (int i = 0; i < n && s >= 0; i++)
        sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof a);
    if (s >= 0)
        close(s);
}

/* Ip: OutNoRoutes, the 12th number of the second "Ip:" line. */
static long out_no_routes(void)
{
    FILE *f = fopen("/proc/net/snmp", "r");
    char line[4096];
    int k = 0;
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "Ip:", 3) && ++k == 2) {
            char *p = line + 3;
            for (int i = 0; i < 12; i++)
                v = strtol(p, &p, 10);
        }
    if (f)
        fclose(f);
    return v;
}

int main(int argc, char **argv)
{
    int n = argc == 3 ? atoi(argv[2]) : 0;
    if (argc == 3 && !strcmp(argv[1], "send-pid")) {
        for (int i = 0; i < n; i++) {
            pid_t c = fork();
            if (c == 0)
                _exit(0);
            if (c > 0)
                waitpid(c, NULL, 0);
        }
        printf("sent %d\n", n);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "recv-pid")) {
        printf("value %d\n", (int)getpid());
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "send-shm")) {
        for (int i = 0; i < n; i++)
            if (shm_once() < 0) {
                perror("shmget");
                return 1;
            }
        printf("sent %d\n", n);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "recv-shm")) {
        int id = shm_once();
        if (id < 0) {
            perror("shmget");
            return 1;
        }
        printf("value %d\n", id & 0x7fff); /* the index; the rest is a sequence */
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "send-net")) {
        send_noroute(n);
        printf("sent %d\n", n);
        return 0;
    }
    if (argc == 2 && !strcmp(argv[1], "recv-net")) {
        send_noroute(1);
        printf("value %ld\n", out_no_routes());
        return 0;
    }
    fprintf(stderr, "usage: counters send-pid N | recv-pid | send-shm N | recv-shm | send-net N | recv-net\n");
    return 2;
}
