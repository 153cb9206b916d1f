/*
 * Multi-pass validator: the answer must be twice the input. After the first
 * pass (no "state" file in the feedback dir yet) it asks for a second pass
 * on input + 1000 by writing nextpass.in. Exit 42 accepts, 43 rejects.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 4)
        return 1;
    FILE *in = fopen(argv[1], "r");
    long x, y;
    if (!in || fscanf(in, "%ld", &x) != 1)
        return 1;
    char path[4096];
    snprintf(path, sizeof path, "%s/judgemessage.txt", argv[3]);
    FILE *msg = fopen(path, "w");
    if (scanf("%ld", &y) != 1 || y != 2 * x) {
        if (msg)
            fprintf(msg, "2 * %ld is not what you said\n", x);
        return 43;
    }
    snprintf(path, sizeof path, "%s/state", argv[3]);
    FILE *state = fopen(path, "r");
    if (!state) {
        state = fopen(path, "w");
        if (!state)
            return 1;
        fputs("second pass\n", state);
        fclose(state);
        snprintf(path, sizeof path, "%s/nextpass.in", argv[3]);
        FILE *next = fopen(path, "w");
        if (!next)
            return 1;
        fprintf(next, "%ld\n", x + 1000);
        fclose(next);
    }
    return 42;
}
