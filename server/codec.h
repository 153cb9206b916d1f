/* codec.h - base64 (RFC 4648, as Ruby's Base64 used by Judge0) and UTF-8 checks. */
#ifndef NSJUDGE_SERVER_CODEC_H
#define NSJUDGE_SERVER_CODEC_H

#include <stdbool.h>
#include <stddef.h>

/* malloc'd, NUL-terminated; NULL on allocation failure */
char *b64_encode(const void *data, size_t len);
/* Decodes, skipping whitespace (clients send wrapped lines). Returns 0, or
 * -EINVAL for an invalid character/length, -ENOMEM. *out is NUL-terminated. */
int b64_decode(const char *s, size_t len, char **out, size_t *outlen);
bool utf8_valid(const char *s, size_t len);

#endif
