/* exitcode N [SIGNAL]: exit with N, or raise SIGNAL when given. */
#include <signal.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
    if (argc > 2)
        raise(atoi(argv[2]));
    return argc > 1 ? atoi(argv[1]) : 0;
}
