import DevFlowAPIRequests
import DevFlowCompiler
import DevFlowGraph
import DevFlowStore
import Foundation
import Hummingbird

extension APIController {
    func registerTrigger(on api: RouterGroup<ServerRequestContext>) {
        api.post("repos/:repo/runs") { request, context in try await self.trigger(request, context) }
    }

    /// `POST /api/v1/repos/{repo}/runs {"ref", "inputs"}` (operator): queues a manual run, as `devflow trigger` does.
    /// The repository's name is one path segment (`acme%2Fapp`). The inputs are checked against `on.manual.inputs` of
    /// the ref's pipeline as the server's mirror has it (read, never fetched, in the request): each problem comes back
    /// in the compiler's words in a 422. The worker checks again at the commit it runs (the ref may have moved, or the
    /// mirror may not exist yet): a mismatch there fails the run with the same words.
    func trigger(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        try context.require(.operator)
        let entry = try repository(context)
        let body = try await APIBody.object(request, context: context, allowEmpty: true)
        let ref = try APIRequestBody.string(body, "ref")
        if let ref, !Self.isValidRef(ref) {
            throw APIError.invalidField(
                "ref",
                "'ref' must be a branch, a tag or a full ref such as refs/heads/main (letters, digits, '_', '-', "
                    + "'/' between parts and single dots inside them); found '\(ref)'")
        }
        var inputs: [String: JSONValue] = [:]
        for (key, value) in try APIRequestBody.object(body, "inputs") ?? [:] {
            switch value {
            case .string, .number, .bool: inputs[key] = value
            default:
                throw APIError.invalidField("inputs", "input '\(key)' must be a string, a number or a boolean")
            }
        }
        let settings = self.context.settings
        let checked = inputs
        if let problems = try await offPool({
            TriggerCommand.inputProblems(of: entry, ref: ref, inputs: checked, settings: settings)
        }), !problems.isEmpty {
            throw APIError(
                .unprocessableContent, code: "invalid_inputs",
                message: "the inputs do not match on.manual.inputs of \(entry.pipeline) at "
                    + "\(TriggerCommand.fullRef(ref, of: entry)): " + problems.map(\.message).joined(separator: "; "),
                details: [
                    "field": "inputs",
                    "problems": .array(
                        problems.map { problem in
                            .object([
                                "input": problem.input.map { .string($0) } ?? .null, "rule": .string(problem.rule),
                                "code": .string(problem.code), "message": .string(problem.message),
                            ])
                        }),
                ])
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
