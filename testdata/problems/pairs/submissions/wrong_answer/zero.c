#include <stdio.h>
int main(void) { long n; scanf("%ld", &n); printf("0 %ld\n", n); return 0; }
