/* Helpers for a Kattis output validator: exit 42 accepts, 43 rejects. */
#ifndef VALIDATE_H
#define VALIDATE_H
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static FILE *judge_message;

static void init_feedback(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/judgemessage.txt", dir);
    judge_message = fopen(path, "w");
}

static void accept(void) { exit(42); }

static void wrong_answer(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (judge_message) {
        vfprintf(judge_message, fmt, ap);
        fputc('\n', judge_message);
        fclose(judge_message);
    }
    va_end(ap);
    exit(43);
}
#endif
