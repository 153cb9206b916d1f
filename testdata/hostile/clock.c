/*
 * clock: try every way to set the system clock. Each attempt sets the
 * clock to the value it already has (or adjusts by zero), so even a
 * success would not disturb the host; a success is still an escape.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long do_clock_settime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return clock_settime(CLOCK_REALTIME, &ts);
}
static long do_settimeofday(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return settimeofday(&tv, NULL);
}
static long do_adjtimex(void)
{
    struct timex t = {.modes = ADJ_SETOFFSET | ADJ_NANO};
    return adjtimex(&t);
}
static long do_clock_adjtime(void)
{
    struct timex t = {.modes = ADJ_SETOFFSET | ADJ_NANO};
    return syscall(SYS_clock_adjtime, CLOCK_REALTIME, &t);
}

static int escapes, tries;

static void attempt(const char *what, long (*fn)(void))
{
    tries++;
    pid_t p = fork();
    if (p == 0) {
        errno = 0;
        if (fn() < 0) {
            printf("ok: %s: %s\n", what, strerror(errno));
            _exit(0);
        }
        printf("ESCAPED: %s succeeded\n", what);
        _exit(1);
    }
    int st;
    waitpid(p, &st, 0);
    if (WIFSIGNALED(st))
        printf("ok: %s: killed by signal %d\n", what, WTERMSIG(st));
    else if (WEXITSTATUS(st) != 0)
        escapes++;
}

int main(void)
{
    setlinebuf(stdout);
    attempt("clock_settime", do_clock_settime);
    attempt("settimeofday", do_settimeofday);
    attempt("adjtimex ADJ_SETOFFSET", do_adjtimex);
    attempt("clock_adjtime ADJ_SETOFFSET", do_clock_adjtime);
    if (escapes)
        printf("ESCAPED: %d of %d clock changes\n", escapes, tries);
    else
        printf("BLOCKED: all %d clock changes\n", tries);
    return 0;
}
