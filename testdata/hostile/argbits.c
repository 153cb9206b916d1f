/*
 * argbits NAME...: the argument-filtered seccomp rules, attacked with
 * values whose upper 32 bits (or bit 31) are set. Syscall arguments are
 * 64-bit registers but the kernel reads many of them as int or unsigned
 * int: a filter comparing all 64 bits lets such a value through while the
 * kernel sees the forbidden one. Each probe runs in its own child.
 * Blocked means the call failed with EPERM (EAFNOSUPPORT for socket: what
 * the filter answers) or ENOSYS; anything else reached the kernel's
 * implementation: ESCAPED. "all" runs every probe.
 *
 * "allowed" instead checks the calls the rules must let through (the
 * personality query, PER_LINUX, a terminal ioctl on a pipe, AF_UNIX /
 * AF_INET / AF_INET6 sockets, a plain clone): ALLOWED or BROKEN.
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "probe.h"

#define HI32 (1UL << 32)
#define HIONES (0xffffffffUL << 32)

static long ioctl_cmd(unsigned long cmd)
{
    char c = 0;
    /* no tty in the box: ENOTTY says the kernel looked at the cmd */
    return syscall(SYS_ioctl, 1, cmd, &c);
}

static long persona(unsigned long v)
{
    long r = syscall(SYS_personality, v);
    if (r < 0)
        return r;
    /* set? the query shows it */
    long now = syscall(SYS_personality, 0xffffffffUL);
    return (now & (ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC)) ? 0 : (errno = EPERM, -1);
}

static long sock(unsigned long family, int type)
{
    long fd = syscall(SYS_socket, family, type, 0);
    if (fd >= 0)
        close((int)fd);
    return fd;
}

static long clone_flags(unsigned long flags)
{
    long r = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
    if (r == 0)
        _exit(0);
    if (r > 0)
        waitpid((pid_t)r, NULL, 0);
    return r;
}

static long p_tiocsti(void) { return ioctl_cmd(TIOCSTI); }
static long p_tiocsti_hi32(void) { return ioctl_cmd(TIOCSTI | HI32); }
static long p_tiocsti_hiones(void) { return ioctl_cmd(TIOCSTI | HIONES); }
static long p_tioclinux(void) { return ioctl_cmd(TIOCLINUX); }
static long p_tioclinux_hi32(void) { return ioctl_cmd(TIOCLINUX | HI32); }
static long p_persona_bit31(void) { return persona(0x80000000UL | ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC); }
static long p_persona_hi32(void) { return persona(HI32 | ADDR_NO_RANDOMIZE); }
static long p_persona_hiones(void) { return persona(HIONES | ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC); }
static long p_persona_all_but_query(void) { return persona(0xfffffffeUL); }
static long p_socket_netlink_hi32(void) { return sock(HI32 | AF_NETLINK, SOCK_RAW); }
static long p_socket_netlink_hiones(void) { return sock(HIONES | AF_NETLINK, SOCK_RAW); }
static long p_socket_packet_hi32(void) { return sock(HI32 | AF_PACKET, SOCK_DGRAM); }
static long p_clone_newuser_hi32(void) { return clone_flags(HI32 | CLONE_NEWUSER); }
static long p_clone_newns_hiones(void) { return clone_flags(HIONES | CLONE_NEWUSER | CLONE_NEWNS); }


static const struct probe probes[] = {
    {"ioctl_tiocsti", p_tiocsti},
    {"ioctl_tiocsti_hi32", p_tiocsti_hi32},
    {"ioctl_tiocsti_hiones", p_tiocsti_hiones},
    {"ioctl_tioclinux", p_tioclinux},
    {"ioctl_tioclinux_hi32", p_tioclinux_hi32},
    {"personality_bit31", p_persona_bit31},
    {"personality_hi32", p_persona_hi32},
    {"personality_hiones", p_persona_hiones},
    {"personality_fffffffe", p_persona_all_but_query},
    {"socket_netlink_hi32", p_socket_netlink_hi32, EAFNOSUPPORT},
    {"socket_netlink_hiones", p_socket_netlink_hiones, EAFNOSUPPORT},
    {"socket_packet_hi32", p_socket_packet_hi32, EAFNOSUPPORT},
    {"clone_newuser_hi32", p_clone_newuser_hi32},
    {"clone_newns_hiones", p_clone_newns_hiones},
    {NULL, NULL, 0},
};

static int allowed(void)
{
    int broken = 0;
    long q = syscall(SYS_personality, 0xffffffffUL);
    if (q < 0)
        printf("BROKEN: personality query: %s\n", strerror(errno)), broken++;
    if (syscall(SYS_personality, (unsigned long)PER_LINUX) < 0)
        printf("BROKEN: personality(PER_LINUX): %s\n", strerror(errno)), broken++;
    int p[2];
    struct termios t;
    if (pipe(p) < 0 || tcgetattr(p[0], &t) == 0 || errno != ENOTTY)
        printf("BROKEN: tcgetattr on a pipe: %s\n", strerror(errno)), broken++;
    static const int fams[] = {AF_UNIX, AF_INET, AF_INET6};
    for (int i = 0; i < 3; i++) {
        int fd = socket(fams[i], fams[i] == AF_UNIX ? SOCK_STREAM : SOCK_DGRAM, 0);
        if (fd < 0)
            printf("BROKEN: socket family %d: %s\n", fams[i], strerror(errno)), broken++;
        else
            close(fd);
    }
    if (clone_flags(0) < 0)
        printf("BROKEN: plain clone: %s\n", strerror(errno)), broken++;
    printf(broken ? "BROKEN: %d calls refused\n" : "ALLOWED: all calls worked\n", broken);
    return 0;
}

int main(int argc, char **argv)
{
    setlinebuf(stdout);
    if (argc == 2 && !strcmp(argv[1], "allowed"))
        return allowed();
    /* EACCES is not a seccomp answer: these rules must say EPERM or ENOSYS */
    return probe_main(probes, argc, argv, 1, false);
}
