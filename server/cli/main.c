/* main.c - the nsjudge binary: dispatch to a subcommand, like git.
 *
 * serve and worker live in nsjudge-server.so (next to the binary in a
 * build, PREFIX/lib/nsjudge/ when installed), loaded on demand through
 * its one table (server/module.h). */
#include <dlfcn.h>
#include <sched.h>
#include <sys/mount.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "server/cli/cli.h"
#include "sandbox/sandbox.h"

enum in_module { BUILT_IN, MODULE_SERVE, MODULE_WORKER };

struct command {
    const char *name;
    int (*fn)(int, char **);
    const char *usage;
    const char *summary;
    enum in_module module;   /* serve and worker: in nsjudge-server.so */
};

static const struct command commands[] = {
    {"serve", NULL, NULL, "run the HTTP judging service (Judge0-compatible API)", MODULE_SERVE},
    {"worker", NULL, NULL, "run judging workers only, sharing the service's store", MODULE_WORKER},
    {"judge", cmd_judge, cmd_judge_usage, "judge one solution against a problem directory", BUILT_IN},
    {"verify", cmd_verify, cmd_verify_usage, "check every reference submission of a problem gets its verdict", BUILT_IN},
    {"run", cmd_run, cmd_run_usage, "run one command in the sandbox under limits", BUILT_IN},
    {"languages", cmd_languages, cmd_languages_usage, "list configured languages and which are installed", BUILT_IN},
    {"version", cmd_version, cmd_version_usage, "print the version and what this host supports", BUILT_IN},
    {NULL, NULL, NULL, NULL, BUILT_IN},
};

/* Load nsjudge-server.so: $NSJUDGE_PLUGIN, else next to this binary (a
 * build/ directory), else PREFIX/lib/nsjudge/ for PREFIX/bin/nsjudge (where
 * `make install` puts it: a module is not a program, it has no place in
 * bin/). Both are found from /proc/self/exe, so a DESTDIR tree works too. */
static const struct nsjudge_module *module(void)
{
    static const struct nsjudge_module *m;
    if (m)
        return m;
    char path[PATH_MAX];
    const char *env = getenv("NSJUDGE_PLUGIN");
    if (env) {
        snprintf(path, sizeof path, "%s", env);
    } else {
        char dir[PATH_MAX - 64];
        ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
        if (n < 0)
            n = 0;
        dir[n] = 0;
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = 0;
        else
            snprintf(dir, sizeof dir, ".");
        snprintf(path, sizeof path, "%s/nsjudge-server.so", dir);
        if (access(path, R_OK) != 0)
            snprintf(path, sizeof path, "%s/../lib/nsjudge/nsjudge-server.so", dir);
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "nsjudge: cannot load the service module: %s (set NSJUDGE_PLUGIN to its path)\n",
                dlerror());
        return NULL;
    }
    const struct nsjudge_module *t = dlsym(h, "nsjudge_module");
    if (!t || t->abi != NSJUDGE_MODULE_ABI || !t->version || strcmp(t->version, NSJUDGE_VERSION)) {
        fprintf(stderr, "nsjudge: %s is not the service module of this nsjudge %s (%s)\n", path,
                NSJUDGE_VERSION, t && t->version ? t->version : "no module table");
        dlclose(h);
        return NULL;
    }
    return m = t;
}

/* Prints the command's usage; 1 when the module holding it cannot load. */
static int print_usage_of(const struct command *c)
{
    const struct nsjudge_module *m = c->module == BUILT_IN ? NULL : module();
    if (c->module != BUILT_IN && !m)
        return 1;
    fputs(c->module == BUILT_IN ? c->usage : c->module == MODULE_SERVE ? m->serve_usage : m->worker_usage,
          stdout);
    return 0;
}

/* Judging mounts size-capped tmpfs scratch directories (sandbox/scratch.c).
 * Give this process a mount namespace of its own first, so they vanish
 * with it even after kill -9, and never clutter the host's mount table.
 * Host mounts still propagate in (slave). Best effort: without root the
 * sandbox itself will say what is wrong. */
static void private_mounts(void)
{
    if (unshare(CLONE_NEWNS) == 0)
        mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
}

static int run_command(const struct command *c, int argc, char **argv)
{
    if (strcmp(c->name, "run") && strcmp(c->name, "languages") && strcmp(c->name, "version"))
        private_mounts();
    if (c->module == BUILT_IN)
        return c->fn(argc, argv);
    const struct nsjudge_module *m = module();
    if (!m)
        return 1;
    return (c->module == MODULE_SERVE ? m->serve : m->worker)(argc, argv);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: nsjudge <command> [options]\n\ncommands:\n");
    for (const struct command *c = commands; c->name; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
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
    if (!strcmp(cmd, "--version"))
        cmd = "version";
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
        return print_usage_of(c);
    }
    const struct command *c = find(cmd);
    if (!c) {
        fprintf(stderr, "nsjudge: unknown command '%s' (see 'nsjudge --help')\n", cmd);
        return 2;
    }
    for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return print_usage_of(c);
    return run_command(c, argc - 1, argv + 1);
}
