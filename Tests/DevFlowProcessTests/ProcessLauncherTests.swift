import Dispatch
import Foundation
import Testing

@testable import DevFlowProcess

/// Collects what a run printed, per stream.
final class Capture: @unchecked Sendable {
    var stdout: [String] = []
    var stderr: [String] = []
    var chunks: [OutputLine] = []

    func record(_ line: OutputLine) {
        chunks.append(line)
        if line.stream == .stdout { stdout.append(line.text) } else { stderr.append(line.text) }
    }
}

/// Runs `script` with bash, capturing its output.
func bash(
    _ script: String, timeout: Duration? = nil, killGrace: Duration = .seconds(5), drainGrace: Duration = .seconds(2),
    options: ProcessLauncher.Options = .init(), onStart: (RunningProcess) -> Void = { _ in },
    onLine: ((OutputLine, RunningProcess?) -> Void)? = nil
) throws -> (ProcessOutcome, Capture) {
    let spec = ProcessSpec(
        executable: "/bin/bash", arguments: ["-c", script], timeout: timeout, killGrace: killGrace,
        drainGrace: drainGrace)
    let capture = Capture()
    var running: RunningProcess?
    let outcome = try ProcessLauncher.run(
        spec, options: options,
        onStart: {
            running = $0
            onStart($0)
        },
        onLine: { line in
            capture.record(line)
            onLine?(line, running)
        })
    return (outcome, capture)
}

/// Whether `pid` is gone: no such process, or a zombie waiting for a reaper that is not us.
func processIsGone(_ pid: pid_t) -> Bool {
    if kill(pid, 0) != 0 && errno == ESRCH { return true }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
    guard let close = stat.lastIndex(of: ")") else { return false }
    return stat[stat.index(close, offsetBy: 2)] == "Z"
}

/// Polls `processIsGone` for up to a second.
func waitUntilGone(_ pid: pid_t) -> Bool {
    for _ in 0..<100 {
        if processIsGone(pid) { return true }
        usleep(10_000)
    }
    return false
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

@Suite struct ExitAndOutputTests {
    @Test func exitCodes() throws {
        let (zero, _) = try bash("exit 0")
        #expect(
            zero == ProcessOutcome(exitCode: 0, signal: nil, timedOut: false, cancelled: false, duration: zero.duration)
        )
        #expect(zero.succeeded)
        let (three, _) = try bash("exit 3")
        #expect(three.exitCode == 3)
        #expect(three.signal == nil)
        #expect(!three.succeeded)
    }

    @Test func linesInOrderPerStream() throws {
        let (outcome, capture) = try bash("for i in $(seq 1 500); do echo out$i; echo err$i >&2; done; printf tail")
        #expect(outcome.exitCode == 0)
        #expect(capture.stdout == (1...500).map { "out\($0)" } + ["tail"])
        #expect(capture.stderr == (1...500).map { "err\($0)" })
        #expect(capture.chunks.allSatisfy { $0.isComplete })
    }

    @Test func emptyLinesAndCarriageReturnsAreKept() throws {
        let (_, capture) = try bash("printf 'a\\n\\n\\r\\nb\\r\\n'")
        #expect(capture.stdout == ["a", "", "\r", "b\r"])
    }

    @Test func environmentIsExactlyTheSpecs() throws {
        let spec = ProcessSpec(executable: "/usr/bin/env", environment: ["A": "1", "B": "two words", "C": "x=y"])
        let capture = Capture()
        let outcome = try ProcessLauncher.run(spec, onLine: capture.record)
        #expect(outcome.exitCode == 0)
        #expect(capture.stdout.sorted() == ["A=1", "B=two words", "C=x=y"])
    }

    @Test func defaultEnvironmentIsInherited() throws {
        let spec = ProcessSpec(executable: "/bin/bash", arguments: ["-c", "echo \"$PATH\""])
        let capture = Capture()
        _ = try ProcessLauncher.run(spec, onLine: capture.record)
        #expect(capture.stdout == [ProcessInfo.processInfo.environment["PATH"] ?? ""])
    }

    /// The three ways of starting a child: devflow_spawn, posix_spawn with addchdir, posix_spawn and a trampoline.
    static let starters: [(fast: Bool, addChdir: Bool)] = [(true, true), (false, true), (false, false)]

    static func options(_ starter: (fast: Bool, addChdir: Bool)) -> ProcessLauncher.Options {
        var options = ProcessLauncher.Options()
        options.useFastSpawn = starter.fast
        options.useAddChdir = starter.addChdir
        return options
    }

    @Test(arguments: starters) func workingDirectory(starter: (fast: Bool, addChdir: Bool)) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "devflow-process-\(getpid())-\(starter.fast)-\(starter.addChdir)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let real = directory.resolvingSymlinksInPath().path
        let spec = ProcessSpec(executable: "/bin/pwd", arguments: ["-P"], workingDirectory: real)
        let capture = Capture()
        let outcome = try ProcessLauncher.run(
            spec, options: Self.options(starter), onStart: { _ in }, onLine: capture.record)
        #expect(outcome.exitCode == 0)
        #expect(capture.stdout == [real])
        #expect(capture.stderr == [])
    }

    @Test(arguments: starters) func missingWorkingDirectoryThrows(starter: (fast: Bool, addChdir: Bool)) throws {
        let spec = ProcessSpec(executable: "/bin/true", workingDirectory: "/nonexistent/devflow-dir")
        let error = #expect(throws: ProcessLaunchError.self) {
            try ProcessLauncher.run(spec, options: Self.options(starter), onStart: { _ in }, onLine: { _ in })
        }
        #expect(error?.operation == "chdir")
        #expect(error?.code == ENOENT)
        #expect(error?.description.contains("/nonexistent/devflow-dir") == true)
    }

    @Test func stdinIsDevNull() throws {
        let start = ContinuousClock.now
        let cat = try ProcessLauncher.run(ProcessSpec(executable: "/bin/cat"), onLine: { _ in Issue.record("output") })
        #expect(cat.exitCode == 0)
        #expect(ContinuousClock.now - start < .seconds(2))
        let (read, capture) = try bash("read line; echo $?; readlink /proc/self/fd/0")
        #expect(read.exitCode == 0)
        #expect(capture.stdout == ["1", "/dev/null"])
    }

    @Test(arguments: [true, false]) func ownProcessGroup(fast: Bool) throws {
        var pid: pid_t = 0
        var options = ProcessLauncher.Options()
        options.useFastSpawn = fast
        // Fields 5 and 6 of /proc/PID/stat: process group and session.
        let (_, capture) = try bash(
            "echo $$; cut -d' ' -f5,6 /proc/$$/stat", options: options, onStart: { pid = $0.pid })
        // posix_spawn always makes a session; devflow_spawn only when the runner has a terminal to keep it from.
        let session = !fast || FastSpawn.hasControllingTerminal ? pid : getsid(0)
        #expect(capture.stdout == ["\(pid)", "\(pid) \(session)"])
    }

    @Test(arguments: [true, false]) func defaultDispositionsAndAnEmptyMask(fast: Bool) throws {
        // Ignored and blocked here; the child must see neither. SIGVTALRM because no other test uses it: the
        // disposition is process-wide, and a test in another suite that kills a child with SIGUSR1 runs in parallel.
        let previous = signal(SIGVTALRM, SIG_IGN)
        defer { signal(SIGVTALRM, previous) }
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGUSR2)
        var mask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &mask)
        defer { pthread_sigmask(SIG_SETMASK, &mask, nil) }
        usleep(1_100_000)  // the dispositions are looked up at most once a second
        var options = ProcessLauncher.Options()
        options.useFastSpawn = fast
        let (_, capture) = try bash("grep -E '^Sig(Blk|Ign)' /proc/$$/status", options: options)
        #expect(capture.stdout.first == "SigBlk:\t0000000000000000")
        // glibc keeps its two internal real-time signals (32, 33) to itself; the standard ones must all be default.
        let ignored = UInt64(capture.stdout.last?.split(separator: "\t").last ?? "", radix: 16)
        #expect(ignored.map { $0 & 0x7FFF_FFFF } == 0)
    }

    @Test func aMissingExecutableIsAnErrorOfTheFastPath() {
        let error = #expect(throws: ProcessLaunchError.self) {
            try ProcessLauncher.run(ProcessSpec(executable: "/nonexistent/tool"), onLine: { _ in })
        }
        #expect(error?.code == ENOENT)
        #expect(error?.description == "cannot run /nonexistent/tool: No such file or directory (errno 2)")
    }

    @Test func onlyTheStandardDescriptorsAreInherited() throws {
        let leaky = open("/dev/null", O_RDONLY)  // Deliberately without O_CLOEXEC.
        defer { close(leaky) }
        // `; true` keeps bash from exec'ing ls, so $$ is still the shell.
        let (_, capture) = try bash("ls /proc/$$/fd; true")
        #expect(capture.stdout.sorted() == ["0", "1", "2"])
    }

    @Test func missingExecutableThrows() {
        let path = "/nonexistent/devflow-no-such-tool"
        let error = #expect(throws: ProcessLaunchError.self) {
            try ProcessLauncher.run(ProcessSpec(executable: path), onLine: { _ in })
        }
        #expect(error?.code == ENOENT)
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("No such file or directory") == true)
    }

    @Test func nonExecutableThrows() {
        let error = #expect(throws: ProcessLaunchError.self) {
            try ProcessLauncher.run(ProcessSpec(executable: "/etc/passwd"), onLine: { _ in })
        }
        #expect(error?.code == EACCES)
        #expect(error?.description.contains("/etc/passwd") == true)
    }

    @Test func noDescriptorsLeakAcrossRuns() throws {
        let before = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        for _ in 0..<20 { _ = try bash("echo x; exit 1") }
        for _ in 0..<5 { _ = try? ProcessLauncher.run(ProcessSpec(executable: "/nonexistent"), onLine: { _ in }) }
        let after = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        // Other tests run in parallel and open descriptors of their own: allow some slack, catch a per-run leak.
        #expect(after - before < 20)
    }
}

@Suite struct SignalTests {
    @Test func killedBySignal() throws {
        let (outcome, _) = try bash("kill -USR1 $$")
        #expect(outcome.exitCode == nil)
        #expect(outcome.signal == SIGUSR1)
        #expect(!outcome.timedOut && !outcome.cancelled)
    }

    @Test(arguments: [true, false]) func timeoutSendsTerm(pidFD: Bool) throws {
        var options = ProcessLauncher.Options()
        options.usePidFD = pidFD
        let (outcome, _) = try bash("sleep 30", timeout: .milliseconds(200), options: options)
        #expect(outcome.timedOut)
        #expect(!outcome.cancelled)
        #expect(outcome.signal == SIGTERM)
        #expect(outcome.duration >= .milliseconds(200))
        #expect(outcome.duration < .seconds(1.2))
    }

    @Test func termIgnoredThenKill() throws {
        let (outcome, _) = try bash(
            "trap '' TERM; sleep 30; echo not-reached", timeout: .milliseconds(200), killGrace: .milliseconds(300))
        #expect(outcome.timedOut)
        #expect(outcome.signal == SIGKILL)
        #expect(outcome.duration >= .milliseconds(500))
        #expect(outcome.duration < .seconds(1.5))
    }

    @Test func gracefulCancelFromAnotherThread() throws {
        let (outcome, _) = try bash(
            "sleep 30",
            onStart: { process in
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { process.cancel(graceful: true) }
            })
        #expect(outcome.cancelled)
        #expect(!outcome.timedOut)
        #expect(outcome.signal == SIGTERM)
        #expect(outcome.duration < .seconds(1))
    }

    @Test func cancelInOnStartKillsAtOnce() throws {
        let (outcome, capture) = try bash("trap '' TERM; sleep 30", onStart: { $0.cancel(graceful: false) })
        #expect(outcome.cancelled)
        #expect(outcome.signal == SIGKILL)
        #expect(capture.stdout == [])
        #expect(outcome.duration < .seconds(1))
    }

    @Test func nonGracefulCancelEscalates() throws {
        let (outcome, _) = try bash(
            "trap '' TERM; echo ready; sleep 30", killGrace: .seconds(20),
            onLine: { _, process in
                process?.cancel(graceful: true)
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { process?.cancel(graceful: false) }
            })
        #expect(outcome.cancelled)
        #expect(outcome.signal == SIGKILL)
        #expect(outcome.duration < .seconds(2))
    }

    @Test func cancelAfterTheRunDoesNothing() throws {
        var kept: RunningProcess?
        let (outcome, _) = try bash("exit 0", onStart: { kept = $0 })
        kept?.cancel(graceful: false)
        kept?.cancel(graceful: true)
        #expect(outcome.exitCode == 0)
        #expect(!outcome.cancelled)
    }
}

@Suite struct ProcessGroupTests {
    /// Runs a script whose first stdout line is a background grandchild's pid; returns it and the outcome.
    func grandchild(
        _ script: String, timeout: Duration? = nil, killGrace: Duration = .seconds(5),
        drainGrace: Duration = .seconds(2), cancel: Bool? = nil, options: ProcessLauncher.Options = .init()
    ) throws -> (ProcessOutcome, pid_t) {
        let (outcome, capture) = try bash(
            script, timeout: timeout, killGrace: killGrace, drainGrace: drainGrace, options: options,
            onLine: { _, process in
                if let cancel { process?.cancel(graceful: cancel) }
            })
        let pid = try #require(capture.stdout.first.flatMap { pid_t($0) })
        return (outcome, pid)
    }

    @Test(arguments: [true, false]) func cancelKillsTheGrandchild(graceful: Bool) throws {
        let (outcome, pid) = try grandchild("sleep 30 & echo $!; wait", cancel: graceful)
        #expect(outcome.cancelled)
        #expect(outcome.duration < .seconds(1))
        #expect(waitUntilGone(pid))
    }

    @Test func timeoutKillsAGrandchildThatIgnoresTerm() throws {
        let (outcome, pid) = try grandchild(
            "(trap '' TERM; exec sleep 30) & echo $!; wait", timeout: .milliseconds(200),
            killGrace: .milliseconds(300))
        #expect(outcome.timedOut)
        #expect(outcome.signal == SIGTERM)  // The shell died of the TERM; its child needed the KILL.
        #expect(outcome.duration < .seconds(1.5))
        #expect(waitUntilGone(pid))
    }

    @Test(arguments: [true, false]) func grandchildHoldingThePipesIsKilledAfterTheDrainGrace(pidFD: Bool) throws {
        var options = ProcessLauncher.Options()
        options.usePidFD = pidFD
        let (outcome, pid) = try grandchild(
            "sleep 30 & echo $!", drainGrace: .milliseconds(300), options: options)
        #expect(outcome.exitCode == 0)
        #expect(!outcome.timedOut && !outcome.cancelled)
        #expect(outcome.duration >= .milliseconds(300))
        #expect(outcome.duration < .seconds(1.5))
        #expect(waitUntilGone(pid))
    }

    @Test func backgroundChildWithoutThePipesIsKilledWhenTheStepEnds() throws {
        let (outcome, pid) = try grandchild("sleep 30 >/dev/null 2>&1 & echo $!")
        #expect(outcome.exitCode == 0)
        #expect(outcome.duration < .seconds(1))
        #expect(waitUntilGone(pid))
    }

    @Test func outputOfALingeringGrandchildIsStillRead() throws {
        let (outcome, capture) = try bash("(sleep 0.2; echo late) & echo early", drainGrace: .seconds(5))
        #expect(outcome.exitCode == 0)
        #expect(capture.stdout == ["early", "late"])
    }
}

@Suite struct LargeOutputTests {
    @Test func oneMegabyteLineIsChunked() throws {
        let size = 1 << 20
        let limit = 64 * 1024
        let (outcome, capture) = try bash("head -c \(size) /dev/zero | tr '\\0' x; echo; echo after")
        #expect(outcome.exitCode == 0)
        let chunks = capture.chunks.filter { $0.stream == .stdout }
        #expect(chunks.count == size / limit + 1)
        #expect(chunks.dropLast(2).allSatisfy { $0.bytes.count == limit && !$0.isComplete })
        #expect(chunks.dropLast().reduce(0) { $0 + $1.bytes.count } == size)
        #expect(chunks.dropLast().allSatisfy { $0.bytes.allSatisfy { $0 == UInt8(ascii: "x") } })
        #expect(chunks[chunks.count - 2].isComplete)
        #expect(chunks.last?.text == "after")
    }

    @Test func longFinalLineWithoutNewline() throws {
        let spec = ProcessSpec(
            executable: "/bin/bash", arguments: ["-c", "head -c 1000000 /dev/zero | tr '\\0' y"], maximumLineBytes: 3000
        )
        var sizes: [Int] = []
        var completes: [Bool] = []
        let outcome = try ProcessLauncher.run(spec) { line in
            sizes.append(line.bytes.count)
            completes.append(line.isComplete)
        }
        #expect(outcome.exitCode == 0)
        #expect(sizes.reduce(0, +) == 1_000_000)
        #expect(sizes.dropLast().allSatisfy { $0 == 3000 })
        #expect(sizes.last == 1_000_000 % 3000)
        #expect(completes.filter { $0 }.count == 1 && completes.last == true)
    }

    @Test func invalidUTF8IsDeliveredIntact() throws {
        let (_, capture) = try bash("printf '\\xff\\xfe\\x80ok\\xc3\\n\\xed\\xa0\\x80'")
        let lines = capture.chunks.map { Array($0.bytes) }
        #expect(lines == [[0xFF, 0xFE, 0x80, 0x6F, 0x6B, 0xC3], [0xED, 0xA0, 0x80]])
        #expect(capture.stdout[0] == "\u{FFFD}\u{FFFD}\u{FFFD}ok\u{FFFD}")
    }

    @Test func twoHundredMegabytesInBoundedMemory() throws {
        func peakKilobytes() -> Int {
            var usage = rusage()
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
            return usage.ru_maxrss
        }
        func residentKilobytes() -> Int {
            let fields = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8))?.split(separator: " ")
            return (fields.flatMap { $0.count > 1 ? Int($0[1]) : nil } ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
        }
        let before = peakKilobytes()
        let residentBefore = residentKilobytes()
        var residentMax = residentBefore
        var lines = 0
        var bytes = 0
        var wrong = 0
        let spec = ProcessSpec(
            executable: "/bin/bash",
            arguments: ["-c", "head -c 200000000 /dev/zero | tr '\\0' a | fold -w 100"])
        let outcome = try ProcessLauncher.run(spec) { line in
            lines += 1
            if lines % 100_000 == 0 { residentMax = max(residentMax, residentKilobytes()) }
            bytes += line.bytes.count
            if line.bytes.count != 100 || line.stream != .stdout { wrong += 1 }
        }
        let growth = peakKilobytes() - before
        print(
            "200 MB of output: peak RSS grew by \(growth) KiB, resident by at most \(residentMax - residentBefore) KiB;"
                + " \(seconds(outcome.duration)) s")
        #expect(outcome.exitCode == 0)
        #expect(lines == 2_000_000)
        #expect(bytes == 200_000_000)
        #expect(wrong == 0)
        #expect(growth < 64 * 1024)
        #expect(residentMax - residentBefore < 64 * 1024)
    }
}

@Suite struct ConcurrencyTests {
    @Test func eightAtOnce() throws {
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var byIndex: [Int: (ProcessOutcome, [String], [String])] = [:]
            var errors: [String] = []
        }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            do {
                let (outcome, capture) = try bash(
                    "for i in $(seq 1 2000); do echo \(index)-$i; done; echo done-\(index) >&2; sleep 0.1; exit \(index)"
                )
                results.lock.withLock { results.byIndex[index] = (outcome, capture.stdout, capture.stderr) }
            } catch {
                results.lock.withLock { results.errors.append("\(error)") }
            }
        }
        #expect(results.errors.isEmpty)
        #expect(results.byIndex.count == 8)
        for (index, (outcome, stdout, stderr)) in results.byIndex {
            #expect(outcome.exitCode == Int32(index))
            #expect(stdout == (1...2000).map { "\(index)-\($0)" })
            #expect(stderr == ["done-\(index)"])
        }
    }

    @Test func spawnOverhead() throws {
        let spec = ProcessSpec(executable: "/bin/true", environment: ProcessSpec.currentEnvironment())
        let count = 1000
        for _ in 0..<20 { _ = try ProcessLauncher.run(spec, onLine: { _ in }) }  // Warm up.
        let start = ContinuousClock.now
        for _ in 0..<count {
            let outcome = try ProcessLauncher.run(spec, onLine: { _ in })
            #expect(outcome.exitCode == 0)
        }
        let elapsed = ContinuousClock.now - start
        print(
            "spawn overhead: \(count) × /bin/true in \(seconds(elapsed)) s = \(seconds(elapsed) / Double(count) * 1e6) µs each"
        )
    }
}
