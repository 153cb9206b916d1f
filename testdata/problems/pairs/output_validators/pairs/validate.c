/* Any x y with 1 <= x, y <= max_value and x + y = n is right. */
#include <string.h>
#include "validate.h"

int main(int argc, char **argv)
{
    if (argc < 4)
        return 1;   /* not 42 or 43: a judging error */
    init_feedback(argv[3]);
    long max_value = 1000000000;
    for (int i = 4; i + 1 < argc; i++)
        if (!strcmp(argv[i], "max_value"))
            max_value = atol(argv[i + 1]);
    FILE *in = fopen(argv[1], "r");
    long n, x, y;
    if (!in || fscanf(in, "%ld", &n) != 1)
        return 1;
    if (scanf("%ld %ld", &x, &y) != 2)
        wrong_answer("expected two integers");
    char extra;
    if (scanf(" %c", &extra) == 1)
        wrong_answer("trailing output");
    if (x < 1 || y < 1 || x > max_value || y > max_value)
        wrong_answer("%ld or %ld is out of range", x, y);
    if (x + y != n)
        wrong_answer("%ld + %ld != %ld", x, y, n);
    accept();
    return 0;
}
