#include "CGit2Shim.h"

#include <git2.h>

int devflow_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

int devflow_git_version(int *major, int *minor, int *revision) {
    return git_libgit2_version(major, minor, revision);
}
