/* hello [MIB [SIG]]: print a line and exit 0, the smallest C program a
 * judge sees. With MIB, first write MIB mebibytes; with SIG, then raise
 * that signal instead of exiting (a program killed with its memory), or
 * with SIG 0 give the memory back before exiting. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
    volatile char *p = mib ? malloc(mib << 20) : NULL;
    if (mib && !p)
        return 3;
    for (size_t i = 0; i < (mib << 20); i += 4096)
        p[i] = 1;
    puts("hello");
    fflush(stdout);
    if (argc > 2 && atoi(argv[2]))
        raise(atoi(argv[2]));
    if (argc > 2)
        free((void *)p); /* a block this large is unmapped at once */
    return 0;
}
