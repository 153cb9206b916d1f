/*
 * cli.h - the subcommands of the nsjudge binary. Each returns the process
 * exit code; main.c only dispatches. One file per subcommand:
 *   cmd_run.c        nsjudge run (sandbox one command; run_keep.c: --keep)
 *   cmd_judge.c      nsjudge judge
 *   cmd_verify.c     nsjudge verify
 *   cmd_languages.c  nsjudge languages
 *   cmd_version.c    nsjudge version
 * serve and worker are in the service module (server/module.h).
 */
#ifndef NSJUDGE_CLI_H
#define NSJUDGE_CLI_H

/* nsjudge run's box uid, one-shot or kept (--box DIR must be writable by it) */
#define RUN_BOX_UID 60000

#include "server/module.h"

int cmd_run(int argc, char **argv);
int cmd_judge(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_languages(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* Usage text of each subcommand, printed by `nsjudge help CMD` and --help. */
extern const char cmd_run_usage[], cmd_judge_usage[], cmd_verify_usage[],
    cmd_languages_usage[], cmd_version_usage[];

#endif
