import DevFlowGraph
import Foundation

/// `devflow runs cancel|pause|resume|rerun RUN` and `devflow trigger REPO` with `--server`: the API's actions, with
/// the server's own message when it refuses one.
extension RemoteCommands {
    /// What `devflow runs ACTION RUN --server …` asks the run to do.
    public enum RunAction: Sendable, Equatable {
        /// Stop it.
        case cancel
        /// Start no new step (a queued run: do not claim it).
        case pause
        /// Start steps again.
        case resume
        /// Queue it again: every step, the failed ones (`failed`), or from a node (`from`).
        case rerun(failed: Bool, from: String?)
    }

    /// Sends the action and prints one line about the run it leaves (the new run, for a rerun).
    public static func control(_ client: APIClient, run id: Int64, action: RunAction, reason: String?) async -> Output {
        var body: [String: JSONValue] = [:]
        if let reason { body["reason"] = .string(reason) }
        let verb: String
        switch action {
        case .cancel: verb = "cancel"
        case .pause: verb = "pause"
        case .resume: verb = "resume"
        case .rerun(let failed, let from):
            verb = "rerun"
            body = ["mode": .string(from != nil ? "from" : failed ? "failed" : "all")]
            if let from { body["node"] = .string(from) }
        }
        do {
            let run = try await client.json(
                "/api/v1/runs/\(id)/\(verb)", method: .POST, body: JSONValue.object(body).compactJSON
            ).objectMembers
            var state = string(run["status"])
            if run["paused"] == .bool(true) { state += ", paused" }
            if case .string = run["cancel_requested"], string(run["status"]) != "cancelled" {
                state += ", asked to stop"
            }
            let line =
                switch action {
                case .rerun: "queued run \(string(run["id"])): a rerun of run \(id)\n"
                default: "run \(id): \(state)\n"
                }
            return Output(text: line)
        } catch {
            return Output(errors: "devflow: \(error)\n", code: 1)
        }
    }

    /// `devflow trigger REPO --server …`: queues a manual run through the API (which checks the inputs).
    public static func trigger(_ client: APIClient, repository: String, ref: String?, inputs: [String]) async -> Output
    {
        let values: [String: JSONValue]
        do {
            values = try TriggerCommand.inputValues(inputs)
        } catch {
            return Output(errors: "devflow: \(error)\n", code: 2)
        }
        var body: [String: JSONValue] = ["inputs": .object(values)]
        if let ref { body["ref"] = .string(ref) }
        let segment = repository.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? repository
        do {
            let run = try await client.json(
                "/api/v1/repos/\(segment)/runs", method: .POST, body: JSONValue.object(body).compactJSON
            ).objectMembers
            return Output(text: "queued run \(string(run["id"])): manual run of \(repository) \(string(run["ref"]))\n")
        } catch {
            return Output(errors: "devflow: \(error)\n", code: 1)
        }
    }
}
