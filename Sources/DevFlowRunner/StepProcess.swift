import DevFlowGraph
import DevFlowProcess
import DevFlowStepIO
import Foundation

/// Launches one attempt's process (its own session and process group), streams its lines to the invocation,
/// wires cancellation, and reads `$DEVFLOW_OUTPUT` (see `OutputsFile`). Shared by hook steps and command agents.
struct StepProcess {
    /// What came back.
    enum Result {
        /// The process could not be started.
        case notStarted(String)
        /// It ran: how it ended, what it wrote to stdout (when captured) and what it published, or what is wrong
        /// with that.
        case finished(ProcessOutcome, stdout: [String], published: Swift.Result<Published, OutputsFileError>)
    }

    /// What a step wrote to `$DEVFLOW_OUTPUT` and `$DEVFLOW_ENV`.
    struct Published {
        /// Its outputs.
        var outputs: [String: String] = [:]
        /// The variables it sets for the nodes that need it.
        var environment: [String: String] = [:]
        /// The Markdown it wrote to `$DEVFLOW_SUMMARY`, if any.
        var summary: String?
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
        // The step creates these files when it writes to them (`>> "$DEVFLOW_OUTPUT"`); most steps never do.
        let outputFile = "\(invocation.scratchDirectory)/\(slug).out"
        let environmentFile = "\(invocation.scratchDirectory)/\(slug).env"
        let summaryFile = "\(invocation.scratchDirectory)/\(slug).md"
        var environment = invocation.environment
        environment["DEVFLOW_OUTPUT"] = outputFile
        environment["DEVFLOW_ENV"] = environmentFile
        environment["DEVFLOW_SUMMARY"] = summaryFile
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
        // Every file is read (and removed) whatever is wrong with another.
        let outputs = Self.read(outputFile, kind: .outputs)
        let exported = Self.read(environmentFile, kind: .environment)
        let summary = Self.readText(summaryFile, kind: .summary)
        let published = outputs.flatMap { values in
            exported.flatMap { variables in
                summary.map { Published(outputs: values, environment: variables, summary: $0) }
            }
        }
        return .finished(outcome, stdout: captured, published: published)
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

    /// Runs blocking work (the launcher sleeps in poll while the process runs). Up to one attempt per core but one
    /// runs inline on the calling thread, which saves two thread hand-offs per step; beyond that, attempts go to
    /// dispatch threads so that `-j` larger than the number of cores still runs that many processes at once.
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

    /// The values in the file at `path` (see `OutputsFile`), or what is wrong with them; none when the step did not
    /// create the file (most steps never do, and then this is one failed `open`). At most one byte more than the
    /// file's limit is read: a larger file is reported with its size, never read whole. The file is removed once read.
    static func read(_ path: String, kind: OutputsFile.Kind) -> Swift.Result<[String: String], OutputsFileError> {
        readBytes(path, kind: kind).flatMap { bytes in
            guard let bytes else { return .success([:]) }
            return OutputsFile.parse(bytes, kind: kind)
        }
    }

    /// The text of the file at `path` (invalid UTF-8 replaced), nil when there is none or it is empty, or an error
    /// when it is larger than its limit; removed once read.
    static func readText(_ path: String, kind: OutputsFile.Kind) -> Swift.Result<String?, OutputsFileError> {
        readBytes(path, kind: kind).map { bytes in
            bytes.flatMap { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) }
        }
    }

    /// The bytes of the file at `path`, nil when there is none; at most one byte more than the limit of `kind` is
    /// read, and a larger file is an error with its size. The file is removed once read.
    static func readBytes(_ path: String, kind: OutputsFile.Kind) -> Swift.Result<[UInt8]?, OutputsFileError> {
        // O_NONBLOCK: a FIFO left at the path must not block the runner in `open`.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return .success(nil) }
        defer { unlink(path) }
        func failure(_ problem: OutputsFileError.Problem) -> Swift.Result<[UInt8]?, OutputsFileError> {
            .failure(OutputsFileError(source: "$" + kind.variable, kind: kind, problem: problem, line: nil, text: nil))
        }
        // Read through the descriptor just opened (the step may have replaced the path meanwhile).
        let file = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return failure(.notARegularFile) }
        let limit = kind.limits.fileBytes
        let data: Data
        do {
            data = try file.read(upToCount: limit + 1) ?? Data()
        } catch {
            return failure(.unreadable("\(error.localizedDescription)"))
        }
        guard data.count <= limit else {
            let size = fstat(fd, &status) == 0 ? max(Int(status.st_size), data.count) : data.count
            return failure(.fileTooLarge(bytes: size))
        }
        return .success([UInt8](data))
    }

    /// The attempt's outcome when the step's outputs file is wrong: a step error whatever its exit status (with the
    /// exit status kept, for `exit:N` retry conditions, and named in the message when it was not 0).
    func rejected(_ error: OutputsFileError, after outcome: ProcessOutcome) -> AttemptOutcome {
        var message = error.message(masking: invocation.masker)
        if let code = outcome.exitCode, code != 0 { message += " (the step also exited with \(code))" }
        if let signal = outcome.signal { message += " (the step was also killed by signal \(signal))" }
        return AttemptOutcome(kind: .error, exitCode: outcome.exitCode, signal: outcome.signal, message: message)
    }

    /// The absolute path of `name` on `path` (or `name` itself if it contains a slash).
    static func resolve(_ name: String, path: String?) -> String? {
        if name.utf8.contains(UInt8(ascii: "/")) {
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

/// Counts attempts running inline on concurrency-pool threads: at most one per core but one, so that a step never
/// holds the whole pool (two steps waiting on two cores would starve every other task of the process: the live
/// view, the heartbeat, a server's requests). A server turns inline steps off altogether (`RunEngine.keepStepsOffPool`).
final class InlineSlots: @unchecked Sendable {
    static let shared = InlineSlots(limit: ProcessInfo.processInfo.activeProcessorCount - 1)
    private let lock = NSLock()
    private var limit: Int
    private var used = 0

    init(limit: Int) { self.limit = max(0, limit) }

    /// Stops new attempts from running inline.
    func disable() {
        lock.lock()
        limit = 0
        lock.unlock()
    }

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
