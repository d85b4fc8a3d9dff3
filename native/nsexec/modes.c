/* The two things the stage does: create a container (new namespaces) or exec into one (setns). In both,
 * the process that will run the payload is cloned with CLONE_PARENT, so it is the engine's own child
 * (the engine waits for it directly) and this stage process exits as soon as it has said its pid. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "stage.h"

static void join_cgroups(const struct stage_config *cfg)
{
    /* "0" moves the writer; children inherit the cgroups (v1 has no CLONE_INTO_CGROUP). */
    for (size_t i = 0; i < cfg->cgroups.len; i++) write_file(VEC_AT(cfg->cgroups, const char *, i), "0");
}

static pid_t clone_sibling(void)
{
    pid_t pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) fail_errno(EXIT_ENGINE, "clone");
    if (pid > 0) {
        char msg[32];
        snprintf(msg, sizeof msg, "P %d", pid);
        sync_send(msg, -1);
        _exit(0);
    }
    return pid;
}

static void enter_namespaces(const struct stage_config *cfg)
{
    /* Open every namespace before entering any: after the mount namespace, /proc is the container's. */
    int fds[16];
    size_t n = cfg->setns.len < 16 ? cfg->setns.len : 16;
    for (size_t i = 0; i < n; i++) {
        const struct stage_setns *s = &VEC_AT(cfg->setns, struct stage_setns, i);
        fds[i] = open(s->path, O_RDONLY | O_CLOEXEC);
        if (fds[i] < 0) fail_errno(EXIT_ENGINE, "open namespace %s", s->path);
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            const struct stage_setns *s = &VEC_AT(cfg->setns, struct stage_setns, i);
            if ((s->type == CLONE_NEWNS) != (pass == 1)) continue;
            if (setns(fds[i], s->type) < 0) fail_errno(EXIT_ENGINE, "enter namespace %s", s->path);
            close(fds[i]);
        }
}

void mode_create(struct stage_config *cfg)
{
    join_cgroups(cfg);
    enter_namespaces(cfg); /* e.g. another container's network */
    if (unshare(cfg->unshare_flags & ~CLONE_NEWUSER) < 0) fail_errno(EXIT_ENGINE, "unshare namespaces");
    clone_sibling();
    /* PID 1 of the new namespaces from here on. */
    if (cfg->hostname && sethostname(cfg->hostname, strlen(cfg->hostname)) < 0) fail_errno(EXIT_ENGINE, "sethostname");
    if (cfg->loopback_up) loopback_up();
    if (cfg->unshare_flags & CLONE_NEWNS) {
        rootfs_setup(cfg);
        rootfs_finish(cfg);
    }
    if (cfg->tty) tty_create_and_send(cfg);
    process_prepare(cfg);
    sync_wait_go();
    if (cfg->init) init_run(cfg);
    process_exec(cfg);
}

void mode_exec(struct stage_config *cfg)
{
    join_cgroups(cfg);
    enter_namespaces(cfg);
    clone_sibling();
    if (cfg->tty) tty_create_and_send(cfg);
    process_prepare(cfg);
    sync_wait_go();
    process_exec(cfg);
}
