/*
 * libcgroup-probe [v2]: what Debian 12's libcgroup (2.0.2) does with the
 * calls nsjudge would need: find this process's cgroup per controller,
 * create a child with a memory and a pids limit, delete it. On this v1
 * host all succeed; in the cgroup2-only guest (guest-libcgroup.sh) the
 * path lookup fails for every controller (50016) and the create fails
 * (50015, "requested group parameter does not exist"). Build by hand:
 * apt-get install libcgroup-dev; cc -o build/libcgroup-probe THIS -lcgroup.
 */
#include <libcgroup.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    const char *ctrls[] = {"memory", "pids", "cpu", "cpuacct"};
    int r = cgroup_init();
    printf("cgroup_init: %d %s\n", r, r ? cgroup_strerror(r) : "");
    for (int i = 0; i < 4; i++) {
        char *path = NULL;
        r = cgroup_get_current_controller_path(getpid(), ctrls[i], &path);
        printf("current path %s: %d %s -> %s\n", ctrls[i], r, r ? cgroup_strerror(r) : "", path ? path : "(null)");
        free(path);
    }
    char *own = NULL;
    cgroup_get_current_controller_path(getpid(), "memory", &own);
    char name[512];
    snprintf(name, sizeof name, "%s/lcgprobe-%d", own ? own : "", getpid());
    struct cgroup *cg = cgroup_new_cgroup(name);
    struct cgroup_controller *m = cgroup_add_controller(cg, "memory");
    struct cgroup_controller *p = cgroup_add_controller(cg, "pids");
    r = cgroup_set_value_uint64(m, argc > 1 ? "memory.max" : "memory.limit_in_bytes", 64 << 20);
    printf("set memory limit: %d\n", r);
    r = cgroup_set_value_string(p, "pids.max", "16");
    printf("set pids.max: %d\n", r);
    r = cgroup_create_cgroup(cg, 0);
    printf("cgroup_create_cgroup(%s): %d %s\n", name, r, r ? cgroup_strerror(r) : "");
    r = cgroup_delete_cgroup(cg, 0);
    printf("cgroup_delete_cgroup: %d %s\n", r, r ? cgroup_strerror(r) : "");
    return 0;
}
