/*
 * probe.h - the runner the system-call probes share (argbits, sysprobe):
 * each probe makes one call in a child of its own; a refusal (EPERM,
 * ENOSYS, the probe's extra errno, EACCES where the program allows it) or
 * a kill by a signal is "ok", any other result is an escape. `probe NAME...`
 * or `probe all`; the last line is BLOCKED or ESCAPED with the counts.
 */
#ifndef NSJUDGE_HOSTILE_PROBE_H
#define NSJUDGE_HOSTILE_PROBE_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct probe {
    const char *name;
    long (*fn)(void);
    int also_ok; /* an extra errno that proves the permission check refused */
};

static int probe_escapes, probe_tries;

static void probe_run(const struct probe *p, bool eacces_ok)
{
    probe_tries++;
    fflush(stdout);
    pid_t c = fork();
    if (c < 0) {
        printf("ERROR: fork: %s\n", strerror(errno));
        return;
    }
    if (c == 0) {
        errno = 0;
        long r = p->fn();
        int e = errno;
        if (r < 0 && (e == EPERM || e == ENOSYS || (eacces_ok && e == EACCES) ||
                      (p->also_ok && e == p->also_ok))) {
            printf("ok: %s: %s\n", p->name, strerror(e));
            _exit(0);
        }
        printf("ESCAPED: %s: returned %ld (%s)\n", p->name, r, r < 0 ? strerror(e) : "success");
        _exit(1);
    }
    int st;
    waitpid(c, &st, 0);
    if (WIFSIGNALED(st))
        printf("ok: %s: killed by signal %d\n", p->name, WTERMSIG(st));
    else if (WEXITSTATUS(st) != 0)
        probe_escapes++;
}

/* Runs the probes named in argv[first..] ("all": every one). */
static int probe_main(const struct probe *probes, int argc, char **argv, int first, bool eacces_ok)
{
    for (int i = first; i < argc; i++) {
        int found = 0;
        for (const struct probe *p = probes; p->name; p++)
            if (!strcmp(argv[i], "all") || !strcmp(argv[i], p->name)) {
                probe_run(p, eacces_ok);
                found = 1;
            }
        if (!found)
            printf("ERROR: no probe %s\n", argv[i]);
    }
    if (probe_escapes)
        printf("ESCAPED: %d of %d calls\n", probe_escapes, probe_tries);
    else
        printf("BLOCKED: all %d calls\n", probe_tries);
    return 0;
}

#endif
