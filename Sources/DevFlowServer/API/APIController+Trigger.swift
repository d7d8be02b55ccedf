import DevFlowGraph
import DevFlowStore
import Foundation
import Hummingbird

extension APIController {
    func registerTrigger(on api: RouterGroup<ServerRequestContext>) {
        api.post("repos/:repo/runs") { request, context in try await self.trigger(request, context) }
    }

    /// `POST /api/v1/repos/{repo}/runs {"ref", "inputs"}` (operator): queues a manual run, as `devflow trigger` does.
    /// The repository's name is one path segment (`acme%2Fapp`). Its worker fetches the ref, compiles the pipeline
    /// there and checks the inputs against `on.manual.inputs`: a mismatch ends the run `config_error` with the
    /// compiler's diagnostics (no git work happens in the request).
    func trigger(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        try context.require(.operator)
        let name = context.path("repo")
        guard let entry = self.context.settings.configuration.repository(named: name) else {
            let names = self.context.settings.configuration.repositories.map(\.name).joined(separator: ", ")
            throw APIError.notFound("repository '\(name)' is not served here; configured: \(names)")
        }
        let body = try await APIBody.object(request, context: context, allowEmpty: true)
        let ref = try APIBody.string(body, "ref")
        if let ref, !Self.isValidRef(ref) {
            throw APIError(
                .unprocessableContent, code: "invalid_field",
                message:
                    "'ref' must be a branch, a tag or a full ref such as refs/heads/main (letters, digits, '_', '-', "
                    + "'/' between parts and single dots inside them); found '\(ref)'",
                details: ["field": "ref"])
        }
        var inputs: [String: JSONValue] = [:]
        for (key, value) in try APIBody.object(body, "inputs") ?? [:] {
            switch value {
            case .string, .number, .bool: inputs[key] = value
            default:
                throw APIError(
                    .unprocessableContent, code: "invalid_field",
                    message: "input '\(key)' must be a string, a number or a boolean", details: ["field": "inputs"])
            }
        }
        let run = try TriggerCommand.queueManualRun(of: entry, ref: ref, inputs: inputs, store: self.context.store)
        let id = run.id ?? 0
        try audit("run.trigger", target: "run/\(id)", details: "\(entry.name) \(run.ref ?? "")", context: context)
        self.context.doorbell.ring()
        guard let summary = try self.context.store.runs(matching: RunFilter(), before: id + 1, limit: 1).first else {
            throw APIError.notFound("run \(id) was queued but cannot be read back")
        }
        return .json(.created, value: APIRepresentations.runSummary(summary))
    }

    /// Whether `ref` is a ref name the API takes: `/`-separated segments of letters, digits, `_` and `-`, joined by
    /// single dots inside a segment, at most 255 characters (the pattern in the OpenAPI document; every such name is
    /// one git accepts).
    static func isValidRef(_ ref: String) -> Bool {
        guard (1...255).contains(ref.count) else { return false }
        return ref.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { segment in
            segment.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
                !part.isEmpty
                    && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
            }
        }
    }
}
