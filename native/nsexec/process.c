/* The last steps before the payload runs: terminal, limits, user and groups, capabilities,
 * no_new_privs, working directory, and the PATH search of exec; plus the optional PID-1 init. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "stage.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

void tty_create_and_send(const struct stage_config *cfg)
{
    /* The pty lives in the container's own devpts instance, so the payload sees /dev/pts/0. */
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) fail_errno(EXIT_ENGINE, "open /dev/ptmx in the container");
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0) fail_errno(EXIT_ENGINE, "unlock the pty");
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0) fail_errno(EXIT_ENGINE, "open the pty's terminal");
    if (cfg->console_rows && cfg->console_cols) {
        struct winsize ws = {.ws_row = cfg->console_rows, .ws_col = cfg->console_cols};
        ioctl(master, TIOCSWINSZ, &ws);
    }
    for (int fd = 0; fd < 3; fd++)
        if (dup2(slave, fd) < 0) fail_errno(EXIT_ENGINE, "dup2 the terminal");
    if (slave > 2) close(slave);
    sync_send("T", master);
    close(master);
}

void process_prepare(const struct stage_config *cfg)
{
    for (size_t i = 0; i < cfg->rlimits.len; i++) {
        const struct stage_rlimit *r = &VEC_AT(cfg->rlimits, struct stage_rlimit, i);
        struct rlimit rl = {.rlim_cur = r->soft, .rlim_max = r->hard}, now;
        if (setrlimit(r->resource, &rl) == 0) continue;
        /* Raising a hard limit needs CAP_SYS_RESOURCE, which a nested host may lack: keep what we have. */
        if (errno != EPERM || getrlimit(r->resource, &now) < 0) fail_errno(EXIT_ENGINE, "setrlimit %d", r->resource);
        rl.rlim_max = rl.rlim_max > now.rlim_max ? now.rlim_max : rl.rlim_max;
        rl.rlim_cur = rl.rlim_cur > rl.rlim_max ? rl.rlim_max : rl.rlim_cur;
        if (setrlimit(r->resource, &rl) < 0) fail_errno(EXIT_ENGINE, "setrlimit %d", r->resource);
    }
    if (cfg->oom_score_adj) write_file("/proc/self/oom_score_adj", cfg->oom_score_adj);
}

static void set_caps(const struct stage_config *cfg)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    for (int i = 0; i < 2; i++) {
        data[i].effective = (uint32_t)(cfg->cap_effective >> (32 * i));
        data[i].permitted = (uint32_t)(cfg->cap_permitted >> (32 * i));
        data[i].inheritable = (uint32_t)(cfg->cap_inheritable >> (32 * i));
    }
    if (syscall(SYS_capset, &hdr, data) < 0) fail_errno(EXIT_ENGINE, "capset");
    for (int cap = 0; cap < 64; cap++)
        if ((cfg->cap_ambient >> cap) & 1)
            if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) fail_errno(EXIT_ENGINE, "raise ambient capability %d", cap);
}

static void set_credentials(const struct stage_config *cfg)
{
    if (cfg->has_caps) {
        /* Bounding set first: dropping needs CAP_SETPCAP, which may be about to go. */
        for (int cap = 0; cap < 64; cap++)
            if (!((cfg->cap_bounding >> cap) & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                fail_errno(EXIT_ENGINE, "drop capability %d from the bounding set", cap);
    }
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) fail_errno(EXIT_ENGINE, "keep capabilities");
    if (setgroups(cfg->groups.len, cfg->groups.len ? (gid_t *)cfg->groups.items : NULL) < 0) fail_errno(EXIT_ENGINE, "setgroups");
    if (setresgid(cfg->gid, cfg->gid, cfg->gid) < 0) fail_errno(EXIT_ENGINE, "setgid %u", cfg->gid);
    if (setresuid(cfg->uid, cfg->uid, cfg->uid) < 0) fail_errno(EXIT_ENGINE, "setuid %u", cfg->uid);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) fail_errno(EXIT_ENGINE, "reset keep capabilities");
    if (cfg->has_caps) set_caps(cfg);
    if (cfg->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail_errno(EXIT_ENGINE, "set no_new_privs");
}

static void mkdir_all(char *path)
{
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST) fail_errno(EXIT_ENGINE, "create working directory %s", path);
        *p = saved;
        if (!saved) break;
    }
}

static const char *env_path(const struct stage_config *cfg)
{
    for (size_t i = 0; VEC_AT(cfg->env, const char *, i); i++)
        if (!strncmp(VEC_AT(cfg->env, const char *, i), "PATH=", 5)) return VEC_AT(cfg->env, const char *, i) + 5;
    return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

static _Noreturn void exec_failed(const char *file, int err)
{
    if (err == ENOENT || err == ENOTDIR) fail(EXIT_NOT_FOUND, "exec: \"%s\": stat %s: no such file or directory", file, file);
    errno = err;
    fail_errno(EXIT_CANNOT_EXEC, "exec: \"%s\"", file);
}

/* execvpe with the container's PATH: 127 when nothing is found, 126 when found but not runnable. */
static _Noreturn void exec_in_path(const struct stage_config *cfg)
{
    char *const *argv = (char *const *)cfg->argv.items;
    char *const *envp = (char *const *)cfg->env.items;
    const char *file = argv[0];
    if (!*file) fail(EXIT_NOT_FOUND, "exec: \"\": executable file not found in $PATH");
    if (strchr(file, '/')) {
        execve(file, argv, envp);
        exec_failed(file, errno);
    }
    const char *path = env_path(cfg);
    int denied = 0;
    char full[4096];
    for (const char *p = path; p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        if (len > 0 && len + strlen(file) + 2 <= sizeof full) {
            memcpy(full, p, len);
            full[len] = '/';
            strcpy(full + len + 1, file);
            execve(full, argv, envp);
            if (errno == EACCES) denied = EACCES;
            else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE) exec_failed(full, errno);
        }
        p = colon ? colon + 1 : NULL;
    }
    if (denied) exec_failed(file, denied);
    fail(EXIT_NOT_FOUND, "exec: \"%s\": executable file not found in $PATH", file);
}

void process_exec(const struct stage_config *cfg)
{
    if (cfg->tty) {
        if (setsid() < 0) fail_errno(EXIT_ENGINE, "setsid");
        if (ioctl(0, TIOCSCTTY, 0) < 0) fail_errno(EXIT_ENGINE, "set the controlling terminal");
        if (cfg->uid != 0 && fchown(0, cfg->uid, (gid_t)-1) < 0) fail_errno(EXIT_ENGINE, "chown the terminal");
    }
    if (cfg->cwd && chdir(cfg->cwd) < 0) {
        if (errno != ENOENT) fail_errno(EXIT_ENGINE, "chdir to %s", cfg->cwd);
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", cfg->cwd);
        mkdir_all(dir); /* docker creates a missing working directory */
    }
    set_credentials(cfg);
    if (cfg->cwd && chdir(cfg->cwd) < 0) fail_errno(EXIT_CANNOT_EXEC, "chdir to cwd (\"%s\")", cfg->cwd);
    exec_in_path(cfg);
}

/* PID 1 for --init: runs the payload as its child, passes on every signal it gets, reaps whatever
 * is orphaned onto it, and exits with the payload's status (128+signal when it was killed). */
void init_run(const struct stage_config *cfg)
{
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &all, NULL);
    pid_t child = fork();
    if (child < 0) fail_errno(EXIT_ENGINE, "fork the payload");
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &none, NULL);
        process_exec(cfg);
    }
    close(SYNC_FD);
    for (;;) {
        siginfo_t info;
        int sig = sigwaitinfo(&all, &info);
        if (sig < 0) continue;
        if (sig != SIGCHLD) {
            kill(child, sig);
            continue;
        }
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
            if (pid == child) _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
}
