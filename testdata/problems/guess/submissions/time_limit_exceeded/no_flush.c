#include <stdio.h>
#include <string.h>
/* never flushes: the guess stays in its buffer and both sides wait */
int main(void)
{
    char reply[32];
    printf("%d\n", 500);
    if (scanf("%31s", reply) != 1) return 1;
    return 0;
}
