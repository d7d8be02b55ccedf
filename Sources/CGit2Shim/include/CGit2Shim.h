#ifndef DEVFLOW_CGIT2_SHIM_H
#define DEVFLOW_CGIT2_SHIM_H

/// Non-variadic wrappers around the libgit2 calls Swift cannot make directly.

/// Turns libgit2's repository owner validation off (0) or on (1) for the whole process:
/// git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled). Returns 0 on success, < 0 on error.
int devflow_git_set_owner_validation(int enabled);

/// The libgit2 version the process runs against, as major, minor and revision.
int devflow_git_version(int *major, int *minor, int *revision);

#endif
