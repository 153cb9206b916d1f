/* Input validator: one integer 1 <= n <= 10^9 on a line. Exit 42 = valid. */
#include <stdio.h>
int main(void)
{
    long long n;
    char nl, extra;
    if (scanf("%lld%c", &n, &nl) != 2 || nl != '\n' || n < 1 || n > 1000000000LL ||
        scanf("%c", &extra) == 1) {
        fprintf(stderr, "expected one integer 1..10^9\n");
        return 43;
    }
    return 42;
}
