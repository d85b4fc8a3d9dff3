/* Reads the engine's config: NUL-terminated records, each a key followed by a fixed number of values
 * (the table below). The engine writes them (Runtime/Stage/StageConfig.cs); no JSON is parsed here. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stage.h"

void vec_push(struct vec *v, const void *item)
{
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->items = realloc(v->items, v->cap * v->size);
        if (!v->items) fail(EXIT_ENGINE, "out of memory");
    }
    memcpy((char *)v->items + v->len * v->size, item, v->size);
    v->len++;
}

static char *read_all(int fd, size_t *out_len)
{
    size_t cap = 16384, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) fail(EXIT_ENGINE, "out of memory");
        if (len == cap) buf = realloc(buf, cap *= 2);
        if (!buf) fail(EXIT_ENGINE, "out of memory");
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail_errno(EXIT_ENGINE, "read config");
        if (n == 0) break;
        len += (size_t)n;
    }
    *out_len = len;
    return buf;
}

static uint64_t num(const char *s, const char *key)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *s == '\0' || *end != '\0') fail(EXIT_ENGINE, "config: bad number '%s' for %s", s, key);
    return v;
}

static int ns_flag(const char *name)
{
    static const struct { const char *name; int flag; } table[] = {
        {"mnt", CLONE_NEWNS}, {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC}, {"net", CLONE_NEWNET},
        {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP}, {"user", CLONE_NEWUSER},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, name) == 0) return table[i].flag;
    fail(EXIT_ENGINE, "config: unknown namespace '%s'", name);
}

static void init_vecs(struct stage_config *c)
{
    c->setns.size = sizeof(struct stage_setns);
    c->cgroups.size = sizeof(const char *);
    c->mounts.size = sizeof(struct stage_mount);
    c->devices.size = sizeof(struct stage_device);
    c->links.size = sizeof(struct stage_link);
    c->masked.size = sizeof(const char *);
    c->readonly.size = sizeof(const char *);
    c->groups.size = sizeof(gid_t);
    c->rlimits.size = sizeof(struct stage_rlimit);
    c->env.size = sizeof(const char *);
    c->argv.size = sizeof(const char *);
}

void config_read(int fd, struct stage_config *c)
{
    static const struct { const char *key; int values; } arity[] = {
        {"ns", 1}, {"setns", 2}, {"cgroup", 1}, {"hostname", 1}, {"rootfs", 1}, {"rootmount", 4},
        {"rootprop", 1}, {"readonly_root", 1}, {"mount", 6}, {"device", 7}, {"link", 2}, {"masked", 1},
        {"readonly", 1}, {"lo", 1}, {"uid", 1}, {"gid", 1}, {"group", 1}, {"caps", 5}, {"nnp", 1},
        {"rlimit", 3}, {"oom", 1}, {"cwd", 1}, {"env", 1}, {"arg", 1}, {"init", 1}, {"tty", 1}, {"console", 2},
    };
    memset(c, 0, sizeof *c);
    init_vecs(c);
    size_t len;
    char *buf = read_all(fd, &len);
    if (len == 0 || buf[len - 1] != '\0') fail(EXIT_ENGINE, "config: empty or truncated");
    char *p = buf, *end = buf + len;
    while (p < end) {
        const char *key = p;
        p += strlen(p) + 1;
        int n = -1;
        for (size_t i = 0; i < sizeof arity / sizeof arity[0]; i++)
            if (strcmp(arity[i].key, key) == 0) n = arity[i].values;
        if (n < 0) fail(EXIT_ENGINE, "config: unknown key '%s'", key);
        const char *v[7];
        for (int i = 0; i < n; i++) {
            if (p >= end) fail(EXIT_ENGINE, "config: truncated record '%s'", key);
            v[i] = p;
            p += strlen(p) + 1;
        }
        if (!strcmp(key, "ns")) c->unshare_flags |= ns_flag(v[0]);
        else if (!strcmp(key, "setns")) vec_push(&c->setns, &(struct stage_setns){ns_flag(v[0]), v[1]});
        else if (!strcmp(key, "cgroup")) vec_push(&c->cgroups, &v[0]);
        else if (!strcmp(key, "hostname")) c->hostname = v[0];
        else if (!strcmp(key, "rootfs")) c->rootfs = v[0];
        else if (!strcmp(key, "rootmount")) {
            c->root_mount = (struct stage_mount){v[0], v[1], NULL, v[3], num(v[2], key), 0};
            c->has_root_mount = true;
        }
        else if (!strcmp(key, "rootprop")) c->root_propagation = num(v[0], key);
        else if (!strcmp(key, "readonly_root")) c->readonly_root = v[0][0] == '1';
        else if (!strcmp(key, "mount"))
            vec_push(&c->mounts, &(struct stage_mount){v[0], v[1], v[2], v[5], num(v[3], key), num(v[4], key)});
        else if (!strcmp(key, "device"))
            vec_push(&c->devices, &(struct stage_device){v[0], v[1][0], (unsigned)num(v[2], key), (unsigned)num(v[3], key),
                                                         (unsigned)num(v[4], key), (uid_t)num(v[5], key), (gid_t)num(v[6], key)});
        else if (!strcmp(key, "link")) vec_push(&c->links, &(struct stage_link){v[0], v[1]});
        else if (!strcmp(key, "masked")) vec_push(&c->masked, &v[0]);
        else if (!strcmp(key, "readonly")) vec_push(&c->readonly, &v[0]);
        else if (!strcmp(key, "lo")) c->loopback_up = v[0][0] == '1';
        else if (!strcmp(key, "uid")) c->uid = (uid_t)num(v[0], key);
        else if (!strcmp(key, "gid")) c->gid = (gid_t)num(v[0], key);
        else if (!strcmp(key, "group")) vec_push(&c->groups, &(gid_t){(gid_t)num(v[0], key)});
        else if (!strcmp(key, "caps")) {
            c->cap_bounding = num(v[0], key);
            c->cap_effective = num(v[1], key);
            c->cap_permitted = num(v[2], key);
            c->cap_inheritable = num(v[3], key);
            c->cap_ambient = num(v[4], key);
            c->has_caps = true;
        }
        else if (!strcmp(key, "nnp")) c->no_new_privs = v[0][0] == '1';
        else if (!strcmp(key, "rlimit"))
            vec_push(&c->rlimits, &(struct stage_rlimit){(int)num(v[0], key), num(v[1], key), num(v[2], key)});
        else if (!strcmp(key, "oom")) c->oom_score_adj = v[0];
        else if (!strcmp(key, "cwd")) c->cwd = v[0];
        else if (!strcmp(key, "env")) vec_push(&c->env, &v[0]);
        else if (!strcmp(key, "arg")) vec_push(&c->argv, &v[0]);
        else if (!strcmp(key, "init")) c->init = v[0][0] == '1';
        else if (!strcmp(key, "tty")) c->tty = v[0][0] == '1';
        else if (!strcmp(key, "console")) {
            c->console_rows = (unsigned short)num(v[0], key);
            c->console_cols = (unsigned short)num(v[1], key);
        }
    }
    if (c->argv.len == 0) fail(EXIT_ENGINE, "config: no command given");
    const char *null = NULL;
    vec_push(&c->env, &null);
    vec_push(&c->argv, &null);
}
