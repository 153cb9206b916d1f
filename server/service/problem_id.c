/* problem_id.c - what a problem id may be: it names a directory under
 * DATA/problems and appears in URLs, so letters, digits, '_', '-' and '.',
 * not starting with '.' or '-', at most 100 bytes. */
#include <string.h>
#include "server/service/problem_id.h"

bool problem_id_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (!n || n > 100 || s[0] == '.' || s[0] == '-')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-' || *s == '.'))
            return false;
    return true;
}
