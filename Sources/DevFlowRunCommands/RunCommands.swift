import DevFlowGraph
import DevFlowLLMHost
import DevFlowLint
import DevFlowRunner
import DevFlowStore
import DevFlowStorePostgres
import Foundation

/// Library entry points of `devflow run`, `devflow runs` and `devflow breakers`; the executable only parses flags.
public enum RunCommands {
    /// Marks runs whose runner is gone as interrupted, after replaying what their journal holds: a runner on this
    /// host is gone when its pid is; one on another host when its heartbeat is more than a minute old.
    static func settleInterruptedRuns(_ store: any RunStore) throws -> [Int64] {
        let host = ProcessInfo.processInfo.hostName
        return try store.markInterruptedRuns(
            staleAfter: 60, now: Date(),
            isAlive: { pid, runHost in runHost == host ? (kill(pid, 0) == 0 || errno == EPERM) : true })
    }

    /// The default database: `.devflow/devflow.sqlite` under the working directory.
    public static func defaultDatabase(in directory: String) -> String { "\(directory)/.devflow/devflow.sqlite" }

    /// The options of `devflow run`.
    public struct RunOptions: Sendable {
        /// Pipeline file.
        public var file: String
        /// Event facts.
        public var event: String
        /// Branch.
        public var branch: String?
        /// Changed paths.
        public var changed: [String]?
        /// Worker pool size.
        public var jobs: Int
        /// Selected steps.
        public var steps: [String]
        /// Run to resume.
        public var resume: Int64?
        /// Ignore up-to-date checks.
        public var force: Bool
        /// Stop at the first failure.
        public var failFast: Bool
        /// Database path.
        public var database: String?
        /// `json` for JSON-lines events.
        public var events: String?
        /// `--output`: live, stream, errors or quiet (nil: live on a terminal, stream elsewhere).
        public var output: String?
        /// The git hook, for `hook` events (`devflow hooks run`).
        public var hook: String?
        /// `NAME=VALUE` manual inputs.
        public var inputs: [String]
        /// A file of `NAME=VALUE` lines with secret values (declared names only are used).
        public var secretsFile: String? = nil
        /// The pull request's target (`--base`): agents and path filters compare with its merge base.
        public var base: String? = nil

        /// Creates options.
        public init(
            file: String, event: String, branch: String?, changed: [String]?, jobs: Int, steps: [String],
            resume: Int64?, force: Bool,
            failFast: Bool, database: String?, events: String?, inputs: [String]
        ) {
            self.file = file
            self.event = event
            self.branch = branch
            self.changed = changed
            self.jobs = jobs
            self.steps = steps
            self.resume = resume
            self.force = force
            self.failFast = failFast
            self.database = database
            self.events = events
            self.inputs = inputs
        }
    }

    /// `devflow run`: compiles, recovers crashed runs, runs, and records everything. Exit 0 success, 1 failure,
    /// 2 usage, 3 internal, 130 cancelled.
    public static func run(
        _ options: RunOptions, isTerminal: Bool, directory: String = FileManager.default.currentDirectoryPath
    ) async -> Int32 {
        func fail(_ message: String, _ code: Int32) -> Int32 {
            FileHandle.standardError.write(Data("devflow: \(message)\n".utf8))
            return code
        }
        let graph: ExecutionGraph
        switch PipelineCommands.compile(options.file, workingDirectory: directory) {
        case .failure(let outcome):
            FileHandle.standardError.write(Data(outcome.errors.utf8))
            return outcome.exitCode.rawValue
        case .success(let compiled): graph = compiled
        }
        let store: any ServerStore
        do {
            store = try StoreLocation.open(options.database ?? defaultDatabase(in: directory))
        } catch {
            return fail("cannot open the run database: \(error)", 3)
        }
        if let interrupted = try? settleInterruptedRuns(store), !interrupted.isEmpty {
            FileHandle.standardError.write(
                Data(
                    "devflow: marked run(s) \(interrupted.map(String.init).joined(separator: ", ")) interrupted (their runner is gone); resume with --resume\n"
                        .utf8))
        }
        var inputs: [String: JSONValue] = [:]
        for assignment in options.inputs {
            guard let equals = assignment.firstIndex(of: "=") else {
                return fail("--input takes NAME=VALUE, found '\(assignment)'", 2)
            }
            inputs[String(assignment[..<equals])] = .string(String(assignment[assignment.index(after: equals)...]))
        }
        // Git facts from libgit2: the commit and its author time, the branch, and (for push) the changed paths.
        let head = GitFacts.head(in: directory)
        var changed = options.changed
        if changed == nil,
            options.event == "push" || options.event == "hook"
                || (options.event == "pull_request" && options.base != nil)
        {
            changed =
                GitFacts.changedPaths(
                    event: options.event, base: options.base, hook: options.hook, directory: directory
                )
                .paths
        }
        let event = PlanEvent(
            kind: options.event,
            branch: options.branch ?? head?.branch ?? PipelineCommands.currentBranch(in: directory),
            baseBranch: options.base, changedPaths: changed, hook: options.hook, inputs: inputs)
        var request = RunRequest(
            graph: graph, file: options.file, event: event, gitCommit: head?.commit, workspace: directory,
            jobs: options.jobs,
            steps: options.steps,
            resume: options.resume, force: options.force, failFast: options.failFast)
        request.gitAuthorTime = head?.authorTime
        if let path = options.secretsFile {
            switch SecretsFile.read(path, relativeTo: directory, declared: graph.secrets) {
            case .success(let values): for (name, value) in values { request.environment[name] = value }
            case .failure(let problem): return fail(problem.description, 2)
            }
        }
        let style: ConsoleObserver.Style
        switch ConsoleObserver.Style.resolve(output: options.output, events: options.events, isTerminal: isTerminal) {
        case .success(let resolved): style = resolved
        case .failure(let problem): return fail(problem.message, 2)
        }
        let engine = RunEngine(
            request: request, store: store,
            executor: ProcessStepExecutor(
                killGrace: 5, agents: BuiltInAgentHost(killGrace: 5, llm: LLMAgentHost())),
            observer: ConsoleObserver(style: style))
        let signals = SignalHandler(cancellation: engine.cancellation)
        defer { signals.stop() }
        do {
            let summary = try await engine.run()
            switch summary.status {
            case .succeeded: return 0
            case .cancelled: return 130
            default: return 1
            }
        } catch {
            return fail("\(error)", 2)
        }
    }
}

/// Ctrl-C and SIGTERM: the first stops running steps gracefully (TERM, grace, KILL), the second kills at once.
final class SignalHandler: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    private var count = 0

    init(cancellation: Cancellation) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.lock()
                self.count += 1
                let first = self.count == 1
                self.lock.unlock()
                FileHandle.standardError.write(
                    Data((first ? "\ndevflow: stopping (again to kill at once)\n" : "\ndevflow: killing\n").utf8))
                cancellation.cancel(graceful: first)
            }
            source.resume()
            sources.append(source)
        }
    }

    func stop() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
