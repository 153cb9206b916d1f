/*
 * cli_no_archive.c - the CLI's stand-in for judge/archive.c.
 *
 * judge/archive.c is the one extractor of uploaded archives (problem
 * packages and additional_files); only the HTTP service receives them.
 * The CLI reaches it only through judge/compile.c's jd_extract_zip, so
 * defining that here keeps the linker from pulling judge/archive.o, and
 * with it libarchive, libxml2 and ICU, whose loading would add ~8 ms to
 * every `nsjudge run`. The service plugin links the real one. Keep
 * judge/archive.c free of anything else the CLI needs.
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
