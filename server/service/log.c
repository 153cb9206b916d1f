/* log.c - logfmt lines to stderr. Each line goes out in one write() so
 * lines from concurrent threads never interleave. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "server/service/log.h"

static const char *const names[] = {"debug", "info", "warn", "error"};

int log_level_parse(const char *s, enum log_level *out)
{
    for (int i = 0; i < 4; i++)
        if (!strcasecmp(s, names[i])) {
            *out = (enum log_level)i;
            return 0;
        }
    return -EINVAL;
}

const char *log_level_name(enum log_level l)
{
    return (unsigned)l < 4 ? names[l] : "?";
}

const char *log_quote(const char *s, char *buf, size_t len)
{
    size_t o = 0;
    if (len < 3) {
        if (len)
            buf[0] = 0;
        return buf;
    }
    buf[o++] = '"';
    for (; s && *s && o + 3 < len; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) { /* a raw URI may hold any byte */
            buf[o++] = ' ';
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o++] = '"';
    buf[o] = 0;
    return buf;
}

void nlog(const struct logger *lg, enum log_level level, const char *event,
          const char *fmt, ...)
{
    if (!lg || level < lg->level)
        return;
    char line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line,
                     "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s event=%s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
                     log_level_name(level), event);
    if (n < 0)
        return;
    if ((size_t)n < sizeof line && fmt) {
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
        va_end(ap);
        if (m > 0)
            n += m;
    }
    if ((size_t)n >= sizeof line - 1)
        n = sizeof line - 2;
    while (n > 0 && line[n - 1] == ' ')
        n--;
    line[n++] = '\n';
    ssize_t w = write(lg->fd, line, (size_t)n);
    (void)w;
}
