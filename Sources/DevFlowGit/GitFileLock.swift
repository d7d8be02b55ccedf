import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive `flock(2)` on a lock file, held until `release()` (or until the process dies, when the kernel
/// drops it: a crash never leaves a mirror locked).
///
/// Each lock opens the file anew, so two threads of one process exclude each other as two processes do.
final class GitFileLock {
    private var descriptor: Int32

    /// Creates `path` if needed and blocks until this process holds the exclusive lock on it.
    init(path: String) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw GitError(
                .unusableDirectory,
                "cannot open the lock file '\(path)': \(String(cString: strerror(errno))); check that its "
                    + "directory exists and is writable")
        }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw GitError(.unusableDirectory, "cannot lock '\(path)': \(reason)")
            }
        }
        self.descriptor = descriptor
    }

    /// Releases the lock; later calls do nothing.
    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
