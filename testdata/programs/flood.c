/* flood MIB: write MIB mebibytes to stdout. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 16;
    static char buf[1 << 16];
    memset(buf, 'x', sizeof buf);
    for (size_t i = 0; i < mib * 16; i++)
        if (write(1, buf, sizeof buf) != sizeof buf)
            return 1;
    return 0;
}
