/* Talking to the engine over the sync socket, and failing with one line it can show the user. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stage.h"

static _Noreturn void vfail(int code, int err, const char *fmt, va_list ap)
{
    char msg[1024];
    int n = snprintf(msg, sizeof msg, "E %d ", code);
    n += vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    if (err && n < (int)sizeof msg) snprintf(msg + n, sizeof msg - (size_t)n, ": %s", strerror(err));
    /* If the engine is gone there is no one to tell; the exit code still says it. */
    send(SYNC_FD, msg, strlen(msg), MSG_NOSIGNAL);
    _exit(code);
}

void fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(code, 0, fmt, ap);
}

void fail_errno(int code, const char *fmt, ...)
{
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    vfail(code, err, fmt, ap);
}

void sync_send(const char *msg, int fd_to_pass)
{
    struct iovec iov = {.iov_base = (void *)msg, .iov_len = strlen(msg)};
    char control[CMSG_SPACE(sizeof(int))];
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd_to_pass >= 0) {
        memset(control, 0, sizeof control);
        mh.msg_control = control;
        mh.msg_controllen = sizeof control;
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd_to_pass, sizeof(int));
    }
    while (sendmsg(SYNC_FD, &mh, MSG_NOSIGNAL) < 0)
        if (errno != EINTR) _exit(EXIT_ENGINE); /* the engine went away: nothing to run for */
}

void sync_wait_go(void)
{
    char c = 0;
    ssize_t n;
    while ((n = recv(SYNC_FD, &c, 1, 0)) < 0 && errno == EINTR) {}
    if (n != 1 || c != 'G') _exit(EXIT_ENGINE); /* the engine gave up on this container */
}

void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) fail_errno(EXIT_ENGINE, "open %s", path);
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len) fail_errno(EXIT_ENGINE, "write %s to %s", text, path);
    close(fd);
}
