/*
 * Interactive validator: reads the secret from the test input, answers each
 * guess with "lower", "higher" or "correct". At most 10 guesses (1..1000).
 * Kattis conventions: exit 42 accepts, 43 rejects.
 */
#include <stdio.h>
#include <string.h>

static void say(const char *dir, const char *msg)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/judgemessage.txt", dir);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(msg, f);
        fclose(f);
    }
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 1;
    FILE *in = fopen(argv[1], "r");
    int secret;
    if (!in || fscanf(in, "%d", &secret) != 1)
        return 1;
    for (int i = 1; i <= 10; i++) {
        int g;
        if (scanf("%d", &g) != 1) {
            say(argv[3], "expected a guess");
            return 43;
        }
        if (g == secret) {
            printf("correct\n");
            fflush(stdout);
            char path[4096];
            snprintf(path, sizeof path, "%s/judgemessage.txt", argv[3]);
            say(argv[3], "found it");
            return 42;
        }
        printf(g < secret ? "higher\n" : "lower\n");
        fflush(stdout);
    }
    say(argv[3], "too many guesses");
    return 43;
}
