#include <stdlib.h>
#include <string.h>
#include <stdio.h>
/* the memory limit is 64 MiB: touch 512 MiB */
int main(void)
{
    for (int i = 0; i < 64; i++) {
        char *p = malloc(8 << 20);
        if (!p) return 1;
        memset(p, i + 1, 8 << 20);
    }
    puts("0");
    return 0;
}
