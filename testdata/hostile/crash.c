/*
 * crash: try to get a core dump written (raise RLIMIT_CORE, make itself
 * dumpable), then crash. A core file is the box's whole memory written
 * outside every limit, and a pipe core_pattern would hand the crash to a
 * host helper running as root: neither may happen.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

int main(void)
{
    setlinebuf(stdout);
    struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
    if (setrlimit(RLIMIT_CORE, &rl) == 0) {
        printf("ESCAPED: RLIMIT_CORE raised to unlimited\n");
    } else {
        printf("ok: raise RLIMIT_CORE: %s\n", strerror(errno));
        getrlimit(RLIMIT_CORE, &rl);
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_CORE, &rl);
        printf("note: RLIMIT_CORE now %llu\n", (unsigned long long)rl.rlim_cur);
    }
    prctl(PR_SET_DUMPABLE, 1);
    printf("CRASHING\n");
    volatile int *p = NULL;
    *p = 1;
    return 0;
}
