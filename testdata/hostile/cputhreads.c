/* cputhreads N: burn CPU in N threads (default 8) forever. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *spin(void *arg)
{
    volatile unsigned long x = 0;
    (void)arg;
    for (;;)
        x++;
    return NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 8;
    setlinebuf(stdout);
    for (int i = 1; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, spin, NULL) != 0) {
            printf("BLOCKED: pthread_create %d failed\n", i);
            break;
        }
    }
    printf("READY\n");
    spin(NULL);
    return 0;
}
