#include <stdio.h>
/* passes the sample and the first secret test, overflows on the second */
int main(void) { int a, b; scanf("%d %d", &a, &b); printf("%d\n", a + b); return 0; }
