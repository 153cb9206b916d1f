/* log.h - structured log lines (logfmt: key=value) to stderr, one write per line. */
#ifndef NSJUDGE_SERVER_LOG_H
#define NSJUDGE_SERVER_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

struct logger {
    enum log_level level;
    int fd;              /* usually 2 */
};

/* "debug", "info", "warn" or "error" (any case): 0, else -EINVAL. */
int log_level_parse(const char *s, enum log_level *out);
const char *log_level_name(enum log_level l);

/* Writes "ts=... level=... event=EVENT " followed by the formatted
 * key=value pairs. Values that may hold spaces must be passed through
 * log_quote(). */
void nlog(const struct logger *lg, enum log_level level, const char *event,
          const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Quote a value for logfmt into buf (truncated to len); returns buf. */
const char *log_quote(const char *s, char *buf, size_t len);

#endif
