/* problem_archive.h - unpack an uploaded problem package (tar, tar.gz,
 * tar.xz, zip, ... anything libarchive reads) safely into a directory. */
#ifndef NSJUDGE_SERVER_PROBLEM_ARCHIVE_H
#define NSJUDGE_SERVER_PROBLEM_ARCHIVE_H

#include <stddef.h>

/* Only regular files and directories are written; absolute names, ".."
 * and links are refused; at most max_bytes unpacked and 100000 entries.
 * dest must exist and be empty. 0 or -errno with a message. */
int srv_archive_extract(const void *data, size_t len, const char *dest, size_t max_bytes,
                        char *err, size_t errlen);

#endif
