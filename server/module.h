/*
 * module.h - the contract between the nsjudge binary (server/cli/) and the
 * service module nsjudge-server.so (server/service/), which the binary
 * loads with dlopen for `serve` and `worker` only: the HTTP, curl,
 * PostgreSQL and archive libraries cost 10+ ms of dynamic linking that
 * `nsjudge run` should not pay. One typed table, looked up once.
 */
#ifndef NSJUDGE_MODULE_H
#define NSJUDGE_MODULE_H

#define NSJUDGE_VERSION "0.1.0"
/* Raised when the table below changes: a binary refuses another's module. */
#define NSJUDGE_MODULE_ABI 1

struct nsjudge_module {
    int abi;                        /* NSJUDGE_MODULE_ABI of the module's build */
    const char *version;            /* NSJUDGE_VERSION of the module's build */
    int (*serve)(int argc, char **argv);   /* process exit codes */
    int (*worker)(int argc, char **argv);
    const char *serve_usage, *worker_usage;
};

/* The one symbol of nsjudge-server.so the binary looks up. */
extern const struct nsjudge_module nsjudge_module;

#endif
