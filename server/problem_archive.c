/* problem_archive.c - libarchive extraction of uploaded problem packages. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include "server/problem_archive.h"

static int safe_name(const char *n)
{
    if (!n || !*n || n[0] == '/')
        return 0;
    const char *p = n;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == 2 && !strncmp(p, "..", 2))
            return 0;
        if (!e)
            break;
        p = e + 1;
    }
    return 1;
}

int srv_archive_extract(const void *data, size_t len, const char *dest, size_t max_bytes,
                        char *err, size_t errlen)
{
    struct archive *a = archive_read_new();
    struct archive *w = archive_write_disk_new();
    int rc = 0;
    if (!a || !w) {
        snprintf(err, errlen, "out of memory");
        rc = -ENOMEM;
        goto out;
    }
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    archive_write_disk_set_options(w, ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                          ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                          ARCHIVE_EXTRACT_NO_OVERWRITE);
    /* Entry names are checked by safe_name() and prefixed with dest, so
     * the absolute-path guard of libarchive would refuse our own prefix. */
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        snprintf(err, errlen, "not a readable archive: %s", archive_error_string(a));
        rc = -EINVAL;
        goto out;
    }
    size_t total = 0, entries = 0;
    struct archive_entry *e;
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        char name_buf[1024];
        const char *name = archive_entry_pathname(e);
        mode_t type = archive_entry_filetype(e);
        if (++entries > 100000) {
            snprintf(err, errlen, "archive has too many entries");
            rc = -E2BIG;
            goto out;
        }
        while (name && name[0] == '.' && name[1] == '/')
            name += 2;
        if (!name || !*name || !strcmp(name, "."))
            continue;
        if (!safe_name(name)) {
            snprintf(err, errlen, "unsafe path in archive: %.200s", name);
            rc = -EINVAL;
            goto out;
        }
        if (type != AE_IFREG && type != AE_IFDIR) {
            /* links and devices could point outside the package */
            snprintf(err, errlen, "archive entry %.200s is not a regular file or directory", name);
            rc = -EINVAL;
            goto out;
        }
        if (archive_entry_hardlink(e)) {
            snprintf(err, errlen, "archive entry %.200s is a hard link", name);
            rc = -EINVAL;
            goto out;
        }
        /* a cut name would be another path */
        if (snprintf(name_buf, sizeof name_buf, "%s", name) >= (int)sizeof name_buf) {
            snprintf(err, errlen, "archive entry name longer than %zu bytes: %.200s...",
                     sizeof name_buf - 1, name);
            rc = -ENAMETOOLONG;
            goto out;
        }
        name = name_buf;
        char *full = malloc(strlen(dest) + strlen(name) + 2);
        if (!full) {
            rc = -ENOMEM;
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        sprintf(full, "%s/%s", dest, name);
        /* A second entry for a path: libarchive's NO_OVERWRITE keeps the old
         * content but still applies the new mode (a directory became 0644). */
        struct stat st;
        if (lstat(full, &st) == 0 && (type != AE_IFDIR || !S_ISDIR(st.st_mode))) {
            free(full);
            snprintf(err, errlen, "archive entry %.200s appears twice", name);
            rc = -EINVAL;
            goto out;
        }
        archive_entry_set_pathname(e, full);
        free(full);
        archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : (archive_entry_perm(e) & 0111) ? 0755 : 0644);
        if (archive_write_header(w, e) != ARCHIVE_OK) {
            snprintf(err, errlen, "cannot write %.200s: %s", name, archive_error_string(w));
            rc = -EIO;
            goto out;
        }
        if (type == AE_IFREG) {
            const void *buf;
            size_t sz;
            la_int64_t off;
            while ((r = archive_read_data_block(a, &buf, &sz, &off)) == ARCHIVE_OK) {
                total += sz;
                if (total > max_bytes) {
                    snprintf(err, errlen, "archive unpacks to more than %zu bytes", max_bytes);
                    rc = -E2BIG;
                    goto out;
                }
                if (archive_write_data_block(w, buf, sz, off) != ARCHIVE_OK) {
                    snprintf(err, errlen, "cannot write %.200s: %s", name, archive_error_string(w));
                    rc = -EIO;
                    goto out;
                }
            }
            if (r != ARCHIVE_EOF) {
                snprintf(err, errlen, "corrupt archive: %s", archive_error_string(a));
                rc = -EINVAL;
                goto out;
            }
        }
        archive_write_finish_entry(w);
    }
    if (r != ARCHIVE_EOF) {
        snprintf(err, errlen, "corrupt archive: %s", archive_error_string(a));
        rc = -EINVAL;
        goto out;
    }
    if (!entries) {
        snprintf(err, errlen, "archive is empty");
        rc = -EINVAL;
    }
out:
    if (a)
        archive_read_free(a);
    if (w) {
        archive_write_close(w);
        archive_write_free(w);
    }
    return rc;
}
