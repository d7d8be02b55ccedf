#define _GNU_SOURCE
#include "devflow_spawn.h"

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* The child runs on the parent's memory until it executes (vfork): it only makes system calls and reports a failure
   through the two volatile variables on the parent's stack, then leaves with _exit. Every signal is blocked from
   before the fork until just before execve, and the dispositions the parent set (handlers, SIG_IGN) are reset
   first, so no parent handler can run in the child. */
pid_t devflow_spawn(const devflow_spawn_request *request, int *error, int *stage) {
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    volatile int child_error = 0;
    volatile int child_stage = 0;
    pid_t pid = vfork();
    if (pid == 0) {
        if ((request->new_session ? setsid() : setpgid(0, 0)) < 0) {
            child_error = errno;
            child_stage = DEVFLOW_SPAWN_STAGE_SESSION;
            _exit(127);
        }
        if (dup2(request->stdin_fd, 0) < 0 || dup2(request->stdout_fd, 1) < 0 || dup2(request->stderr_fd, 2) < 0) {
            child_error = errno;
            child_stage = DEVFLOW_SPAWN_STAGE_DESCRIPTORS;
            _exit(127);
        }
        /* Everything above 2 is close-on-exec by convention; close_range (Linux >= 5.9) makes sure. */
        syscall(SYS_close_range, 3U, ~0U, 0U);
        if (request->working_directory != NULL && chdir(request->working_directory) < 0) {
            child_error = errno;
            child_stage = DEVFLOW_SPAWN_STAGE_CHDIR;
            _exit(127);
        }
        if (request->memory_limit > 0) {
            struct rlimit limit = {(rlim_t)request->memory_limit, (rlim_t)request->memory_limit};
            if (setrlimit(RLIMIT_DATA, &limit) < 0) {
                child_error = errno;
                child_stage = DEVFLOW_SPAWN_STAGE_LIMIT;
                _exit(127);
            }
        }
        struct sigaction standard = {0};
        standard.sa_handler = SIG_DFL;
        for (int index = 0; index < request->reset_count; index++) {
            sigaction(request->reset_signals[index], &standard, NULL);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(request->path, request->argv, request->envp);
        child_error = errno;
        child_stage = DEVFLOW_SPAWN_STAGE_EXEC;
        _exit(127);
    }
    int fork_error = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (pid < 0) {
        *error = fork_error;
        *stage = DEVFLOW_SPAWN_STAGE_FORK;
        return -1;
    }
    if (child_stage != 0) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        *error = child_error;
        *stage = child_stage;
        return -1;
    }
    return pid;
}

pid_t devflow_fork(void) { return fork(); }

int devflow_set_parent_death_signal(int signal) { return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0, 0, 0); }
