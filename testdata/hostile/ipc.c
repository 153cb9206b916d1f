/*
 * ipc own|probe KEY NAME [stay]: objects that live outside the file
 * tree and could link two boxes (or a box and the host).
 *   own:   create a SysV shm segment, message queue and semaphore set
 *          with KEY, listen on the abstract unix socket "@NAME", create
 *          /dev/shm/NAME, /tmp/NAME and /box/NAME (when /box is
 *          writable); print READY; with "stay", sleep.
 *   probe: look for each of them (and for "@NAME-host", which the test
 *          binds on the host); finding any is an escape.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name, const char *suffix)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    int n = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "%s%s", name, suffix);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

static void note(const char *what, int ok)
{
    printf("%s: %s%s%s\n", ok ? "made" : "note", what, ok ? "" : ": ", ok ? "" : strerror(errno));
}

static int own(key_t key, const char *name, int stay)
{
    char path[256];
    int id = shmget(key, 4096, IPC_CREAT | 0666);
    note("shm", id >= 0);
    if (id >= 0) {
        char *p = shmat(id, NULL, 0);
        if (p != (void *)-1)
            strcpy(p, "hostile");
    }
    note("msg", msgget(key, IPC_CREAT | 0666) >= 0);
    note("sem", semget(key, 1, IPC_CREAT | 0666) >= 0);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a;
    socklen_t l = abstract_addr(&a, name, "");
    note("abstract socket", s >= 0 && bind(s, (struct sockaddr *)&a, l) == 0 && listen(s, 4) == 0);
    snprintf(path, sizeof path, "/dev/shm/%s", name);
    int fd = open(path, O_WRONLY | O_CREAT, 0666);
    note(path, fd >= 0);
    snprintf(path, sizeof path, "/tmp/%s", name);
    fd = open(path, O_WRONLY | O_CREAT, 0666);
    note(path, fd >= 0);
    snprintf(path, sizeof path, "/box/%s", name);
    fd = open(path, O_WRONLY | O_CREAT, 0666);
    note(path, fd >= 0);
    printf("READY\n");
    while (stay)
        pause();
    return 0;
}

static int probe(key_t key, const char *name)
{
    int escapes = 0;
    char path[256];
    int id = shmget(key, 0, 0);
    if (id >= 0) {
        printf("ESCAPED: found shm segment %d of key %d\n", id, (int)key);
        escapes++;
    }
    if (msgget(key, 0) >= 0) {
        printf("ESCAPED: found message queue of key %d\n", (int)key);
        escapes++;
    }
    if (semget(key, 0, 0) >= 0) {
        printf("ESCAPED: found semaphore set of key %d\n", (int)key);
        escapes++;
    }
    const char *suffixes[] = {"", "-host", NULL};
    for (int i = 0; suffixes[i]; i++) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un a;
        socklen_t l = abstract_addr(&a, name, suffixes[i]);
        if (s >= 0 && connect(s, (struct sockaddr *)&a, l) == 0) {
            printf("ESCAPED: connected to abstract socket @%s%s\n", name, suffixes[i]);
            escapes++;
        } else {
            printf("ok: abstract socket @%s%s: %s\n", name, suffixes[i], strerror(errno));
        }
        if (s >= 0)
            close(s);
    }
    snprintf(path, sizeof path, "/dev/shm/%s", name);
    if (access(path, F_OK) == 0) {
        printf("ESCAPED: %s exists\n", path);
        escapes++;
    }
    const char *dirs[] = {"/tmp", "/box", NULL};
    for (int i = 0; dirs[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dirs[i], name);
        if (access(path, F_OK) == 0) {
            printf("ESCAPED: %s exists\n", path);
            escapes++;
        }
    }
    /* Any segment listed at all belongs to someone else. */
    FILE *f = fopen("/proc/sysvipc/shm", "re");
    char line[512];
    int rows = 0;
    while (f && fgets(line, sizeof line, f))
        rows++;
    if (f)
        fclose(f);
    if (rows > 1) {
        printf("ESCAPED: /proc/sysvipc/shm lists %d segments\n", rows - 1);
        escapes++;
    }
    if (escapes)
        printf("ESCAPED: %d shared objects visible\n", escapes);
    else
        printf("BLOCKED: nothing of the other box visible\n");
    return 0;
}

int main(int argc, char **argv)
{
    setlinebuf(stdout);
    if (argc < 4) {
        printf("ERROR: usage\n");
        return 2;
    }
    key_t key = (key_t)atoi(argv[2]);
    if (strcmp(argv[1], "own") == 0)
        return own(key, argv[3], argc > 4 && strcmp(argv[4], "stay") == 0);
    return probe(key, argv[3]);
}
