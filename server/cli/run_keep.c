/*
 * run_keep.c - kept slots for `nsjudge run --keep`. Like isolate's --init,
 * a slot (cgroup, network namespace, root template, launcher and keeper)
 * is made once and then kept by a small daemon, so that later runs only
 * pay for the run itself: about 1 ms instead of about 6 (making a slot on
 * cgroup v1 waits for an RCU grace period when the launcher enters it).
 *
 * Rendezvous in /run/nsjudge/keep, or $NSJUDGE_KEEP_DIR (root only):
 *   KEY-N.lock   flock'ed by the one client using kept slot N
 *   KEY-N.sock   the daemon's socket (SOCK_SEQPACKET, mode 0600)
 * KEY names this nsjudge binary (device, inode, mtime) and the cgroup
 * parent, so a rebuilt binary never talks to an old daemon. A client
 * takes the first free slot (of KEEP_SLOTS), starts its daemon if there
 * is none, sends the run as JSON with its three stdio fds, and reads the
 * result back as JSON. The daemon exits after --keep seconds without a
 * run; it takes the slot's lock first, so it never leaves while a client
 * holds it. If the client goes away mid-run, the daemon kills the box.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sandbox/sandbox.h"
#include "server/cli/cli.h"
#include "server/cli/run_keep.h"

#define KEEP_DIR "/run/nsjudge/keep"
#define KEEP_SLOTS 16
#define KEEP_FIRST_ID 0        /* the daemon's number in its socket's name */
#define KEEP_MSG_MAX (192 * 1024)

/* ---- JSON both ways -------------------------------------------------- */

static json_t *strv(const char *const *v)
{
    json_t *a = json_array();
    for (size_t i = 0; v && v[i]; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *request_json(const struct sb_config *c, double keep_s)
{
    const struct sb_limits *l = &c->limits;
    json_t *mounts = json_array();
    for (int i = 0; i < c->n_mounts; i++)
        json_array_append_new(mounts, json_pack("{s:s, s:s, s:b, s:b}", "host", c->mounts[i].host,
                                                "box", c->mounts[i].box, "writable", c->mounts[i].writable,
                                                "optional", c->mounts[i].optional));
    json_t *lim = json_pack("{s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "cpu", l->cpu_s,
                            "cpu_extra", l->cpu_extra_s, "wall", l->wall_s, "mem", (json_int_t)l->mem_kib,
                            "stack", (json_int_t)l->stack_kib, "fsize", (json_int_t)l->fsize_kib,
                            "procs", (json_int_t)l->procs, "nofile", (json_int_t)l->nofile,
                            "as", (json_int_t)l->as_kib, "tmp", (json_int_t)l->tmp_kib);
    return json_pack("{s:o, s:o, s:o*, s:s*, s:b, s:s*, s:o, s:b, s:f}", "argv", strv(c->argv),
                     "limits", lim, "envp", c->envp ? strv(c->envp) : NULL, "box_dir", c->box_dir,
                     "box_writable", c->box_writable, "cwd", c->cwd, "mounts", mounts,
                     "loopback_up", c->loopback_up, "keep", keep_s);
}

/* A request's strings stay in j (kept alive by the caller). */
struct request {
    struct sb_config cfg;
    const char *argv[1024], *envp[1024];
    struct sb_mount mounts[SB_MAX_MOUNTS];
    double keep_s;
};

static int vec_from(json_t *a, const char **out, size_t max)
{
    size_t i;
    json_t *v;
    if (!json_is_array(a) || json_array_size(a) + 1 > max)
        return -EINVAL;
    json_array_foreach(a, i, v) {
        if (!json_is_string(v))
            return -EINVAL;
        out[i] = json_string_value(v);
    }
    out[json_array_size(a)] = NULL;
    return 0;
}

static int request_from(json_t *j, struct request *q)
{
    struct sb_config *c = &q->cfg;
    sb_config_init(c);
    json_t *lim = json_object_get(j, "limits"), *envp = json_object_get(j, "envp");
    json_t *mounts = json_object_get(j, "mounts");
    if (vec_from(json_object_get(j, "argv"), q->argv, 1024) < 0 || !q->argv[0] || !json_is_object(lim) ||
        !json_is_array(mounts) || json_array_size(mounts) > SB_MAX_MOUNTS)
        return -EINVAL;
    c->argv = q->argv;
    if (json_is_array(envp)) {
        if (vec_from(envp, q->envp, 1024) < 0)
            return -EINVAL;
        c->envp = q->envp;
    }
    c->box_dir = json_string_value(json_object_get(j, "box_dir"));
    c->cwd = json_string_value(json_object_get(j, "cwd"));
    c->box_writable = json_is_true(json_object_get(j, "box_writable"));
    c->loopback_up = json_is_true(json_object_get(j, "loopback_up"));
    q->keep_s = json_real_value(json_object_get(j, "keep"));
    size_t i;
    json_t *m;
    json_array_foreach(mounts, i, m) {
        q->mounts[i] = (struct sb_mount){
            .host = json_string_value(json_object_get(m, "host")),
            .box = json_string_value(json_object_get(m, "box")),
            .writable = json_is_true(json_object_get(m, "writable")),
            .optional = json_is_true(json_object_get(m, "optional")),
        };
        if (!q->mounts[i].host || !q->mounts[i].box)
            return -EINVAL;
    }
    c->mounts = q->mounts;
    c->n_mounts = (int)json_array_size(mounts);
    struct sb_limits *l = &c->limits;
    l->cpu_s = json_real_value(json_object_get(lim, "cpu"));
    l->cpu_extra_s = json_real_value(json_object_get(lim, "cpu_extra"));
    l->wall_s = json_real_value(json_object_get(lim, "wall"));
    l->mem_kib = (uint64_t)json_integer_value(json_object_get(lim, "mem"));
    l->stack_kib = (uint64_t)json_integer_value(json_object_get(lim, "stack"));
    l->fsize_kib = (uint64_t)json_integer_value(json_object_get(lim, "fsize"));
    l->procs = (uint32_t)json_integer_value(json_object_get(lim, "procs"));
    l->nofile = (uint32_t)json_integer_value(json_object_get(lim, "nofile"));
    l->as_kib = (uint64_t)json_integer_value(json_object_get(lim, "as"));
    l->tmp_kib = (uint64_t)json_integer_value(json_object_get(lim, "tmp"));
    return 0;
}

static json_t *result_json(int rc, const struct sb_result *r)
{
    return json_pack("{s:i, s:i, s:i, s:i, s:f, s:f, s:I, s:s}", "rc", rc, "status", (int)r->status,
                     "exit_code", r->exit_code, "signal", r->signal, "cpu", r->cpu_s, "wall", r->wall_s,
                     "mem", (json_int_t)r->mem_kib, "message", r->message);
}

/* 0 with r and *rc (sb_run's return in the daemon) filled, or -EPROTO. */
static int result_from(json_t *j, struct sb_result *r, int *rc)
{
    memset(r, 0, sizeof *r);
    json_t *st = json_object_get(j, "status");
    if (!json_is_integer(st) || json_integer_value(st) < SB_OK || json_integer_value(st) > SB_XX)
        return -EPROTO;
    r->status = (sb_status)json_integer_value(st);
    r->exit_code = (int)json_integer_value(json_object_get(j, "exit_code"));
    r->signal = (int)json_integer_value(json_object_get(j, "signal"));
    r->cpu_s = json_real_value(json_object_get(j, "cpu"));
    r->wall_s = json_real_value(json_object_get(j, "wall"));
    r->mem_kib = (uint64_t)json_integer_value(json_object_get(j, "mem"));
    const char *m = json_string_value(json_object_get(j, "message"));
    snprintf(r->message, sizeof r->message, "%s", m ? m : "");
    *rc = (int)json_integer_value(json_object_get(j, "rc"));
    return 0;
}

/* ---- messages: one JSON text, optionally with fds ---------------------- */

static int send_json(int sock, json_t *j, const int *fds, int nfds)
{
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text)
        return -ENOMEM;
    size_t len = strlen(text);
    int r = len > KEEP_MSG_MAX ? -E2BIG : sb_sendmsg_fds(sock, text, len, fds, nfds);
    free(text);
    return r;
}

/* Returns the parsed JSON (NULL on EOF or error); fds get up to 3 fds. */
static json_t *recv_json(int sock, int *fds, int *nfds)
{
    char *buf = malloc(KEEP_MSG_MAX);
    *nfds = 0;
    if (!buf)
        return NULL;
    ssize_t n = sb_recvmsg_fds(sock, buf, KEEP_MSG_MAX, fds, 3, nfds);
    json_t *j = n > 0 ? json_loadb(buf, (size_t)n, 0, NULL) : NULL;
    free(buf);
    return j;
}

/* ---- names ---------------------------------------------------------------- */

/* The rendezvous directory: created root-only, refused when others could
 * write to it (they could plant a socket that receives our runs). */
static const char *keep_dir(char *err, size_t errlen)
{
    const char *dir = getenv("NSJUDGE_KEEP_DIR");
    if (!dir || !*dir) {
        dir = KEEP_DIR;
        if (mkdir("/run/nsjudge", 0700) < 0 && errno != EEXIST) {
            snprintf(err, errlen, "/run/nsjudge: %s", strerror(errno));
            return NULL;
        }
    }
    struct stat st;
    if ((mkdir(dir, 0700) < 0 && errno != EEXIST) || stat(dir, &st) < 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return NULL;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
        snprintf(err, errlen, "%s: not a directory only root may write to", dir);
        return NULL;
    }
    return dir;
}

/* What names this nsjudge binary (device, inode, mtime) and the cgroup
 * parent: FNV-1a over them. */
static uint64_t keep_key(const char *cgp)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    stat("/proc/self/exe", &st);
    uint64_t h = 1469598103934665603ULL;
    uint64_t parts[4] = {st.st_dev, st.st_ino, (uint64_t)st.st_mtim.tv_sec, (uint64_t)st.st_mtim.tv_nsec};
    for (size_t i = 0; i < sizeof parts; i++)
        h = (h ^ ((unsigned char *)parts)[i]) * 1099511628211ULL;
    for (const char *p = cgp ? cgp : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

/* ---- the daemon ------------------------------------------------------------ */

static void serve_one(struct sb_slot *slot, int conn, double *keep_s)
{
    struct ucred cred;
    socklen_t cl = sizeof cred;
    if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 || cred.uid != 0)
        return;
    int fds[3], nfds = 0;
    json_t *j = recv_json(conn, fds, &nfds);
    struct request *q = calloc(1, sizeof *q);
    struct sb_result res;
    memset(&res, 0, sizeof res);
    int rc = -EPROTO;
    if (j && q && nfds == 3 && request_from(j, q) == 0) {
        q->cfg.stdin_fd = fds[0];
        q->cfg.stdout_fd = fds[1];
        q->cfg.stderr_fd = fds[2];
        q->cfg.cancel_fd = conn; /* the client hung up: kill the box */
        rc = sb_run(slot, &q->cfg, &res);
        if (q->keep_s > 0)
            *keep_s = q->keep_s;
    } else {
        res.status = SB_XX;
        snprintf(res.message, sizeof res.message, "kept slot: malformed request");
    }
    send_json(conn, result_json(rc, &res), NULL, 0);
    for (int i = 0; i < nfds; i++)
        close(fds[i]);
    json_decref(j);
    free(q);
}

static _Noreturn void daemon_main(int id, const char *cgp, const char *sock_path, const char *lock_path,
                                  double keep_s, int ready)
{
    char err[SB_MSG_MAX] = "";
    struct sb_slot *slot = NULL;
    int ls = -1, lockfd = -1;
    setsid();
    prctl(PR_SET_NAME, "nsjudge-slotd");
    signal(SIGPIPE, SIG_IGN);
    if (chdir("/") < 0)
        _exit(1);
    /* nothing of the client's: its stdout may be a pipe someone reads to
     * EOF. The ready pipe moves to fd 3 first (it could be 0-2 if the
     * client ran with a standard stream closed). */
    int r3 = fcntl(ready, F_DUPFD, 10);
    int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; fd++)
        dup2(null, fd);
    dup2(r3, 3);
    ready = 3;
    close_range(4, ~0U, 0);
    (void)id;
    struct sb_slot_options so = {.id = SB_SLOT_ANY, .cgroup_parent = cgp, .box_uid = RUN_BOX_UID};
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", sock_path);
    if (sb_slot_open(&so, &slot, err, sizeof err) < 0)
        goto fail;
    if ((ls = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0 ||
        (unlink(sock_path), bind(ls, (struct sockaddr *)&a, sizeof a)) < 0 ||
        chmod(sock_path, 0600) < 0 || listen(ls, 8) < 0 ||
        (lockfd = open(lock_path, O_RDWR | O_CLOEXEC)) < 0) {
        snprintf(err, sizeof err, "%s: %s", sock_path, strerror(errno));
        goto fail;
    }
    (void)!write(ready, "", 1);
    close(ready);
    for (;;) {
        struct pollfd p = {.fd = ls, .events = POLLIN};
        int r = poll(&p, 1, (int)(keep_s * 1000));
        if (r == 0) {
            /* idle: leave unless a client holds (is about to use) the slot */
            if (flock(lockfd, LOCK_EX | LOCK_NB) == 0) {
                unlink(sock_path);
                break;
            }
            continue;
        }
        int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0)
            continue;
        serve_one(slot, conn, &keep_s);
        close(conn);
    }
    close(ls);
    sb_slot_close(slot);
    _exit(0);
fail:
    (void)!write(ready, err, strlen(err) + 1);
    sb_slot_close(slot);
    _exit(1);
}

/* Start slot id's daemon (the caller holds its lock); 0 when it listens. */
static int spawn_daemon(int id, const char *cgp, const char *sock_path, const char *lock_path,
                        double keep_s, char *err, size_t errlen)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -errno;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        /* fork again: the daemon must not be our child (nor a zombie of ours) */
        if (fork() == 0)
            daemon_main(id, cgp, sock_path, lock_path, keep_s, p[1]);
        _exit(0);
    }
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return -errno;
    }
    waitpid(pid, NULL, 0);
    char buf[SB_MSG_MAX];
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    close(p[0]);
    if (n == 1 && buf[0] == 0)
        return 0;
    buf[n > 0 ? n : 0] = 0;
    snprintf(err, errlen, "%s", n > 0 ? buf : "the kept slot did not start");
    return -EIO;
}

/* ---- the client -------------------------------------------------------------- */

static int connect_to(const char *path)
{
    int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0)
        return s;
    if (s >= 0)
        close(s);
    return -1;
}

int keep_run(const struct sb_config *cfg, const char *cgroup_parent, double keep_s, int *run_rc,
             struct sb_result *res, char *err, size_t errlen)
{
    err[0] = 0;
    const char *dir = keep_dir(err, errlen);
    if (!dir)
        return -EPERM;
    int null = -1, std[3] = {cfg->stdin_fd, cfg->stdout_fd, cfg->stderr_fd};
    for (int i = 0; i < 3; i++)
        if (std[i] < 0) {
            if (null < 0 && (null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
                return -errno;
            std[i] = null;
        }
    int r = -EBUSY;
    uint64_t key = keep_key(cgroup_parent);
    for (int n = 0; n < KEEP_SLOTS; n++) {
        char sock_path[108], lock_path[108];
        if (strlen(dir) > sizeof sock_path - 32) {
            snprintf(err, errlen, "%s: path too long for a socket", dir);
            r = -ENAMETOOLONG;
            break;
        }
        snprintf(sock_path, sizeof sock_path, "%s/%016llx-%d.sock", dir, (unsigned long long)key, n);
        snprintf(lock_path, sizeof lock_path, "%s/%016llx-%d.lock", dir, (unsigned long long)key, n);
        int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (lock < 0) {
            r = -errno;
            snprintf(err, errlen, "%s: %s", lock_path, strerror(errno));
            break;
        }
        if (flock(lock, LOCK_EX | LOCK_NB) < 0) {
            close(lock); /* in use by another run: try the next slot */
            continue;
        }
        int s = connect_to(sock_path);
        if (s < 0 && (r = spawn_daemon(KEEP_FIRST_ID + n, cgroup_parent, sock_path, lock_path, keep_s,
                                       err, errlen)) == 0)
            s = connect_to(sock_path);
        if (s < 0) {
            close(lock);
            if (!err[0])
                snprintf(err, errlen, "%s: %s", sock_path, strerror(errno));
            r = -EIO;
            break;
        }
        r = send_json(s, request_json(cfg, keep_s), std, 3);
        if (r == 0) {
            int fds[3], nfds;
            json_t *j = recv_json(s, fds, &nfds);
            for (int i = 0; i < nfds; i++)
                close(fds[i]);
            if (!j || result_from(j, res, run_rc) < 0) {
                /* The run may have started: it must not run a second time
                 * in the caller, so this is the run's (failed) result. */
                memset(res, 0, sizeof *res);
                res->status = SB_XX;
                snprintf(res->message, sizeof res->message,
                         "the kept slot's daemon went away during the run");
                *run_rc = -EIO;
            }
            json_decref(j);
        } else
            snprintf(err, errlen, "sending the run to the kept slot: %s", strerror(-r));
        close(s);
        close(lock);
        break;
    }
    if (r == -EBUSY && !err[0])
        snprintf(err, errlen, "all %d kept slots are busy", KEEP_SLOTS);
    if (null >= 0)
        close(null);
    return r;
}
