#ifndef DEVFLOW_SPAWN_H
#define DEVFLOW_SPAWN_H

#include <sys/types.h>

/// What to start: the executable, its argument and environment vectors (NULL-terminated), the three descriptors the
/// child gets as 0, 1 and 2, an optional working directory, and the signals whose disposition the child resets to
/// the default before it executes (every signal the parent ignores or handles).
typedef struct {
    const char *path;
    char *const *argv;
    char *const *envp;
    int stdin_fd;
    int stdout_fd;
    int stderr_fd;
    const char *working_directory;
    /// 1: the child calls setsid() (a new session and process group); 0: setpgid(0, 0) (a new process group).
    int new_session;
    const int *reset_signals;
    int reset_count;
    /// > 0: the child's RLIMIT_DATA (soft and hard, bytes: heap and private writable mappings) before it executes;
    /// 0: inherited.
    long long memory_limit;
} devflow_spawn_request;

/// Where a failed start failed, for the error message.
enum {
    DEVFLOW_SPAWN_STAGE_FORK = 1,
    DEVFLOW_SPAWN_STAGE_SESSION = 2,
    DEVFLOW_SPAWN_STAGE_DESCRIPTORS = 3,
    DEVFLOW_SPAWN_STAGE_CHDIR = 4,
    DEVFLOW_SPAWN_STAGE_EXEC = 5,
    DEVFLOW_SPAWN_STAGE_LIMIT = 6,
};

/// Starts the child with vfork semantics (the calling thread waits until the child has executed or failed) and the
/// fewest system calls: no per-signal loop, no file-action bookkeeping, no stack mapped per call. Returns the pid,
/// or -1 with *error set to the errno and *stage to the step that failed (the failed child is already reaped).
pid_t devflow_spawn(const devflow_spawn_request *request, int *error, int *stage);

/// fork(): for a fork server, which forks itself (single-threaded) instead of executing a new program per call. Swift
/// does not import fork. Returns what fork returns.
pid_t devflow_fork(void);

/// prctl(PR_SET_PDEATHSIG, signal): this process gets `signal` when its parent thread ends. Returns 0 or -1 (errno).
int devflow_set_parent_death_signal(int signal);

#endif
