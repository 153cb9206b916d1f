/*
 * cputhreads N [SECONDS]: burn CPU in N threads (default 8).
 * Without SECONDS the threads spin forever (the CPU limit must end it).
 * With SECONDS each thread burns that much of its own CPU time and ends;
 * the program then prints the CPU time of the whole process as the kernel
 * counts it ("cpu: S"), for the test to compare with the sandbox's figure.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double budget;

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *spin(void *arg)
{
    volatile unsigned long x = 0;
    (void)arg;
    if (budget > 0) {
        double end = now(CLOCK_THREAD_CPUTIME_ID) + budget;
        while (now(CLOCK_THREAD_CPUTIME_ID) < end)
            for (int i = 0; i < 10000; i++)
                x++;
        return NULL;
    }
    for (;;)
        x++;
    return NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 8;
    pthread_t t[256];
    budget = argc > 2 ? atof(argv[2]) : 0;
    setlinebuf(stdout);
    if (n < 1 || n > 256)
        n = 8;
    int started = 0;
    for (int i = 0; i < n; i++) {
        if (pthread_create(&t[i], NULL, spin, NULL) != 0) {
            printf("BLOCKED: pthread_create %d failed\n", i);
            break;
        }
        started++;
    }
    printf("READY\n");
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    printf("cpu: %.6f\n", now(CLOCK_PROCESS_CPUTIME_ID));
    return 0;
}
