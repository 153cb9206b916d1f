/*
 * cli_no_archive.c - the CLI's stand-in for judge/archive.c.
 *
 * Only the HTTP service receives additional_files archives. Linking this
 * definition into the nsjudge binary keeps the linker from pulling
 * judge/archive.o, and with it libarchive, libxml2 and ICU, whose loading
 * would add ~8 ms to every `nsjudge run`. The service plugin links the
 * real one.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

int jd_extract_zip(const char *data, size_t len, const char *dir, char *err, size_t errlen);

int jd_extract_zip(const char *data, size_t len, const char *dir, char *err, size_t errlen)
{
    (void)data, (void)len, (void)dir;
    snprintf(err, errlen, "additional files are only supported by the HTTP service");
    return -ENOTSUP;
}
