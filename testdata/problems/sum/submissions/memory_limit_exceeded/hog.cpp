#include <vector>
#include <iostream>
int main() {
    std::vector<std::vector<char>> v;
    for (int i = 0; i < 64; i++) v.emplace_back(8 << 20, (char)i);
    std::cout << v.size() << "\n";
}
