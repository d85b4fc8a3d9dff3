/* The Berth stage: the small single-threaded C program that creates and enters containers before the
 * .NET runtime starts (see native/README.md and DESIGN.md). Everything here runs between fork and exec
 * of one container process; it allocates little and never returns to the caller's runtime. */
#ifndef BERTH_STAGE_H
#define BERTH_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define STAGE_MARKER "__berth-stage"
#define CONFIG_FD 3 /* the records written by the engine, read to EOF */
#define SYNC_FD 4   /* SOCK_SEQPACKET to the engine: "P pid", "T" + pty fd, "E code msg"; 'G' back */

/* Exit codes the engine maps as docker does. */
#define EXIT_ENGINE 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

struct stage_mount {
    const char *type, *source, *target, *data;
    unsigned long flags, propagation;
};

struct stage_device {
    const char *path;
    char type; /* 'c' or 'b' */
    unsigned major, minor, mode;
    uid_t uid;
    gid_t gid;
};

struct stage_link {
    const char *target, *path;
};

struct stage_rlimit {
    int resource;
    uint64_t soft, hard;
};

struct stage_setns {
    int type; /* CLONE_NEW* */
    const char *path;
};

/* A list of pointers into the config buffer; grows by doubling. */
struct vec {
    void *items;
    size_t len, cap, size;
};

struct stage_config {
    int unshare_flags;
    struct vec setns;   /* struct stage_setns */
    struct vec cgroups; /* const char * (cgroup.procs files) */
    const char *hostname;
    const char *rootfs; /* the bundle's rootfs directory: the mount target and the new root */
    struct stage_mount root_mount;
    bool has_root_mount;
    unsigned long root_propagation;
    bool readonly_root;
    struct vec mounts;  /* struct stage_mount, in order */
    struct vec devices; /* struct stage_device */
    struct vec links;   /* struct stage_link */
    struct vec masked;  /* const char * */
    struct vec readonly;
    bool loopback_up;
    uid_t uid;
    gid_t gid;
    struct vec groups; /* gid_t */
    uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
    bool has_caps;
    bool no_new_privs;
    struct vec rlimits; /* struct stage_rlimit */
    const char *oom_score_adj;
    const char *cwd;
    struct vec env;  /* const char *, NULL-terminated when used */
    struct vec argv; /* const char *, NULL-terminated when used */
    bool init;       /* run a reaper as PID 1 that forwards signals to the payload */
    bool tty;        /* make a pty in the container's devpts and send its master to the engine */
    unsigned short console_rows, console_cols;
};

/* config.c */
void config_read(int fd, struct stage_config *cfg);
void vec_push(struct vec *v, const void *item);
#define VEC_AT(v, type, i) (((type *)(v).items)[i])

/* util.c */
_Noreturn void fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void fail_errno(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sync_send(const char *msg, int fd_to_pass);
void sync_wait_go(void);
void write_file(const char *path, const char *text);

/* rootfs.c: inside the new mount namespace, before the payload runs */
void rootfs_setup(const struct stage_config *cfg);
void rootfs_finish(const struct stage_config *cfg);
void loopback_up(void);

/* process.c: what turns a stage process into the container's process */
void tty_create_and_send(const struct stage_config *cfg);
void process_prepare(const struct stage_config *cfg);
_Noreturn void process_exec(const struct stage_config *cfg);
_Noreturn void init_run(const struct stage_config *cfg);

/* modes */
_Noreturn void mode_create(struct stage_config *cfg);
_Noreturn void mode_exec(struct stage_config *cfg);

#endif
