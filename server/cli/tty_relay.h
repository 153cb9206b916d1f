/*
 * tty_relay.h - give a box pipes instead of the caller's terminal.
 *
 * A box must never hold a terminal fd (a program could push keystrokes
 * into the operator's shell with TIOCSTI, or change the terminal's
 * modes); the sandbox refuses them. `nsjudge run` run from a terminal
 * therefore swaps each standard stream that is a tty for a pipe and
 * copies between the two in a thread while the box runs.
 */
#ifndef NSJUDGE_TTY_RELAY_H
#define NSJUDGE_TTY_RELAY_H

#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stddef.h>

struct tty_relay {
    int tty[3];        /* the caller's terminal fd per stream, -1 if none */
    int pipe_ours[3];  /* our end of each pipe (read for output, write for input) */
    int pipe_box[3];   /* the box's end, given in its place */
    int stop[2];       /* finish: written once the run is over */
    pthread_t thread;
    sem_t started;     /* posted by the relay once it runs (see tty_relay_start) */
    bool running;
};

/* For each fd in std[3] that is a terminal, put a pipe end in its place
 * and start relaying. Returns 0 (nothing to do is fine) or -errno. */
int tty_relay_start(struct tty_relay *t, int std[3], char *err, size_t errlen);
/* After the run: copy what the box left in the pipes, stop, close. */
void tty_relay_finish(struct tty_relay *t);

#endif
