import DevFlowGraph
import DevFlowStore
import Foundation

/// The library entry point of `devflow trigger REPO [--ref REF] [--input K=V]…`: queues a manual run in the
/// server's store (the server's workers pick it up at their next poll; the API endpoint comes with the API).
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
            var values: [String: JSONValue] = [:]
            for input in inputs {
                guard let equals = input.firstIndex(of: "="), equals != input.startIndex else {
                    throw ServerSetupError("--input '\(input)' must be NAME=VALUE")
                }
                values[String(input[..<equals])] = .string(String(input[input.index(after: equals)...]))
            }
            let reference = ref ?? "refs/heads/\(entry.defaultBranch)"
            let fullRef = reference.hasPrefix("refs/") ? reference : "refs/heads/\(reference)"
            let branch = fullRef.hasPrefix("refs/heads/") ? String(fullRef.dropFirst("refs/heads/".count)) : nil
            var event = QueuedEvent(
                kind: "manual", branch: branch, inputs: values, summary: "manual run of \(fullRef)")
            event.fetchRef = fullRef
            let now = Date()
            let store = try SQLiteRunStore(path: settings.databasePath)
            let run = try store.enqueue(
                RunRecord.queued(repository: entry, event: event, commit: nil, ref: fullRef, at: now))
            print("queued run \(run.id ?? 0): \(event.summary) of \(entry.name)")
            return 0
        } catch {
            FileHandle.standardError.write(Data("devflow trigger: \(error)\n".utf8))
            return 2
        }
    }
}
