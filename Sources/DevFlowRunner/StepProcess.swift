import DevFlowGraph
import DevFlowProcess
import Foundation

/// Launches one attempt's process (its own session and process group), streams its lines to the invocation,
/// wires cancellation, and reads `$DEVFLOW_OUTPUT`. Shared by hook steps and command agents.
struct StepProcess {
    /// What came back.
    enum Result {
        /// The process could not be started.
        case notStarted(String)
        /// It ran: how it ended, what it wrote to stdout (when captured) and its outputs.
        case finished(ProcessOutcome, stdout: [String], outputs: [String: String])
    }

    let invocation: StepInvocation
    let killGrace: Double

    /// The run's scratch directory for the outputs file and an agent's context.
    var scratch: String { invocation.scratchDirectory }

    var slug: String {
        var bytes = Array(invocation.node.id.utf8)
        for index in bytes.indices {
            let byte = bytes[index]
            let isAlphanumeric = (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
            if !isAlphanumeric { bytes[index] = 95 }  // "_" (non-ASCII letters too: file names stay ASCII)
        }
        return String(decoding: bytes, as: UTF8.self) + "-\(invocation.attempt)"
    }

    /// Runs `executable` with `arguments` on the calling thread; with `captureStdout`, stdout is returned rather than
    /// logged (a line longer than the launcher's chunk size comes back whole); `memoryLimit` is the child's
    /// `RLIMIT_DATA` in bytes.
    func run(
        _ executable: String, _ arguments: [String], extraEnvironment: [String: String] = [:],
        captureStdout: Bool = false, memoryLimit: Int? = nil
    ) -> Result {
        // The step creates the outputs file when it writes to it (`>> "$DEVFLOW_OUTPUT"`); most steps never do.
        let outputFile = "\(invocation.scratchDirectory)/\(slug).out"
        var environment = invocation.environment
        environment["DEVFLOW_OUTPUT"] = outputFile
        for (name, value) in extraEnvironment { environment[name] = value }
        let spec = ProcessSpec(
            executable: executable, arguments: arguments, environment: environment,
            workingDirectory: invocation.workingDirectory,
            timeout: .milliseconds(Int64(invocation.timeout * 1000)), killGrace: .milliseconds(Int64(killGrace * 1000)),
            memoryLimit: memoryLimit)
        var cancelKey: Int?
        var captured: [String] = []
        var partial: [UInt8] = []  // the chunks so far of a long stdout line
        let outcome: ProcessOutcome
        do {
            outcome = try ProcessLauncher.run(
                spec,
                onStart: { running in
                    cancelKey = invocation.cancellation.onCancel { graceful in running.cancel(graceful: graceful) }
                },
                onLine: { line in
                    if captureStdout, line.stream == .stdout {
                        guard captured.count < 100_000 else { return }
                        if !line.isComplete {
                            partial += line.bytes
                        } else if partial.isEmpty {
                            captured.append(line.text)
                        } else {
                            partial += line.bytes
                            captured.append(String(decoding: partial, as: UTF8.self))
                            partial.removeAll()
                        }
                    } else {
                        invocation.onLine(line.stream.rawValue, line.text)
                    }
                })
        } catch {
            return .notStarted(error.description)
        }
        if let cancelKey { invocation.cancellation.remove(cancelKey) }
        return .finished(outcome, stdout: captured, outputs: Self.readOutputs(outputFile))
    }

    /// The outcome of a process that was stopped (cancelled or timed out), if it was.
    func stopped(_ outcome: ProcessOutcome) -> AttemptOutcome? {
        if outcome.cancelled {
            return AttemptOutcome(kind: .cancelled, exitCode: outcome.exitCode, signal: outcome.signal)
        }
        if outcome.timedOut {
            return AttemptOutcome(
                kind: .timedOut, signal: outcome.signal, message: String(format: "%.0fs", invocation.timeout))
        }
        return nil
    }

    /// Runs blocking work (the launcher sleeps in poll while the process runs). Up to one attempt per core runs
    /// inline on the calling thread, which saves two thread hand-offs per step; beyond that, attempts go to dispatch
    /// threads so that `-j` larger than the number of cores still runs that many processes at once.
    static func onThread(_ work: @escaping @Sendable () -> AttemptOutcome) async -> AttemptOutcome {
        if InlineSlots.shared.acquire() {
            defer { InlineSlots.shared.release() }
            return work()
        }
        return await withCheckedContinuation { continuation in
            blocking.async { continuation.resume(returning: work()) }
        }
    }

    static let blocking = DispatchQueue(label: "devflow.steps", qos: .userInitiated, attributes: .concurrent)

    /// `key=value` lines; later lines win; other lines are ignored. The file is removed once read; most steps never
    /// create it, and then this is one failed `open`.
    static func readOutputs(_ path: String) -> [String: String] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [:] }
        defer { unlink(path) }
        // Read through the descriptor just opened; more than 1 MiB is not an outputs file.
        let file = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        guard let data = try? file.read(upToCount: (1 << 20) + 1), data.count <= 1 << 20 else { return [:] }
        var outputs: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let equals = line.firstIndex(of: "="), equals != line.startIndex else { continue }
            outputs[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return outputs
    }

    /// The absolute path of `name` on `path` (or `name` itself if it contains a slash).
    static func resolve(_ name: String, path: String?) -> String? {
        if name.contains("/") {
            if resolved.value(name) != nil { return name }
            guard access(name, X_OK) == 0 else { return nil }
            resolved.store(name, for: name)
            return name
        }
        let key = "\(name)\u{0}\(path ?? "")"
        if let known = resolved.value(key) { return known }
        var found: String?
        for directory in (path ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                found = candidate
                break
            }
        }
        if let found { resolved.store(found, for: key) }
        return found
    }

    /// Programs found on PATH (or by absolute path) during this process: a 1,000-step pipeline looks `sh` up once,
    /// not 1,000 times; a program removed meanwhile fails to start with a clear error.
    static let resolved = ResolvedPaths()
}

/// Counts attempts running inline on concurrency-pool threads, at most one per core.
final class InlineSlots: @unchecked Sendable {
    static let shared = InlineSlots(limit: ProcessInfo.processInfo.activeProcessorCount)
    private let lock = NSLock()
    private let limit: Int
    private var used = 0

    init(limit: Int) { self.limit = max(1, limit) }

    func acquire() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard used < limit else { return false }
        used += 1
        return true
    }

    func release() {
        lock.lock()
        used -= 1
        lock.unlock()
    }
}

/// A lock-protected cache of resolved program paths.
final class ResolvedPaths: @unchecked Sendable {
    private let lock = NSLock()
    private var paths: [String: String] = [:]

    func value(_ key: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return paths[key]
    }

    func store(_ path: String, for key: String) {
        lock.lock()
        paths[key] = path
        lock.unlock()
    }
}
