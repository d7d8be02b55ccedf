import DevFlowGraph
import Foundation

/// Builds the expression contexts a node sees at run time and interpolates `${{ }}` in its strings.
public enum Interpolation {
    /// The contexts: env, git, event, steps (finished nodes), matrix, inputs, secrets and run.
    static func contexts(
        for node: Node, request: RunRequest,
        state: EngineState,
        secrets: [String: String], runId: Int64, attempt: Int
    ) -> [String: JSONValue] {
        var git = request.event.gitContext
        if let commit = request.gitCommit { git["sha"] = .string(commit) }
        git["workspace"] = .string(request.workspace)
        var event: [String: JSONValue] = ["kind": .string(request.event.kind)]
        if let hook = request.event.hook { event["hook"] = .string(hook) }
        var steps: [String: JSONValue] = [:]
        // The state holds only this node's needs and the steps it reads (see RunEngine.view(for:)), in a stable order.
        for id in state.status.keys.sorted() {
            let status = state.status[id] ?? .pending
            let step = id.firstIndex(of: "[").map { String(id[..<$0]) } ?? id
            let outcome: String =
                switch status {
                case .succeeded, .upToDate, .reused: "success"
                case .failed: "failure"
                case .skipped: "skipped"
                case .cancelled: "cancelled"
                case .pending, .running, .interrupted: status.rawValue
                }
            var entry = steps[step]?.objectMembers ?? [:]
            var values = entry["outputs"]?.objectMembers ?? [:]
            for (name, value) in state.outputs[id] ?? [:] where values[name] == nil {
                values[name] = .string(value)
            }
            entry["outputs"] = .object(values)
            entry["outcome"] = .string(outcome)
            entry["conclusion"] = .string(state.allowed.contains(id) ? "success" : outcome)
            steps[step] = .object(entry)
        }
        var inputs: [String: JSONValue] = [:]
        for (name, input) in request.graph.triggers.manual ?? [:] {
            inputs[name] = request.event.inputs[name] ?? input.defaultValue ?? .null
        }
        var env: [String: JSONValue] = [:]
        for (name, value) in node.env where !Template.mayContainExpression(value) { env[name] = .string(value) }
        return [
            "git": .object(git), "event": .object(event), "steps": .object(steps), "matrix": .object(node.matrix),
            "inputs": .object(inputs), "env": .object(env), "secrets": .object(secrets.mapValues { .string($0) }),
            "run": .object([
                "id": .string(String(runId)), "attempt": .number(Double(attempt)), "number": .number(Double(runId)),
                "pipeline": .string(request.graph.name),
            ]),
        ]
    }

    /// The steps a node's expressions read (`steps.<id>…`); only those are put in its `steps` context, which keeps
    /// building contexts linear in the size of the graph.
    static func referencedSteps(_ node: Node) -> Set<String> {
        var texts = [node.condition] + Array(node.env.values)
        switch node.action {
        case .hook(let script, _): texts.append(script)
        case .agent(_, _, _, let with):
            for value in with.values { if case .string(let text) = value { texts.append(text) } }
        }
        var steps = Set<String>()
        func collect(_ source: String) {
            guard Self.mentionsSteps(source), case .success(let expression) = ExpressionParser.parse(source) else {
                return
            }
            expression.walk { part in
                if let path = part.propertyPath, path.count >= 2, path[0] == "steps" { steps.insert(path[1]) }
            }
        }
        for text in texts where Self.mentionsSteps(text) {
            collect(text)
            for segment in Template(text).segments {
                if case .expression(let source, _, _) = segment { collect(source) }
            }
        }
        return steps
    }

    /// Whether `text` holds the word `steps` anywhere: a byte search, run for every string of every node (Foundation's
    /// `contains` goes through a locale-aware search).
    static func mentionsSteps(_ text: String) -> Bool {
        var text = text
        let word = stepsWord
        return text.withUTF8 { bytes in
            guard bytes.count >= word.count else { return false }
            for start in 0...(bytes.count - word.count) where bytes[start] == word[0] {
                if bytes[start + 1] == word[1], bytes[start + 2] == word[2], bytes[start + 3] == word[3],
                    bytes[start + 4] == word[4]
                {
                    return true
                }
            }
            return false
        }
    }

    private static let stepsWord: [UInt8] = Array("steps".utf8)

    /// `text` with every `${{ … }}` replaced by its value (unknown or unparsable values become empty text).
    public static func interpolate(
        _ text: String, contexts: [String: JSONValue], hashFiles: (@Sendable ([String]) -> String?)? = nil
    ) -> String {
        guard Template.mayContainExpression(text) else { return text }
        let evaluator = ExpressionEvaluator(contexts: contexts, hashFiles: hashFiles)
        var result = ""
        for segment in Template(text).segments {
            switch segment {
            case .text(let literal): result += literal
            case .expression(let source, _, _):
                if case .success(let expression) = ExpressionParser.parse(source) {
                    result += evaluator.evaluate(expression)?.interpolated ?? ""
                }
            }
        }
        return result
    }
}
