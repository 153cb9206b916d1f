/*
 * A testlib-style checker (same conventions, no testlib.h needed):
 *   checker input output answer
 * exit 0 = OK, 1 = wrong answer, 2 = presentation error, 3 = checker failure.
 * The first line on stderr explains.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: checker input output answer\n");
        return 3;
    }
    FILE *in = fopen(argv[1], "r"), *out = fopen(argv[2], "r");
    int n;
    if (!in || !out || fscanf(in, "%d", &n) != 1 || n < 1 || n > 1000000) {
        fprintf(stderr, "fail: bad input\n");
        return 3;
    }
    char *seen = calloc((size_t)n + 1, 1);
    for (int i = 0; i < n; i++) {
        char tok[64];
        if (fscanf(out, "%63s", tok) != 1) {
            fprintf(stderr, "wrong answer: only %d numbers\n", i);
            return 1;
        }
        char *end;
        long v = strtol(tok, &end, 10);
        if (*end || end == tok) {
            fprintf(stderr, "presentation error: '%s' is not a number\n", tok);
            return 2;
        }
        if (v < 1 || v > n || seen[v]) {
            fprintf(stderr, "wrong answer: %ld is out of range or repeated\n", v);
            return 1;
        }
        seen[v] = 1;
    }
    char tok[64];
    if (fscanf(out, "%63s", tok) == 1) {
        fprintf(stderr, "wrong answer: extra output '%s'\n", tok);
        return 1;
    }
    fprintf(stderr, "ok %d numbers\n", n);
    return 0;
}
