/* The container's filesystem, built inside its own mount namespace so nothing is mounted on the host:
 * the rootfs (overlay or bind), the engine's mount list, device nodes, pivot_root, then masked and
 * read-only paths. Targets are resolved with openat2(RESOLVE_IN_ROOT), so a symlink in an image can
 * never point a mount outside the container's root. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "stage.h"

static int root_fd = -1;

static int open_in_root(const char *path, int flags)
{
    while (*path == '/') path++;
    if (*path == '\0') return fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
    struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT};
    return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof how);
}

/* Creates every missing directory of an absolute path, each component resolved inside the root. */
static void mkdir_all_in_root(char *dir)
{
    int cur = fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
    char *name = dir + 1;
    for (char *p = dir + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (*name) {
            int next = open_in_root(dir, O_PATH | O_DIRECTORY);
            if (next < 0 && errno == ENOENT) {
                if (mkdirat(cur, name, 0755) < 0 && errno != EEXIST) fail_errno(EXIT_ENGINE, "mkdir %s in the container", dir);
                next = open_in_root(dir, O_PATH | O_DIRECTORY);
            }
            if (next < 0) fail_errno(EXIT_ENGINE, "open %s in the container", dir);
            close(cur);
            cur = next;
        }
        *p = saved;
        if (saved == '\0') break;
        name = p + 1;
    }
    close(cur);
}

/* Opens (O_PATH) the directory holding the last component of path, creating missing directories;
 * *base is set to that last component. */
static int open_parent_in_root(const char *path, char *buf, size_t size, const char **base)
{
    if (snprintf(buf, size, "%s", path) >= (int)size) fail(EXIT_ENGINE, "path too long: %s", path);
    char *slash = strrchr(buf, '/');
    if (!slash || buf[0] != '/') fail(EXIT_ENGINE, "not an absolute path: %s", path);
    *slash = '\0';
    *base = slash + 1;
    int fd = open_in_root(buf, O_PATH | O_DIRECTORY);
    if (fd >= 0 || errno != ENOENT) return fd;
    mkdir_all_in_root(buf);
    return open_in_root(buf, O_PATH | O_DIRECTORY);
}

/* Makes sure target exists in the container (a directory, or an empty file to bind a file onto) and
 * returns an O_PATH descriptor of it. */
static int ensure_target(const char *target, bool file)
{
    int fd = open_in_root(target, O_PATH);
    if (fd >= 0 || errno != ENOENT) return fd;
    char buf[PATH_MAX];
    const char *base;
    int parent = open_parent_in_root(target, buf, sizeof buf, &base);
    if (parent < 0) fail_errno(EXIT_ENGINE, "open the parent of %s in the container", target);
    if (file) {
        int f = openat(parent, base, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (f < 0 && errno != EEXIST) fail_errno(EXIT_ENGINE, "create mount point %s", target);
        if (f >= 0) close(f);
    } else if (mkdirat(parent, base, 0755) < 0 && errno != EEXIST)
        fail_errno(EXIT_ENGINE, "create mount point %s", target);
    close(parent);
    return open_in_root(target, O_PATH);
}

static void fd_path(char *buf, size_t size, int fd) { snprintf(buf, size, "/proc/self/fd/%d", fd); }

static void mount_one(const struct stage_mount *m)
{
    bool bind = m->flags & MS_BIND;
    struct stat st;
    bool file = false;
    if (bind) {
        if (stat(m->source, &st) < 0) fail_errno(EXIT_ENGINE, "bind source path %s", m->source);
        file = !S_ISDIR(st.st_mode);
    }
    int fd = ensure_target(m->target, file);
    if (fd < 0) fail_errno(EXIT_ENGINE, "mount point %s", m->target);
    char at[64];
    fd_path(at, sizeof at, fd);
    unsigned long extra = m->flags & ~(unsigned long)(MS_BIND | MS_REC);
    if (bind) {
        if (mount(m->source, at, NULL, MS_BIND | (m->flags & MS_REC), NULL) < 0)
            fail_errno(EXIT_ENGINE, "bind %s on %s", m->source, m->target);
    } else if (mount(m->source, at, m->type, m->flags, m->data[0] ? m->data : NULL) < 0)
        fail_errno(EXIT_ENGINE, "mount %s on %s", m->type, m->target);
    close(fd);
    if ((bind && extra) || m->propagation) {
        /* Reopen: the target path now leads into the new mount. */
        fd = open_in_root(m->target, O_PATH);
        if (fd < 0) fail_errno(EXIT_ENGINE, "reopen %s", m->target);
        fd_path(at, sizeof at, fd);
        if (bind && extra && mount(NULL, at, NULL, MS_REMOUNT | MS_BIND | extra, NULL) < 0)
            fail_errno(EXIT_ENGINE, "remount %s", m->target);
        if (m->propagation && mount(NULL, at, NULL, m->propagation, NULL) < 0)
            fail_errno(EXIT_ENGINE, "set propagation of %s", m->target);
        close(fd);
    }
}

static void make_device(const struct stage_device *d)
{
    char buf[PATH_MAX];
    const char *base;
    int parent = open_parent_in_root(d->path, buf, sizeof buf, &base);
    if (parent < 0) fail_errno(EXIT_ENGINE, "open the parent of %s", d->path);
    mode_t type = d->type == 'b' ? S_IFBLK : S_IFCHR;
    if (mknodat(parent, base, type | (d->mode & 07777), makedev(d->major, d->minor)) == 0) {
        if (fchownat(parent, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0) fail_errno(EXIT_ENGINE, "chown %s", d->path);
        /* mknod honours the umask; the mode must be exact. */
        int f = openat(parent, base, O_PATH | O_CLOEXEC | O_NOFOLLOW);
        char at[64];
        fd_path(at, sizeof at, f);
        if (f < 0 || chmod(at, d->mode & 07777) < 0) fail_errno(EXIT_ENGINE, "chmod %s", d->path);
        close(f);
    } else if (errno == EPERM) {
        /* No CAP_MKNOD here (a user namespace): bind the host's node instead. */
        struct stage_mount m = {.source = d->path, .target = d->path, .flags = MS_BIND, .data = ""};
        close(parent);
        mount_one(&m);
        return;
    } else if (errno != EEXIST)
        fail_errno(EXIT_ENGINE, "mknod %s", d->path);
    close(parent);
}

static void make_link(const struct stage_link *l)
{
    char buf[PATH_MAX];
    const char *base;
    int parent = open_parent_in_root(l->path, buf, sizeof buf, &base);
    if (parent < 0) fail_errno(EXIT_ENGINE, "open the parent of %s", l->path);
    if (symlinkat(l->target, parent, base) < 0 && errno != EEXIST) fail_errno(EXIT_ENGINE, "symlink %s", l->path);
    close(parent);
}

void loopback_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) fail_errno(EXIT_ENGINE, "socket");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) fail_errno(EXIT_ENGINE, "get flags of lo");
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) fail_errno(EXIT_ENGINE, "bring lo up");
    close(s);
}

void rootfs_setup(const struct stage_config *cfg)
{
    if (!cfg->rootfs) fail(EXIT_ENGINE, "config: no rootfs");
    /* Nothing we mount may leak back to the host, and nothing may be shared with it. */
    if (mount(NULL, "/", NULL, cfg->root_propagation ? cfg->root_propagation : (MS_REC | MS_SLAVE), NULL) < 0)
        fail_errno(EXIT_ENGINE, "make / private");
    if (cfg->has_root_mount) {
        const struct stage_mount *r = &cfg->root_mount;
        if (mount(r->source, cfg->rootfs, r->type, r->flags, r->data[0] ? r->data : NULL) < 0)
            fail_errno(EXIT_ENGINE, "mount the rootfs (%s) on %s", r->type, cfg->rootfs);
    } else if (mount(cfg->rootfs, cfg->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        fail_errno(EXIT_ENGINE, "bind the rootfs %s", cfg->rootfs);
    root_fd = open(cfg->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) fail_errno(EXIT_ENGINE, "open the rootfs %s", cfg->rootfs);

    for (size_t i = 0; i < cfg->mounts.len; i++) mount_one(&VEC_AT(cfg->mounts, struct stage_mount, i));
    for (size_t i = 0; i < cfg->devices.len; i++) make_device(&VEC_AT(cfg->devices, struct stage_device, i));
    for (size_t i = 0; i < cfg->links.len; i++) make_link(&VEC_AT(cfg->links, struct stage_link, i));

    /* pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the container. */
    if (fchdir(root_fd) < 0) fail_errno(EXIT_ENGINE, "chdir to the rootfs");
    if (syscall(SYS_pivot_root, ".", ".") < 0) fail_errno(EXIT_ENGINE, "pivot_root");
    if (umount2(".", MNT_DETACH) < 0) fail_errno(EXIT_ENGINE, "detach the old root");
    if (chdir("/") < 0) fail_errno(EXIT_ENGINE, "chdir /");
    close(root_fd);
    root_fd = -1;
}

void rootfs_finish(const struct stage_config *cfg)
{
    if (cfg->readonly_root && mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
        fail_errno(EXIT_ENGINE, "make the rootfs read-only");
    for (size_t i = 0; i < cfg->readonly.len; i++) {
        const char *p = VEC_AT(cfg->readonly, const char *, i);
        if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) {
            if (errno == ENOENT) continue;
            fail_errno(EXIT_ENGINE, "bind %s read-only", p);
        }
        if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
            fail_errno(EXIT_ENGINE, "remount %s read-only", p);
    }
    for (size_t i = 0; i < cfg->masked.len; i++) {
        const char *p = VEC_AT(cfg->masked, const char *, i);
        struct stat st;
        if (stat(p, &st) < 0) continue;
        int rc = S_ISDIR(st.st_mode) ? mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0")
                                     : mount("/dev/null", p, NULL, MS_BIND, NULL);
        if (rc < 0) fail_errno(EXIT_ENGINE, "mask %s", p);
    }
}
