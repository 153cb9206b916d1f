/*
 * cmd_run.c - `nsjudge run`: one command in the sandbox, isolate-style
 * flags, result as text, isolate meta file or JSON. Exit 0 whenever the
 * sandbox did its job (whatever the program did), 1 when the sandbox
 * could not run or the --meta file cannot be written, 2 for bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "judge/number.h"
#include "sandbox/sandbox.h"
#include "server/cli/cli.h"
#include "server/cli/cli_flags.h"
#include "server/cli/run_keep.h"
#include "server/cli/tty_relay.h"

const char cmd_run_usage[] =
    "usage: nsjudge run [options] -- COMMAND [ARG...]\n"
    "\n"
    "Run COMMAND in a fresh sandbox (new PID, network, mount, IPC, UTS, user and\n"
    "cgroup namespaces; private root; no capabilities; seccomp; cgroup limits)\n"
    "and report how it ended. COMMAND is a path inside the box (the host's /usr,\n"
    "/bin, /lib are visible read-only; PATH is searched when it has no '/').\n"
    "\n"
    "Sizes take K, M, G or T (binary: 512K, 256M, 2G; a bare number is KiB, as in\n"
    "isolate); durations take ms or s (500ms, 2s, 1.5; a bare number is seconds).\n"
    "The flags are isolate's; every nsjudge subcommand gives a flag this meaning.\n"
    "\n"
    "limits:\n"
    "  -t, --time DUR       CPU time limit, all threads and processes (1ms to\n"
    "                       1000000s; default none)\n"
    "  -w, --wall-time DUR  wall clock limit (1ms to 1000000s; default 2*time+1,\n"
    "                       or none)\n"
    "  -x, --extra-time DUR grace before killing at the CPU limit; still reported TO\n"
    "                       (0 to 1000000s; default 0)\n"
    "  -m, --mem SIZE       memory limit (cgroup, no swap; 1M to 4T; default none;\n"
    "                       also --cg-mem, isolate's name for it)\n"
    "  -k, --stack SIZE     stack size limit (0 = unlimited, up to 4T; default 8M)\n"
    "  -p, --processes N    max processes and threads in the box (1 to 100000;\n"
    "                       default 64)\n"
    "  -f, --fsize SIZE     largest file the program may write (1K to 4T; default 64M)\n"
    "  -n, --open-files N   max open files (3 to 65536; default 64)\n"
    "      --tmp-size SIZE  size of the private /tmp (1K to 4T; default 64M)\n"
    "\n"
    "files and environment:\n"
    "  -i, --stdin FILE     host file for standard input (default /dev/null)\n"
    "  -o, --stdout FILE    host file for standard output (default: inherited)\n"
    "  -r, --stderr FILE    host file for standard error (default: inherited)\n"
    "                       A stream that is a terminal reaches the box as a pipe\n"
    "                       that nsjudge relays: the box never holds a tty (and\n"
    "                       runs in a session of its own, without one)\n"
    "  -b, --box DIR        host directory mounted read-write at /box, the working\n"
    "                       directory; it must be writable by the box uid 60000.\n"
    "                       Only --fsize bounds what is written there (per file).\n"
    "                       Default: a fresh private tmpfs of --tmp-size, discarded\n"
    "                       after the run\n"
    "  -d, --dir BOX=HOST[:rw]  also mount HOST at BOX (read-only unless :rw)\n"
    "  -E, --env VAR[=VAL]  set VAR in the (otherwise clean) environment; without\n"
    "                       =VAL, copy it from nsjudge's environment\n"
    "  -c, --chdir DIR      working directory inside the box (default /box)\n"
    "      --share-net      give the box a private loopback that is up (never a\n"
    "                       route out; off by default: loopback down)\n"
    "      --cgroup-parent P  create the box cgroup below P (relative to each\n"
    "                       hierarchy's mount; default: nsjudge's own cgroup)\n"
    "      --keep[=DUR]     keep the slot (cgroup, namespaces, root, box init) ready\n"
    "                       for DUR (1ms to 86400s; default 30s) after the run, in a\n"
    "                       small daemon (nsjudge-slotd), so the next run with --keep\n"
    "                       takes ~2 ms in all instead of ~7; like isolate --init.\n"
    "                       Runs still share nothing. Up to 16 run at once; the\n"
    "                       box is killed if this process dies. The daemons meet\n"
    "                       clients in /run/nsjudge/keep ($NSJUDGE_KEEP_DIR to\n"
    "                       change); stop them early with: pkill -x nsjudge-slotd\n"
    "\n"
    "output:\n"
    "  -M, --meta FILE      write an isolate-style key:value meta file\n"
    "      --json           print one JSON object on stdout: status, exit_code,\n"
    "                       signal, time, wall_time, memory (KiB), message\n"
    "                       (-j is --jobs in judge and verify, so not --json here)\n"
    "  -h, --help           show this help\n"
    "\n"
    "statuses: OK (exit 0), RE (non-zero exit), SG (killed by a signal), TO (CPU\n"
    "or wall time), ML (memory, incl. the OOM killer), OL (file size/output),\n"
    "XX (the sandbox itself failed).\n"
    "exit code: 0 when the sandbox worked (whatever the program did), 1 when the\n"
    "sandbox could not run (message on stderr), 2 for bad usage.\n";

enum { OPT_TMP = 256, OPT_SHARE_NET, OPT_CG_PARENT, OPT_KEEP, OPT_JSON };

static const struct option opts[] = {
    {"time", required_argument, 0, 't'},
    {"wall-time", required_argument, 0, 'w'},
    {"extra-time", required_argument, 0, 'x'},
    {"mem", required_argument, 0, 'm'},
    {"cg-mem", required_argument, 0, 'm'}, /* isolate's name of the cgroup limit */
    {"stack", required_argument, 0, 'k'},
    {"processes", required_argument, 0, 'p'},
    {"fsize", required_argument, 0, 'f'},
    {"open-files", required_argument, 0, 'n'},
    {"tmp-size", required_argument, 0, OPT_TMP},
    {"stdin", required_argument, 0, 'i'},
    {"stdout", required_argument, 0, 'o'},
    {"stderr", required_argument, 0, 'r'},
    {"box", required_argument, 0, 'b'},
    {"dir", required_argument, 0, 'd'},
    {"env", required_argument, 0, 'E'},
    {"chdir", required_argument, 0, 'c'},
    {"share-net", no_argument, 0, OPT_SHARE_NET},
    {"cgroup-parent", required_argument, 0, OPT_CG_PARENT},
    {"keep", optional_argument, 0, OPT_KEEP},
    {"meta", required_argument, 0, 'M'},
    {"json", no_argument, 0, OPT_JSON},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

static int bad(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "nsjudge run: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n(see 'nsjudge run --help')\n");
    return 2;
}

static const char *status_word(const struct sb_result *r)
{
    return sb_status_code(r->status);
}

/* f was opened before the run (see below); closed here. */
static int write_meta(FILE *f, const struct sb_result *r)
{
    fprintf(f, "time:%.3f\ntime-wall:%.3f\ncg-mem:%llu\nmax-rss:%llu\n", r->cpu_s, r->wall_s,
            (unsigned long long)r->mem_kib, (unsigned long long)r->mem_kib);
    if (r->status == SB_OK || r->status == SB_RE)
        fprintf(f, "exitcode:%d\n", r->exit_code);
    if (r->signal)
        fprintf(f, "exitsig:%d\n", r->signal);
    if (r->status != SB_OK)
        fprintf(f, "status:%s\n", status_word(r));
    if (r->status == SB_TO || r->status == SB_ML || r->status == SB_OL)
        fprintf(f, "killed:1\n");
    if (r->status == SB_ML)
        fprintf(f, "cg-oom-killed:1\n");
    if (r->message[0])
        fprintf(f, "message:%s\n", r->message);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return errno ? -errno : -EIO;
    return 0;
}

static void print_json(const struct sb_result *r)
{
    json_t *o = json_pack("{s:s, s:i, s:i, s:f, s:f, s:I, s:s}",
                          "status", status_word(r), "exit_code", r->exit_code,
                          "signal", r->signal, "time", r->cpu_s, "wall_time", r->wall_s,
                          "memory", (json_int_t)r->mem_kib, "message", r->message);
    if (o) {
        char *s = json_dumps(o, JSON_REAL_PRECISION(6));
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(o);
    }
}

static int open_out(const char *path)
{
    /* O_NOFOLLOW: never write through a link someone planted */
    return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
}

int cmd_run(int argc, char **argv)
{
    struct sb_config cfg;
    sb_config_init(&cfg);
    struct sb_mount mounts[SB_MAX_MOUNTS];
    int n_mounts = 0;
    const char *envs[129];
    int n_env = 0;
    char *env_store[128];
    int n_store = 0;
    const char *in = NULL, *outp = NULL, *errp = NULL, *box = NULL, *meta = NULL, *cgp = NULL;
    bool json = false;
    double d, keep_s = 0;
    int64_t v;
    int c;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+t:w:x:m:k:p:f:n:i:o:r:b:d:E:c:M:jh", opts, NULL)) != -1) {
        switch (c) {
        case 't': if (cli_duration("run", "--time", optarg, CLI_TIME_MIN_S, JD_SECONDS_MAX, &d)) return 2; cfg.limits.cpu_s = d; break;
        case 'w': if (cli_duration("run", "--wall-time", optarg, CLI_TIME_MIN_S, JD_SECONDS_MAX, &d)) return 2; cfg.limits.wall_s = d; break;
        case 'x': if (cli_duration("run", "--extra-time", optarg, 0, JD_SECONDS_MAX, &d)) return 2; cfg.limits.cpu_extra_s = d; break;
        case 'm': if (cli_size("run", "--mem", optarg, CLI_MEM_MIN_KIB, JD_KIB_MAX, &v)) return 2; cfg.limits.mem_kib = (uint64_t)v; break;
        case 'k': if (cli_size("run", "--stack", optarg, 0, JD_KIB_MAX, &v)) return 2; cfg.limits.stack_kib = v ? (uint64_t)v : UINT64_MAX; break;
        case 'p': if (cli_count("run", "--processes", optarg, 1, 100000, &v)) return 2; cfg.limits.procs = (uint32_t)v; break;
        case 'f': if (cli_size("run", "--fsize", optarg, 1, JD_KIB_MAX, &v)) return 2; cfg.limits.fsize_kib = (uint64_t)v; break;
        case 'n': if (cli_count("run", "--open-files", optarg, 3, 65536, &v)) return 2; cfg.limits.nofile = (uint32_t)v; break;
        case OPT_TMP: if (cli_size("run", "--tmp-size", optarg, 1, JD_KIB_MAX, &v)) return 2; cfg.limits.tmp_kib = (uint64_t)v; break;
        case 'i': in = optarg; break;
        case 'o': outp = optarg; break;
        case 'r': errp = optarg; break;
        case 'b': box = optarg; break;
        case 'c': cfg.cwd = optarg; break;
        case 'M': meta = optarg; break;
        case OPT_JSON: json = true; break;
        case 'j':
            return bad("-j is --jobs in every nsjudge subcommand; write --json for JSON output%s%s", "", "");
        case OPT_SHARE_NET: cfg.loopback_up = true; break;
        case OPT_CG_PARENT: cgp = optarg; break;
        case OPT_KEEP:
            keep_s = 30;
            if (optarg && cli_duration("run", "--keep", optarg, CLI_TIME_MIN_S, 86400, &keep_s))
                return 2;
            break;
        case 'd': {
            if (n_mounts >= SB_MAX_MOUNTS)
                return bad("too many --dir options%s%s", "", "");
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || !eq[1])
                return bad("bad --dir '%s': expected BOX=HOST[:rw]%s", optarg, "");
            *eq = 0;
            char *host = eq + 1;
            bool rw = false;
            size_t hl = strlen(host);
            if (hl > 3 && !strcmp(host + hl - 3, ":rw")) {
                host[hl - 3] = 0;
                rw = true;
            }
            if (optarg[0] != '/' || host[0] != '/')
                return bad("bad --dir: both paths must be absolute (%s=%s)", optarg, host);
            mounts[n_mounts++] = (struct sb_mount){.host = host, .box = optarg, .writable = rw};
            break;
        }
        case 'E': {
            if (n_env >= 128)
                return bad("too many --env options%s%s", "", "");
            if (strchr(optarg, '=')) {
                envs[n_env++] = optarg;
            } else {
                const char *v = getenv(optarg);
                if (!v)
                    break;
                char *kv;
                if (asprintf(&kv, "%s=%s", optarg, v) < 0)
                    return 1;
                env_store[n_store++] = kv;
                envs[n_env++] = kv;
            }
            break;
        }
        case 'h': fputs(cmd_run_usage, stdout); return 0;
        default:
            return bad("unknown or incomplete option '%s'%s", argv[optind - 1], "");
        }
    }
    if (optind >= argc)
        return bad("no command given%s%s", "", "");
    cfg.argv = (const char *const *)&argv[optind];
    if (n_env) {
        /* A clean environment plus what was asked for. */
        const char *const *base = sb_default_env;
        const char *all[128 + 5];
        int n = 0;
        for (size_t i = 0; base[i] && i < 4; i++) {
            bool overridden = false;
            size_t kl = strchr(base[i], '=') - base[i];
            for (int j = 0; j < n_env; j++)
                if (!strncmp(envs[j], base[i], kl + 1))
                    overridden = true;
            if (!overridden)
                all[n++] = base[i];
        }
        for (int j = 0; j < n_env; j++)
            all[n++] = envs[j];
        all[n] = NULL;
        memcpy(envs, all, sizeof(char *) * (n + 1));
        cfg.envp = envs;
    }
    cfg.mounts = mounts;
    cfg.n_mounts = n_mounts;

    int ret = 1, in_fd = -1, out_fd = -1, err_fd = -1;
    FILE *meta_f = NULL;
    struct sb_slot *slot = NULL;
    char errbuf[SB_MSG_MAX];
    struct sb_result res;

    if (in && (in_fd = open(in, O_RDONLY | O_CLOEXEC)) < 0) {
        fprintf(stderr, "nsjudge run: --stdin %s: %s\n", in, strerror(errno));
        goto out;
    }
    if (outp && (out_fd = open_out(outp)) < 0) {
        fprintf(stderr, "nsjudge run: --stdout %s: %s\n", outp, strerror(errno));
        goto out;
    }
    if (errp && (err_fd = open_out(errp)) < 0) {
        fprintf(stderr, "nsjudge run: --stderr %s: %s\n", errp, strerror(errno));
        goto out;
    }
    /* Opened before the run, like isolate: a meta file that cannot be
     * written is an error the caller must see (exit 1) before a program
     * runs whose result would then be lost. */
    if (meta && !(meta_f = fopen(meta, "we"))) {
        fprintf(stderr, "nsjudge run: --meta %s: %s\n", meta, strerror(errno));
        goto out;
    }
    cfg.stdin_fd = in_fd;
    cfg.stdout_fd = outp ? out_fd : 1;
    cfg.stderr_fd = errp ? err_fd : 2;
    if (box) {
        struct stat st;
        if (stat(box, &st) < 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "nsjudge run: --box %s: %s\n", box,
                    errno ? strerror(errno) : "not a directory");
            goto out;
        }
        char *abs = realpath(box, NULL);
        if (!abs) {
            fprintf(stderr, "nsjudge run: --box %s: %s\n", box, strerror(errno));
            goto out;
        }
        env_store[n_store++] = abs;
        cfg.box_dir = abs;
    }
    /* without --box: an empty tmpfs /box, capped like /tmp (the sandbox's
     * default), so nothing the program writes reaches the host disk */
    cfg.box_writable = true;

    /* A terminal never reaches the box: it gets pipes, relayed here. */
    struct tty_relay relay;
    int std[3] = {cfg.stdin_fd, cfg.stdout_fd, cfg.stderr_fd};
    if (tty_relay_start(&relay, std, errbuf, sizeof errbuf) < 0) {
        fprintf(stderr, "nsjudge run: %s\n", errbuf);
        goto out;
    }
    cfg.stdin_fd = std[0];
    cfg.stdout_fd = std[1];
    cfg.stderr_fd = std[2];

    int r;
    if (keep_s > 0 && keep_run(&cfg, cgp, keep_s, &r, &res, errbuf, sizeof errbuf) == 0)
        ; /* ran in a kept slot */
    else {
        if (keep_s > 0)
            fprintf(stderr, "nsjudge run: no kept slot (%s); running without one\n", errbuf);
        /* uid 60000, which --box documents; the id (cgroup names) is the sandbox's pick */
        struct sb_slot_options so = {.id = SB_SLOT_ANY, .cgroup_parent = cgp, .box_uid = RUN_BOX_UID};
        if (sb_slot_open(&so, &slot, errbuf, sizeof errbuf) < 0) {
            tty_relay_finish(&relay);
            fprintf(stderr, "nsjudge run: cannot prepare the sandbox: %s\n", errbuf);
            goto out;
        }
        r = sb_run(slot, &cfg, &res);
    }
    tty_relay_finish(&relay); /* the box's output is on the terminal before the summary */
    int meta_rc = 0;
    if (meta_f) {
        errno = 0;
        meta_rc = write_meta(meta_f, &res);
        meta_f = NULL;
        if (meta_rc < 0)
            fprintf(stderr, "nsjudge run: --meta %s: %s\n", meta, strerror(-meta_rc));
    }
    if (json)
        print_json(&res);
    else
        fprintf(stderr, "%s  time %.3fs  wall %.3fs  memory %llu KiB%s%s\n", status_word(&res),
                res.cpu_s, res.wall_s, (unsigned long long)res.mem_kib,
                res.message[0] ? "  " : "", res.message);
    if (r < 0 || res.status == SB_XX) {
        if (json)
            fprintf(stderr, "nsjudge run: sandbox failed: %s\n", res.message);
        ret = 1;
    } else
        ret = meta_rc < 0 ? 1 : 0;
out:
    if (meta_f)
        fclose(meta_f);
    sb_slot_close(slot);
    if (in_fd >= 0) close(in_fd);
    if (out_fd >= 0) close(out_fd);
    if (err_fd >= 0) close(err_fd);
    for (int i = 0; i < n_store; i++)
        free(env_store[i]);
    return ret;
}
