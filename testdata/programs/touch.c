/* touch MIB: allocate and write MIB mebibytes, then exit 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
    char *p = malloc(mib << 20);
    if (!p)
        return 3;
    for (size_t i = 0; i < (mib << 20); i += 4096)
        p[i] = 1;
    printf("touched %zu MiB\n", mib);
    return 0;
}
