import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import DevFlowStore
import DevFlowStorePostgres
import Foundation

/// The library entry point of `devflow trigger REPO [--ref REF] [--input K=V]…`: queues a manual run in the
/// server's store (the server's workers pick it up at their next poll); `POST /api/v1/repos/{repo}/runs` does the same.
public enum TriggerCommand {
    /// Queues the run and prints its id; returns the exit code.
    public static func trigger(
        repository: String, ref: String?, inputs: [String], config: String, db: String?
    ) -> Int32 {
        do {
            let settings = try ServerSettings.load(path: config, db: db)
            guard let entry = settings.configuration.repository(named: repository) else {
                let names = settings.configuration.repositories.map(\.name).joined(separator: ", ")
                throw ServerSetupError("repository '\(repository)' is not in \(config); configured: \(names)")
            }
            let values = try inputValues(inputs)
            if let problems = inputProblems(of: entry, ref: ref, inputs: values, settings: settings), !problems.isEmpty
            {
                let lines = problems.map { "  \($0.message) [\($0.rule)]" }.joined(separator: "\n")
                throw ServerSetupError(
                    "the inputs do not match on.manual.inputs of \(entry.pipeline) at \(fullRef(ref, of: entry)):\n"
                        + lines)
            }
            let store = try StoreLocation.open(settings.databasePath)
            let run = try queueManualRun(of: entry, ref: ref, inputs: values, store: store)
            try store.recordAudit(
                AuditRecord(
                    at: Date(), actor: AuditActor.commandLine, action: "run.trigger", target: "run/\(run.id ?? 0)",
                    address: "local", details: "\(entry.name) \(run.ref ?? "")"))
            let event = QueuedEvent.decode(run.event)
            print("queued run \(run.id ?? 0): \(event?.summary ?? "manual run") of \(entry.name)")
            return 0
        } catch {
            FileHandle.standardError.write(Data("devflow trigger: \(error)\n".utf8))
            return 2
        }
    }

    /// Queues a manual run of `entry` at `ref` (a branch, a tag or a full ref; the default branch if nil) with
    /// `inputs`: the worker fetches the ref, compiles its pipeline and checks the inputs against `on.manual.inputs`
    /// (a mismatch ends the run `config_error` with the compiler's diagnostics). Shared by the CLI and the API.
    static func queueManualRun(
        of entry: ServerConfiguration.Repository, ref: String?, inputs: [String: JSONValue], store: any RunQueue
    ) throws -> RunRecord {
        let fullRef = fullRef(ref, of: entry)
        let branch = fullRef.hasPrefix("refs/heads/") ? String(fullRef.dropFirst("refs/heads/".count)) : nil
        var event = QueuedEvent(kind: "manual", branch: branch, inputs: inputs, summary: "manual run of \(fullRef)")
        event.fetchRef = fullRef
        return try store.enqueue(
            RunRecord.queued(repository: entry, event: event, commit: nil, ref: fullRef, at: Date()))
    }

    /// The values of `--input NAME=VALUE` flags, as strings (the check against `on.manual.inputs` reads `"true"` as a
    /// boolean and `"3"` as a number); shared by the local and the `--server` trigger.
    static func inputValues(_ assignments: [String]) throws(ServerSetupError) -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for input in assignments {
            guard let equals = input.firstIndex(of: "="), equals != input.startIndex else {
                throw ServerSetupError("--input '\(input)' must be NAME=VALUE")
            }
            values[String(input[..<equals])] = .string(String(input[input.index(after: equals)...]))
        }
        return values
    }

    /// The full ref a manual run of `ref` runs: a branch name becomes `refs/heads/NAME`; nil is the default branch.
    static func fullRef(_ ref: String?, of entry: ServerConfiguration.Repository) -> String {
        let reference = ref ?? "refs/heads/\(entry.defaultBranch)"
        return reference.hasPrefix("refs/") ? reference : "refs/heads/\(reference)"
    }

    /// The problems of `inputs` against `on.manual.inputs` of the pipeline at `ref` as the server's mirror has it,
    /// read without fetching (a few milliseconds of libgit2); nil when the mirror does not know the ref or its
    /// pipeline does not compile there (the worker then checks at the commit it runs, and a mismatch fails the run).
    static func inputProblems(
        of entry: ServerConfiguration.Repository, ref: String?, inputs: [String: JSONValue], settings: ServerSettings
    ) -> [ManualInputProblem]? {
        let mirror = settings.mirror(of: entry)
        guard mirror.exists, let commit = try? mirror.resolve(fullRef(ref, of: entry)),
            let data = try? mirror.readFile(entry.pipeline, at: commit),
            let graph = Compiler.compile(SourceFile(path: entry.pipeline, bytes: Array(data))).graph
        else { return nil }
        return ManualInputCheck.problems(inputs, pipeline: graph.name, declared: graph.triggers.manual)
    }
}
