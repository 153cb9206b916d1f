/*
 * plant LINK TARGET...: create symlinks LINK -> TARGET (pairs) inside a
 * writable /box, to be found by the next run that uses the same dir:
 * a later mount or chdir onto LINK must not follow it out of the box.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int made = 0;
    setlinebuf(stdout);
    for (int i = 1; i + 1 < argc; i += 2) {
        if (symlink(argv[i + 1], argv[i]) == 0) {
            printf("made: %s -> %s\n", argv[i], argv[i + 1]);
            made++;
        } else {
            printf("ERROR: symlink %s: %s\n", argv[i], strerror(errno));
        }
    }
    printf("PLANTED: %d\n", made);
    return 0;
}
