/* The entry: an ELF constructor that runs before the .NET runtime starts. Unless argv[1] is the stage
 * marker it returns at once and berth starts normally; otherwise it never returns. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "stage.h"

__attribute__((constructor)) static void berth_stage_entry(int argc, char **argv, char **envp)
{
    (void)envp;
    if (argc < 3 || strcmp(argv[1], STAGE_MARKER) != 0) return;
    /* Not dumpable: a container process cannot open /proc/<pid>/exe (the host's berth) while we are
     * inside it. exec resets this for the payload. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    /* The engine learns that exec succeeded when the sync socket closes: no exec'd process may keep it. */
    fcntl(SYNC_FD, F_SETFD, FD_CLOEXEC);
    static struct stage_config cfg;
    config_read(CONFIG_FD, &cfg);
    close(CONFIG_FD);
    if (strcmp(argv[2], "create") == 0) mode_create(&cfg);
    if (strcmp(argv[2], "exec") == 0) mode_exec(&cfg);
    fail(EXIT_ENGINE, "unknown stage mode '%s'", argv[2]);
}
