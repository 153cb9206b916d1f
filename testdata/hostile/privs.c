/*
 * privs [FILE]: report who we are inside the box: uids, gids,
 * capabilities, no_new_privs; try to become root. With FILE, also create
 * it so the test can see from the host which host uid owns it. Run as a
 * setuid-root copy it checks that the setuid bit gives nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int escapes = 0;
    uid_t r, e, s;
    gid_t gr, ge, gs;
    char line[256];
    setlinebuf(stdout);
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    printf("uid %u %u %u gid %u %u %u\n", r, e, s, gr, ge, gs);
    if (r == 0 || e == 0 || s == 0) {
        printf("ESCAPED: running as uid 0 inside\n");
        escapes++;
    }
    FILE *f = fopen("/proc/self/status", "re");
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "Cap", 3) == 0 || strncmp(line, "NoNewPrivs", 10) == 0 ||
            strncmp(line, "Seccomp", 7) == 0)
            printf("%s", line);
        if (strncmp(line, "CapEff:", 7) == 0 || strncmp(line, "CapPrm:", 7) == 0 ||
            strncmp(line, "CapAmb:", 7) == 0) {
            if (strtoull(line + 7, NULL, 16) != 0) {
                printf("ESCAPED: capabilities: %s", line);
                escapes++;
            }
        }
    }
    if (f)
        fclose(f);
    if (setuid(0) == 0) {
        printf("ESCAPED: setuid(0) worked\n");
        escapes++;
    } else {
        printf("ok: setuid(0): %s\n", strerror(errno));
    }
    if (argc > 1) {
        int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        printf("%s: create %s: %s\n", fd >= 0 ? "note" : "ERROR", argv[1], fd >= 0 ? "done" : strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    if (escapes)
        printf("ESCAPED: %d privileges\n", escapes);
    else
        printf("BLOCKED: unprivileged, no capabilities\n");
    return 0;
}
