import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import Foundation

/// Library entry points of `devflow graph` and `devflow plan`: the executables only parse flags.
public enum PipelineCommands {
    /// Compiles `file`, or explains why it cannot be compiled (diagnostics on stderr, exit 1; unreadable: exit 2).
    public static func compile(_ file: String, workingDirectory: String) -> Result<ExecutionGraph, LintSession.Outcome>
    {
        let session = LintSession(
            paths: [file], format: .text, configPath: nil, failOn: nil, noShellcheck: true, colored: false,
            workingDirectory: workingDirectory)
        let absolute = file.hasPrefix("/") || file == "-" ? file : "\(workingDirectory)/\(file)"
        if file != "-" && !FileManager.default.fileExists(atPath: absolute) {
            return .failure(.init(output: "", errors: "devflow: no such file: '\(file)'\n", exitCode: .usage))
        }
        switch session.read(file) {
        case .failure(let unreadable):
            return .failure(
                .init(
                    output: "", errors: TextRenderer(sources: [:]).render([unreadable.diagnostic], fileCount: 1),
                    exitCode: .findings))
        case .success(let source):
            let compilation = Compiler.compile(source)
            guard let graph = compilation.graph else {
                let errors = compilation.diagnostics.filter { $0.severity == .error }
                return .failure(
                    .init(
                        output: "", errors: TextRenderer(sources: [source.path: source]).render(errors, fileCount: 1),
                        exitCode: .findings))
            }
            return .success(graph)
        }
    }

    /// `devflow graph FILE --format json|dot|mermaid`.
    public static func graph(
        file: String, format: String, workingDirectory: String = FileManager.default.currentDirectoryPath
    ) -> LintSession.Outcome {
        guard ["json", "dot", "mermaid"].contains(format) else {
            return .init(
                output: "", errors: "devflow: unknown format '\(format)'; expected json, dot or mermaid\n",
                exitCode: .usage)
        }
        switch compile(file, workingDirectory: workingDirectory) {
        case .failure(let outcome): return outcome
        case .success(let graph):
            let output = format == "json" ? graph.prettyJSON() : format == "dot" ? graph.dot() : graph.mermaid()
            return .init(output: output, errors: "", exitCode: .clean)
        }
    }

    /// The options of `devflow plan`.
    public struct PlanRequest: Sendable {
        /// Pipeline file.
        public var file: String
        /// Event kind.
        public var event: String
        /// Branch (default: the checked-out branch).
        public var branch: String?
        /// Pull-request target branch.
        public var base: String?
        /// Tag pushed.
        public var tag: String?
        /// Git hook.
        public var hook: String?
        /// Changed paths, nil when not given.
        public var changed: [String]?
        /// `NAME=VALUE` manual inputs.
        public var inputs: [String]
        /// `text` or `json`.
        public var format: String

        /// Creates a request.
        public init(
            file: String, event: String, branch: String?, base: String?, tag: String?, hook: String?,
            changed: [String]?, inputs: [String], format: String
        ) {
            self.file = file
            self.event = event
            self.branch = branch
            self.base = base
            self.tag = tag
            self.hook = hook
            self.changed = changed
            self.inputs = inputs
            self.format = format
        }
    }

    /// `devflow plan`.
    public static func plan(_ request: PlanRequest, workingDirectory: String = FileManager.default.currentDirectoryPath)
        -> LintSession.Outcome
    {
        let kinds = ["push", "pull_request", "schedule", "manual", "hook"]
        guard kinds.contains(request.event) else {
            let candidates = Suggestions.closest(to: request.event, among: kinds)
            return .init(
                output: "",
                errors:
                    "devflow: unknown event '\(request.event)'\(Suggestions.didYouMean(candidates)); expected \(Suggestions.list(kinds))\n",
                exitCode: .usage)
        }
        guard ["text", "json"].contains(request.format) else {
            return .init(
                output: "", errors: "devflow: unknown format '\(request.format)'; expected text or json\n",
                exitCode: .usage)
        }
        var inputs: [String: JSONValue] = [:]
        for assignment in request.inputs {
            guard let equals = assignment.firstIndex(of: "=") else {
                return .init(
                    output: "", errors: "devflow: --input takes NAME=VALUE, found '\(assignment)'\n", exitCode: .usage)
            }
            let value = String(assignment[assignment.index(after: equals)...])
            inputs[String(assignment[..<equals])] =
                value == "true"
                ? .bool(true) : value == "false" ? .bool(false) : Double(value).map { .number($0) } ?? .string(value)
        }
        switch compile(request.file, workingDirectory: workingDirectory) {
        case .failure(let outcome): return outcome
        case .success(let graph):
            let branch = request.tag == nil ? (request.branch ?? currentBranch(in: workingDirectory)) : request.branch
            let event = PlanEvent(
                kind: request.event, branch: branch, baseBranch: request.base, tag: request.tag,
                changedPaths: request.changed, hook: request.hook, inputs: inputs)
            let plan = Planner.plan(graph, for: event)
            return .init(
                output: request.format == "json" ? json(plan) : text(plan, graph: graph, event: event), errors: "",
                exitCode: .clean)
        }
    }

    static func json(_ plan: Plan) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(plan)) ?? Data(), as: UTF8.self) + "\n"
    }

    static func text(_ plan: Plan, graph: ExecutionGraph, event: PlanEvent) -> String {
        var out =
            "plan for '\(graph.name)': \(plan.triggered ? "triggered by" : "not triggered:") \(plan.triggerReason)"
        if let changed = event.changedPaths {
            out += " (\(changed.count) changed path\(changed.count == 1 ? "" : "s"))"
        }
        out += "\n\n"
        let width = min(48, plan.decisions.map(\.node.count).max() ?? 0)
        for decision in plan.decisions {
            out +=
                "  " + decision.verdict.padding(toLength: 8, withPad: " ", startingAt: 0)
                + decision.node.padding(toLength: max(width, decision.node.count), withPad: " ", startingAt: 0) + "  "
                + decision.reason + "\n"
        }
        let count = { (verdict: String) in plan.decisions.filter { $0.verdict == verdict }.count }
        out += "\n\(count("run")) to run, \(count("skip")) skipped, \(count("runtime")) decided at run time\n"
        return out
    }

    /// The checked-out branch from `.git/HEAD`, if the directory is a git work tree on a branch.
    public static func currentBranch(in directory: String) -> String? {
        var current = URL(fileURLWithPath: directory)
        for _ in 0..<32 {
            if let head = try? String(contentsOf: current.appendingPathComponent(".git/HEAD"), encoding: .utf8) {
                let trimmed = head.trimmingCharacters(in: .whitespacesAndNewlines)
                return trimmed.hasPrefix("ref: refs/heads/") ? String(trimmed.dropFirst("ref: refs/heads/".count)) : nil
            }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { break }
            current = parent
        }
        return nil
    }
}
