/* noop: the program every launch benchmark starts (built static). */
int main(void) { return 0; }
