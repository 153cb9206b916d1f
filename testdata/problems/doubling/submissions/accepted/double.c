#include <stdio.h>
int main(void) { long x; scanf("%ld", &x); printf("%ld\n", 2 * x); return 0; }
