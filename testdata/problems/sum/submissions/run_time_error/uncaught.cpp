#include <stdexcept>
// an uncaught exception: std::terminate, SIGABRT
int main() { throw std::runtime_error("no"); }
