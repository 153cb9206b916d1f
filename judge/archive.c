/*
 * archive.c - unpack a submission's additional_files (a zip, base64-decoded
 * by the caller) into its box directory with libarchive. Only plain files
 * and directories, only relative paths without "..": an archive must never
 * write outside the box dir or plant links there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include "judge/internal.h"

#define MAX_TOTAL (256u << 20)

static bool safe_name(const char *n)
{
    if (!*n || n[0] == '/')
        return false;
    for (const char *p = n; *p;) {
        size_t len = strcspn(p, "/");
        if ((len == 2 && !strncmp(p, "..", 2)))
            return false;
        p += len;
        while (*p == '/')
            p++;
    }
    return true;
}

/* mkdir -p of the parents of rel inside dir, refusing symlinks. */
static int make_parents(const char *dir, const char *rel)
{
    char *copy = strdup(rel);
    if (!copy)
        return -ENOMEM;
    int rc = 0;
    for (char *s = strchr(copy, '/'); s && rc == 0; s = strchr(s + 1, '/')) {
        *s = 0;
        char *full = jd_path_join(dir, copy);
        struct stat st;
        if (!full)
            rc = -ENOMEM;
        else if (lstat(full, &st) == 0)
            rc = S_ISDIR(st.st_mode) ? 0 : -EEXIST;
        else if (mkdir(full, 0755) < 0)
            rc = -errno;
        free(full);
        *s = '/';
    }
    free(copy);
    return rc;
}

int jd_extract_zip(const char *data, size_t len, const char *dir, char *err, size_t errlen)
{
    struct archive *a = archive_read_new();
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_filter_all(a);
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        snprintf(err, errlen, "additional_files: %s", archive_error_string(a));
        archive_read_free(a);
        return -EINVAL;
    }
    struct archive_entry *e;
    size_t total = 0;
    int rc = 0, r;
    while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *name = archive_entry_pathname(e);
        mode_t type = archive_entry_filetype(e);
        if (!name || !safe_name(name)) {
            snprintf(err, errlen, "additional_files: unsafe path '%s'", name ? name : "");
            rc = -EINVAL;
            break;
        }
        char *full = jd_path_join(dir, name);
        if (!full) {
            rc = -ENOMEM;
            break;
        }
        if ((rc = make_parents(dir, name)) < 0) {
            snprintf(err, errlen, "additional_files: %s: %s", name, strerror(-rc));
        } else if (type == AE_IFDIR) {
            if (mkdir(full, 0755) < 0 && errno != EEXIST) {
                rc = -errno;
                snprintf(err, errlen, "additional_files: %s: %s", name, strerror(errno));
            }
        } else if (type == AE_IFREG) {
            mode_t mode = (archive_entry_perm(e) & 0111) ? 0755 : 0644;
            int fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
            if (fd < 0) {
                rc = -errno;
                snprintf(err, errlen, "additional_files: %s: %s", name, strerror(errno));
            } else {
                const void *buf;
                size_t size;
                la_int64_t off;
                while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK) {
                    total += size;
                    if (total > MAX_TOTAL) {
                        snprintf(err, errlen, "additional_files: more than %u MiB unpacked", MAX_TOTAL >> 20);
                        rc = -EFBIG;
                        break;
                    }
                    if (pwrite(fd, buf, size, off) != (ssize_t)size) {
                        rc = -errno;
                        snprintf(err, errlen, "additional_files: %s: %s", name, strerror(errno));
                        break;
                    }
                }
                if (rc == 0 && r != ARCHIVE_EOF) {
                    snprintf(err, errlen, "additional_files: %s", archive_error_string(a));
                    rc = -EINVAL;
                }
                fchmod(fd, mode);
                close(fd);
            }
        }
        /* links, devices, fifos: skipped on purpose */
        free(full);
    }
    if (rc == 0 && r != ARCHIVE_EOF) {
        snprintf(err, errlen, "additional_files: %s", archive_error_string(a));
        rc = -EINVAL;
    }
    if (rc == -ENOMEM)
        snprintf(err, errlen, "out of memory");
    archive_read_free(a);
    return rc;
}
