#include <stdio.h>
#include <stdlib.h>
int main(void) { long x; scanf("%ld", &x); if (x > 100) abort(); printf("%ld\n", 2 * x); return 0; }
