#include <cstdio>
// 4 significant digits would fail; 8 pass the relative tolerance on big answers
int main() { double a, b; scanf("%lf %lf", &a, &b); printf("%.8g\n", a / b); }
