/*
 * run_keep.h - kept slots for `nsjudge run --keep` (run_keep.c): a daemon
 * per slot keeps it ready between CLI invocations.
 */
#ifndef NSJUDGE_RUN_KEEP_H
#define NSJUDGE_RUN_KEEP_H

#include <stddef.h>
#include "sandbox/sandbox.h"

/* Run cfg in a free kept slot under cgroup_parent (NULL = ours), starting
 * its daemon when there is none; the daemon stays keep_s seconds after
 * its last run. Returns 0 with *run_rc (sb_run's return) and res filled,
 * or -errno with err when no kept slot could take the run (nothing ran). */
int keep_run(const struct sb_config *cfg, const char *cgroup_parent, double keep_s, int *run_rc,
             struct sb_result *res, char *err, size_t errlen);

#endif
