/* burn SECONDS [THREADS]: busy-loop until this process has used SECONDS of
 * CPU, then print the CPU time it measured itself (for accuracy tests). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}
static double target;
static void *spin(void *arg)
{
    volatile unsigned long x = 0;
    while (cpu() < target)
        for (int i = 0; i < 10000; i++)
            x++;
    return arg;
}
int main(int argc, char **argv)
{
    target = argc > 1 ? atof(argv[1]) : 0.5;
    int n = argc > 2 ? atoi(argv[2]) : 1;
    pthread_t t[64];
    for (int i = 1; i < n && i < 64; i++)
        pthread_create(&t[i], NULL, spin, NULL);
    spin(NULL);
    for (int i = 1; i < n && i < 64; i++)
        pthread_join(t[i], NULL);
    printf("%.6f\n", cpu());
    return 0;
}
