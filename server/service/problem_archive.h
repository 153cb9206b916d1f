/* problem_archive.h - uploaded problem packages on disk. Each upload is
 * unpacked (by judge/archive.c, the one extractor) into its own directory
 * DATA/problems/ID-XXXXXXXX, and removed once no registration names it and
 * no judge holds it: a judge takes a shared flock on the directory for as
 * long as it reads the package, a removal an exclusive one (never waiting),
 * so a package replaced or deleted while a submission is judged on it
 * stays until that judge is done, in this process or in `nsjudge worker`. */
#ifndef NSJUDGE_SERVER_PROBLEM_ARCHIVE_H
#define NSJUDGE_SERVER_PROBLEM_ARCHIVE_H

#include <stddef.h>
#include "server/service/app.h"

/* Unpack an uploaded archive for problem id into a new directory, within
 * cfg.max_extract_bytes. On success *root is the package root (the new
 * directory, or its only subdirectory when the archive was made from a
 * parent: tar czf p.tgz hello/), to free, and *hold keeps the directory
 * from being swept until pkg_release (register it first). On a cluster
 * store the archive is kept there too, and sha256 names it ("" on a
 * single-host store), for problems_register. 0, or -errno and
 * a message (-EINVAL/-EFBIG/-E2BIG...: the archive's fault). */
int pkg_unpack(struct app *app, const char *id, const void *data, size_t len, char **root,
               int *hold, char sha256[65], char *err, size_t errlen);
/* Remove the directory of an upload that was not registered, then release. */
void pkg_discard(struct app *app, const char *root, int hold);

/* Hold the upload directory that path (a registration's path) lies in,
 * for reading. *hold = -1 when path is not an upload of this data dir
 * (nothing to hold: it is never removed). -ENOENT when it is gone. */
int pkg_hold(struct app *app, const char *path, int *hold);
void pkg_release(int hold);

/* Whether path is an upload directory of this data dir that exists. */
bool pkg_is_local(struct app *app, const char *path);
/* The package root of blob sha256, fetched and unpacked if not yet here,
 * held (*hold, for pkg_release) so that the cache's prune (the 64 most
 * recently used stay) does not take it while judged. */
int pkg_fetch(struct app *app, const char *sha256, char **root, int *hold, char *err,
              size_t errlen);

/* A server directory as a .tar.gz (files and directories only; links are
 * refused as the extractor refuses them), within cfg.max_upload_bytes:
 * what a cluster store keeps of a problem_dirs registration. */
int pkg_pack_dir(struct app *app, const char *dir, char **data, size_t *len, char *err,
                 size_t errlen);

/* Keeps the `keep` most recently used packages of DATA/problems/sha256
 * (and no unpacking left over by a crash): the rest goes unless a judge
 * holds it. Returns how many went. pkg_fetch runs it (keep 64). */
int pkg_cache_prune(struct app *app, size_t keep);

/* Remove every upload directory that no registration names and nobody
 * holds (replaced, deleted, left by a crash). Never follows a symlink and
 * touches only DATA/problems/ID-XXXXXXXX. Returns how many were removed. */
int pkg_sweep(struct app *app);

#endif
