/* main.c - the nsjudge binary: dispatch to a subcommand, like git. */
#include <stdio.h>
#include <string.h>
#include "server/cli.h"
#include "sandbox/sandbox.h"

struct command {
    const char *name;
    int (*fn)(int, char **);
    const char *usage;
    const char *summary;
};

static const struct command commands[] = {
    {"serve", cmd_serve, cmd_serve_usage, "run the HTTP judging service (Judge0-compatible API)"},
    {"worker", cmd_worker, cmd_worker_usage, "run judging workers only, sharing the service's store"},
    {"judge", cmd_judge, cmd_judge_usage, "judge one solution against a problem directory"},
    {"verify", cmd_verify, cmd_verify_usage, "check every reference submission of a problem gets its verdict"},
    {"run", cmd_run, cmd_run_usage, "run one command in the sandbox under limits"},
    {"languages", cmd_languages, cmd_languages_usage, "list configured languages and which are installed"},
    {NULL, NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: nsjudge <command> [options]\n\ncommands:\n");
    for (const struct command *c = commands; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
    fprintf(f, "  %-10s %s\n", "version", "print the version and what this host supports");
    fprintf(f, "  %-10s %s\n", "help", "help CMD: print a command's options");
    fprintf(f, "\nRun 'nsjudge help CMD' or 'nsjudge CMD --help' for a command's options.\n");
}

static const struct command *find(const char *name)
{
    for (const struct command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static int version(void)
{
    struct sb_host_info hi;
    sb_host_probe(&hi);
    printf("nsjudge %s\n", NSJUDGE_VERSION);
    printf("cgroups: %s\n", hi.cgroup_detail);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version"))
        return version();
    if (!strcmp(cmd, "help")) {
        if (argc < 3) {
            usage(stdout);
            return 0;
        }
        const struct command *c = find(argv[2]);
        if (!c) {
            fprintf(stderr, "nsjudge: unknown command '%s'\n", argv[2]);
            return 2;
        }
        fputs(c->usage, stdout);
        return 0;
    }
    const struct command *c = find(cmd);
    if (!c) {
        fprintf(stderr, "nsjudge: unknown command '%s' (see 'nsjudge --help')\n", cmd);
        return 2;
    }
    for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(c->usage, stdout);
            return 0;
        }
    return c->fn(argc - 1, argv + 1);
}
