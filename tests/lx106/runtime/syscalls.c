/*
 * syscalls.c - what newlib needs from below, for a test program under qemu-system-xtensa -semihosting: console and
 * file I/O through QEMU's simcall (the host's files, relative to QEMU's working directory), a heap after the
 * zeroed data (lx106.ld), the environment, exit, the stack's high-water mark, and the report of an exception
 * (start.S).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <reent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#include "lx106_runtime.h"

/* QEMU's xtensa simcall numbers (target/xtensa/xtensa-semi.c); file flags are passed to the host's open(). */
enum { SIMCALL_EXIT = 1, SIMCALL_READ = 3, SIMCALL_WRITE = 4, SIMCALL_OPEN = 5, SIMCALL_CLOSE = 6,
       SIMCALL_LSEEK = 19, SIMCALL_ARGC = 1000, SIMCALL_ARGV_SIZE = 1001, SIMCALL_ARGV = 1002 };
/* Linux's values of the open flags that differ from newlib's. */
enum { HOST_O_CREAT = 0x40, HOST_O_EXCL = 0x80, HOST_O_TRUNC = 0x200, HOST_O_APPEND = 0x400 };

/* The result comes back in a2, the host's errno (translated) in a3. */
static int simcall(struct _reent *reent, int number, int arg1, int arg2, int arg3)
{
    register int a2 __asm__("a2") = number;
    register int a3 __asm__("a3") = arg1;
    register int a4 __asm__("a4") = arg2;
    register int a5 __asm__("a5") = arg3;
    __asm__ volatile("simcall" : "+r"(a2), "+r"(a3) : "r"(a4), "r"(a5) : "memory");
    if (a2 == -1 && reent != NULL)
        reent->_errno = a3;
    return a2;
}

/* newlib here keeps its state per task (Espressif's build): one task, one state. */
static struct _reent reent;

struct _reent *__getreent(void)
{
    return &reent;
}

/* newlib's stdio asks the threads library to hold off cancellation around its locks: there are no threads. */
int pthread_setcancelstate(int state, int *old)
{
    (void)state;
    if (old)
        *old = 0;
    return 0;
}

/* The stack is painted at start; the deepest word no longer painted is the high-water mark. Only its top 64 KB
 * are painted and searched, far more than a task on the chip has, so that a runner can repaint before every test
 * at little cost: a program that goes deeper reports 64 KB. */
#define STACK_PAINT         0xA5A5A5A5u
#define STACK_WATCHED_BYTES 0x10000
extern uint32_t __stack_limit[], __stack_top[];

static uint32_t *stack_watched(void)
{
    uintptr_t deepest = (uintptr_t)__stack_top - STACK_WATCHED_BYTES;
    return deepest > (uintptr_t)__stack_limit ? (uint32_t *)deepest : __stack_limit;
}

void lx106_stack_repaint(void)
{
    /* Below this frame, with a margin for what the compiler may call to do the painting (memset). */
    for (uint32_t *word = stack_watched(); (char *)word < (char *)__builtin_frame_address(0) - 256; word++)
        *word = STACK_PAINT;
}

size_t lx106_stack_used(void)
{
    const uint32_t *word = stack_watched();
    while (word < __stack_top && *word == STACK_PAINT)
        word++;
    return (size_t)((const char *)__stack_top - (const char *)word);
}

void _exit(int status)
{
    if (getenv("LX106_STACK_REPORT") != NULL) {
        char line[96];
        int len = snprintf(line, sizeof line, "lx106: stack high-water mark %lu bytes\n",
                           (unsigned long)lx106_stack_used());
        simcall(NULL, SIMCALL_WRITE, 2, (int)(uintptr_t)line, len);
    }
    simcall(NULL, SIMCALL_EXIT, status, 0, 0);
    for (;;)
        ;
}

/* Espressif's newlib leaves abort() to the system (the SDK panics). */
void abort(void)
{
    static const char line[] = "lx106: abort()\n";
    simcall(NULL, SIMCALL_WRITE, 2, (int)(uintptr_t)line, (int)sizeof line - 1);
    _exit(134);
}

_ssize_t _write_r(struct _reent *r, int fd, const void *buf, size_t len)
{
    return simcall(r, SIMCALL_WRITE, fd, (int)(uintptr_t)buf, (int)len);
}

_ssize_t _read_r(struct _reent *r, int fd, void *buf, size_t len)
{
    return simcall(r, SIMCALL_READ, fd, (int)(uintptr_t)buf, (int)len);
}

int _open_r(struct _reent *r, const char *path, int flags, int mode)
{
    int host = flags & O_ACCMODE;
    host |= (flags & O_CREAT) ? HOST_O_CREAT : 0;
    host |= (flags & O_EXCL) ? HOST_O_EXCL : 0;
    host |= (flags & O_TRUNC) ? HOST_O_TRUNC : 0;
    host |= (flags & O_APPEND) ? HOST_O_APPEND : 0;
    return simcall(r, SIMCALL_OPEN, (int)(uintptr_t)path, host, mode);
}

int _close_r(struct _reent *r, int fd)
{
    return simcall(r, SIMCALL_CLOSE, fd, 0, 0);
}

_off_t _lseek_r(struct _reent *r, int fd, _off_t offset, int whence)
{
    return simcall(r, SIMCALL_LSEEK, fd, (int)offset, whence);
}

/* QEMU's simcall has no call that removes a file. */
int _unlink_r(struct _reent *r, const char *path)
{
    (void)path;
    r->_errno = ENOSYS;
    return -1;
}

int _fstat_r(struct _reent *r, int fd, struct stat *st)
{
    (void)r;
    memset(st, 0, sizeof *st);
    st->st_mode = fd < 3 ? S_IFCHR : S_IFREG;
    return 0;
}

int _isatty_r(struct _reent *r, int fd)
{
    (void)r;
    return fd < 3;
}

int _kill_r(struct _reent *r, int pid, int sig)
{
    (void)r;
    (void)pid;
    _exit(128 + sig);
}

int _getpid_r(struct _reent *r)
{
    (void)r;
    return 1;
}

int _gettimeofday_r(struct _reent *r, struct timeval *tv, void *tz)
{
    (void)r;
    (void)tz;
    tv->tv_sec = 0;
    tv->tv_usec = 0;
    return 0;
}

extern char __heap_start[], __heap_end[];

void *_sbrk_r(struct _reent *r, ptrdiff_t increment)
{
    static char *top = __heap_start;
    if (increment > __heap_end - top) {
        r->_errno = ENOMEM;
        return (void *)-1;
    }
    char *previous = top;
    top += increment;
    return previous;
}

/* Shown by start.S's vectors: the chip would panic here. */
void lx106_exception(uint32_t cause, uint32_t pc, uint32_t address)
{
    static const char *const names[] = {[0] = "illegal instruction", [3] = "load/store error",
                                        [6] = "integer divide by zero", [9] = "unaligned load or store",
                                        [28] = "load from a prohibited address", [29] = "store to a prohibited address"};
    const char *name = cause < sizeof names / sizeof names[0] && names[cause] ? names[cause] : "exception";
    char line[160];
    int len = snprintf(line, sizeof line, "lx106: %s (EXCCAUSE %lu) at PC 0x%08lx, address 0x%08lx\n", name,
                       (unsigned long)cause, (unsigned long)pc, (unsigned long)address);
    simcall(NULL, SIMCALL_WRITE, 2, (int)(uintptr_t)line, len);
    _exit(128 + (int)cause);
}

extern char __bss_start[], __bss_end[], __dram_bss_start[], __dram_bss_end[];
extern int main(int argc, char **argv);
extern char **environ;

/* Arguments come from QEMU's -semihosting-config arg=...; the environment from "NAME=VALUE" arguments after "--". */
void lx106_start(void)
{
    lx106_stack_repaint();
    memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
    memset(__dram_bss_start, 0, (size_t)(__dram_bss_end - __dram_bss_start));
    _REENT_INIT_PTR(&reent);
    _global_impure_ptr = &reent; /* stdio's shared state: the system sets it */
    static char *no_environment[] = {NULL};
    environ = no_environment;
    /* QEMU writes the argument pointers at its start: it must be aligned like them. */
    static _Alignas(char *) char argv_space[2048];
    static char *no_arguments[] = {"test", NULL};
    char **argv = no_arguments;
    int argc = simcall(NULL, SIMCALL_ARGC, 0, 0, 0);
    if (argc > 0 && simcall(NULL, SIMCALL_ARGV_SIZE, 0, 0, 0) <= (int)sizeof argv_space) {
        simcall(NULL, SIMCALL_ARGV, (int)(uintptr_t)argv_space, 0, 0);
        argv = (char **)argv_space;
    } else {
        argc = 1;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") != 0)
            continue;
        for (int j = i + 1; j < argc; j++)
            _putenv_r(&reent, argv[j]);
        argv[i] = NULL;
        argc = i;
        break;
    }
    exit(main(argc, argv));
}
