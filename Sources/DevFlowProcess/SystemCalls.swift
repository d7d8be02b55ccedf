#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Linux calls and constants that Swift's Glibc module does not import (they sit behind `_GNU_SOURCE` or in
/// headers outside the module map). They are looked up once with `dlsym`, so a libc without one of them still
/// works through a documented fallback instead of failing to link.
enum SystemCalls {
    /// `POSIX_SPAWN_SETSID` (glibc ≥ 2.26): the child calls `setsid()`, so it leads a new session and a new
    /// process group whose id is its pid.
    static let spawnSetSID: Int32 = 0x80
    /// `EFD_CLOEXEC | EFD_NONBLOCK` for `eventfd` (same values as `O_CLOEXEC | O_NONBLOCK`).
    static let eventFDFlags: Int32 = O_CLOEXEC | O_NONBLOCK

    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?)
        -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    typealias EventFD = @convention(c) (UInt32, Int32) -> Int32
    typealias PidFDOpen = @convention(c) (pid_t, UInt32) -> Int32

    private static func lookup<F>(_ name: String, as type: F.Type) -> F? {
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    /// `pipe2` (glibc ≥ 2.9).
    static let pipe2 = lookup("pipe2", as: Pipe2.self)
    /// `posix_spawn_file_actions_addchdir_np` (glibc ≥ 2.29).
    static let addChdir = lookup("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc ≥ 2.34).
    static let addCloseFrom = lookup(
        "posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self)
    /// `eventfd` (glibc ≥ 2.8).
    static let eventFD = lookup("eventfd", as: EventFD.self)
    /// `pidfd_open` (glibc ≥ 2.36, Linux ≥ 5.3).
    static let pidFDOpen = lookup("pidfd_open", as: PidFDOpen.self)

    /// Nanoseconds on `CLOCK_MONOTONIC`.
    static func monotonicNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// A duration in nanoseconds, saturating at `Int64.max` (negative durations count as 0).
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        let (total, overflow2) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? .max : total
    }

    /// A pipe whose two ends are close-on-exec and numbered above 2 (so the child's `dup2`s onto 0, 1 and 2
    /// cannot clobber them even when the parent runs with a standard descriptor closed).
    static func makePipe() throws(Errno) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        if let pipe2 {
            guard pipe2(&fds, O_CLOEXEC) == 0 else { throw Errno(errno) }
        } else {
            // No pipe2: a concurrent fork elsewhere could inherit these two until FD_CLOEXEC is set.
            guard pipe(&fds) == 0 else { throw Errno(errno) }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        }
        do {
            return (try raiseAboveStandard(fds[0]), try raiseAboveStandard(fds[1]))
        } catch {
            closeIgnoringErrors(fds[0])
            closeIgnoringErrors(fds[1])
            throw error
        }
    }

    /// `fd` itself when > 2, else a close-on-exec duplicate ≥ 3 (and `fd` is closed).
    private static func raiseAboveStandard(_ fd: Int32) throws(Errno) -> Int32 {
        if fd > 2 { return fd }
        let raised = fcntl(fd, F_DUPFD_CLOEXEC, 3)
        guard raised >= 0 else { throw Errno(errno) }
        closeIgnoringErrors(fd)
        return raised
    }

    /// A non-blocking, close-on-exec wake-up descriptor: `eventfd` when available, else a pipe.
    /// Returns (read end, write end); they are the same descriptor for an eventfd.
    static func makeWakeUp() throws(Errno) -> (read: Int32, write: Int32) {
        if let eventFD {
            let fd = eventFD(0, eventFDFlags)
            guard fd >= 0 else { throw Errno(errno) }
            return (fd, fd)
        }
        let ends = try makePipe()
        _ = fcntl(ends.read, F_SETFL, O_NONBLOCK)
        _ = fcntl(ends.write, F_SETFL, O_NONBLOCK)
        return ends
    }

    /// Signals the wake-up descriptor (8 bytes is what an eventfd wants; a pipe takes them too).
    static func wake(_ fd: Int32) {
        var one: UInt64 = 1
        while write(fd, &one, 8) < 0 && errno == EINTR {}
    }

    /// Empties the wake-up descriptor.
    static func drainWakeUp(_ fd: Int32) {
        var sink: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        while true {
            let count = withUnsafeMutableBytes(of: &sink) { read(fd, $0.baseAddress, $0.count) }
            if count > 0 { continue }
            if count < 0 && errno == EINTR { continue }
            return
        }
    }

    /// `close`, never retried: on Linux the descriptor is released even when `close` reports `EINTR`.
    static func closeIgnoringErrors(_ fd: Int32) {
        if fd >= 0 { _ = close(fd) }
    }

    /// Whether `pid` (our unreaped child) has exited, without reaping it (`waitid` with `WNOWAIT`).
    static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        while true {
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 {
                // WNOHANG with no state change leaves si_pid at 0.
                return info._sifields._sigchld.si_pid == pid
            }
            if errno == EINTR { continue }
            return errno == ECHILD  // Someone else reaped it: it is certainly gone.
        }
    }

    /// Reaps `pid` (blocking, EINTR-safe) and decodes its status as (exit code, signal).
    static func reap(_ pid: pid_t) -> (exitCode: Int32?, signal: Int32?) {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, 0)
            if result == pid { break }
            if result < 0 && errno == EINTR { continue }
            return (nil, nil)  // ECHILD: reaped elsewhere (e.g. a SIGCHLD handler set to SIG_IGN).
        }
        let low = status & 0x7f
        if low == 0 { return ((status >> 8) & 0xff, nil) }  // WIFEXITED
        if low != 0x7f { return (nil, low) }  // WIFSIGNALED
        return (nil, nil)  // Stopped: cannot happen without WUNTRACED.
    }
}

/// An `errno` value carried through typed throws.
struct Errno: Error {
    var code: Int32
    init(_ code: Int32) { self.code = code }
}
