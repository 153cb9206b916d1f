/* codec.h - base64 (RFC 4648, as Ruby's Base64 used by Judge0). */
#ifndef NSJUDGE_SERVER_CODEC_H
#define NSJUDGE_SERVER_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include "judge/judge.h"

/* malloc'd, NUL-terminated; NULL on allocation failure */
char *b64_encode(const void *data, size_t len);
/* Decodes, skipping whitespace (clients send wrapped lines). Returns 0, or
 * -EINVAL for an invalid character/length, -ENOMEM. *out is NUL-terminated. */
int b64_decode(const char *s, size_t len, char **out, size_t *outlen);
/* UTF-8 checks: jd_utf8_valid (judge/judge.h), one copy for both layers. */

#endif
