#include <stdio.h>
/* the output limit is 1 MiB */
int main(void) { for (;;) fputs("3333333333333333333333333333333333333333\n", stdout); }
