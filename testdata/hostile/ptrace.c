/*
 * ptrace HOSTPID: every way a boxed program could trace another process:
 * PTRACE_TRACEME, attaching to a sibling, to our parent (the box's init or
 * the supervisor), to the host test process, and process_vm_readv on a
 * sibling. Each attempt runs in its own child so a seccomp kill of one
 * attempt still lets the rest run.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t target;

static long do_traceme(void) { return ptrace(PTRACE_TRACEME, 0, NULL, NULL); }
static long do_attach(void) { return ptrace(PTRACE_ATTACH, target, NULL, NULL); }
static long do_seize(void) { return ptrace(PTRACE_SEIZE, target, NULL, NULL); }
/* Tracing one's own child is allowed even under Yama scope 1. */
static long do_attach_child(void)
{
    pid_t c = fork();
    if (c == 0) {
        for (;;)
            pause();
    }
    long r = ptrace(PTRACE_ATTACH, c, NULL, NULL);
    int e = errno;
    kill(c, SIGKILL);
    errno = e;
    return r;
}
static long do_vm_read(void)
{
    char buf[16];
    struct iovec l = {buf, sizeof buf}, r = {(void *)0x400000, sizeof buf};
    long n = process_vm_readv(target, &l, 1, &r, 1, 0);
    /* EFAULT means the permission check passed and only the address was bad. */
    if (n < 0 && errno == EFAULT)
        return 0;
    return n;
}

static int escapes, tries;

static void attempt(const char *what, long (*fn)(void))
{
    tries++;
    pid_t p = fork();
    if (p == 0) {
        errno = 0;
        long r = fn();
        if (r < 0) {
            printf("ok: %s: %s\n", what, strerror(errno));
            _exit(0);
        }
        printf("ESCAPED: %s succeeded\n", what);
        _exit(1);
    }
    int st;
    waitpid(p, &st, 0);
    if (WIFSIGNALED(st))
        printf("ok: %s: killed by signal %d\n", what, WTERMSIG(st));
    else if (WEXITSTATUS(st) != 0)
        escapes++;
}

int main(int argc, char **argv)
{
    setlinebuf(stdout);
    if (argc < 2) {
        printf("ERROR: usage\n");
        return 2;
    }
    attempt("PTRACE_TRACEME", do_traceme);
    pid_t sib = fork();
    if (sib == 0) {
        for (;;)
            pause();
    }
    target = sib;
    attempt("attach own child", do_attach_child);
    attempt("attach sibling", do_attach);
    attempt("seize sibling", do_seize);
    attempt("process_vm_readv sibling", do_vm_read);
    target = getppid();
    attempt("attach parent", do_attach);
    target = 1;
    attempt("attach pid 1", do_attach);
    target = (pid_t)atoi(argv[1]);
    attempt("attach host test pid", do_attach);
    kill(sib, SIGKILL);
    waitpid(sib, NULL, 0);
    if (escapes)
        printf("ESCAPED: %d of %d ptrace attempts\n", escapes, tries);
    else
        printf("BLOCKED: all %d ptrace attempts\n", tries);
    return 0;
}
