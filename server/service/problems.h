/* problems.h - registered problems: registration (from an uploaded
 * archive or an allowed server directory) and a cache of loaded problems
 * shared by the workers (a problem is loaded once, used by many jobs). */
#ifndef NSJUDGE_SERVER_PROBLEMS_H
#define NSJUDGE_SERVER_PROBLEMS_H

#include <stddef.h>
#include <jansson.h>
#include "server/service/app.h"

struct problem_ref;   /* one job's use of a loaded problem; holds its package on disk */

int problems_new(struct problem_cache **out);
void problems_free(struct problem_cache *pc);

/* The current registration of id, loaded (cached) and held until
 * problems_release: a package replaced or deleted meanwhile stays on disk
 * until its last judge releases it, then is removed. */
int problems_acquire(struct app *app, const char *id, struct problem_ref **out,
                     char *err, size_t errlen);
const struct jd_problem *problems_get(const struct problem_ref *r);
void problems_release(struct app *app, struct problem_ref *r);

/* Load dir to check it, then record it under id. origin: "upload"/"dir".
 * sha256: the upload's archive as kept in a cluster store (pkg_unpack), or
 * NULL / "". On success *info is the problem's JSON description; the
 * upload it replaces is removed (once unused). */
int problems_register(struct app *app, const char *id, const char *dir, const char *origin,
                      const char *sha256, json_t **info, char *err, size_t errlen);
/* Forget id; its upload directory is removed (once unused). -ENOENT if unknown. */
int problems_unregister(struct app *app, const char *id);
json_t *problems_rec_json(const struct problem_rec *p);
/* The package's warnings (unknown keys in problem.yaml, ...), paths
 * relative to the package. */
json_t *problems_warnings_json(const struct jd_problem *p);

#endif
