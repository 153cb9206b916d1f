/* a compile-time attack: the compiler would read forever */
#include "/dev/random"
int main(void) { return 0; }
