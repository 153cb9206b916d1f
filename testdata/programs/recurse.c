/* recurse MIB: use about MIB mebibytes of stack by recursion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int down(long left)
{
    volatile char frame[4096];
    memset((char *)frame, 1, sizeof frame);
    return left <= 0 ? frame[7] : down(left - 4096) + frame[9];
}
int main(int argc, char **argv)
{
    long mib = argc > 1 ? atol(argv[1]) : 16;
    printf("%d\n", down(mib << 20));
    return 0;
}
