import DevFlowDiagnostics
import DevFlowGraph
import Foundation

/// One problem with the inputs of a manual run, in the compiler's words, under the rule the compiler reports the
/// same mistake with in a pipeline.
public struct ManualInputProblem: Sendable, Equatable, Codable {
    /// The input it is about (nil when it is about the run as a whole).
    public var input: String?
    /// The rule's stable name (`unknown-key`, `wrong-type`, `invalid-value`, `missing-required-key`).
    public var rule: String
    /// The rule's code (`DF003`…).
    public var code: String
    /// What is wrong and what to do instead.
    public var message: String
}

/// Checks the inputs of a manual run (`devflow trigger --input`, `POST /api/v1/repos/{repo}/runs`) against the
/// pipeline's `on.manual.inputs`: unknown names (with did-you-mean), missing required inputs, values of the wrong
/// type, and choices that are not among the options. Strings are what a command line gives, so `"true"` is a
/// boolean and `"3"` a number; a JSON boolean or number is taken as itself.
///
/// ```yaml
/// on:
///   manual:
///     inputs:
///       environment: {type: choice, options: [staging, production], required: true}
///       dry_run: {type: boolean, default: true}
/// ```
/// `{"environment": "prod", "dry-run": "yes"}` gives three problems: `invalid value of choice input 'environment':
/// 'prod'; expected 'staging' or 'production'`, `unknown input 'dry-run'; did you mean 'dry_run'?` (and none for the
/// default of `dry_run`).
public enum ManualInputCheck {
    /// Every problem, sorted by input name; empty when the run may be queued.
    public static func problems(
        _ inputs: [String: JSONValue], pipeline: String, declared: [String: Triggers.ManualInput]?
    ) -> [ManualInputProblem] {
        guard let declared else {
            return [
                problem(
                    nil, MissingKeyRule.descriptor,
                    "pipeline '\(pipeline)' does not run by hand: it has no 'manual' trigger; add 'manual:' under 'on'")
            ]
        }
        var problems: [ManualInputProblem] = []
        for name in inputs.keys.sorted() where declared[name] == nil {
            let candidates = Suggestions.closest(to: name, among: declared.keys.sorted())
            let tail =
                declared.isEmpty
                ? "; pipeline '\(pipeline)' declares no inputs"
                : candidates.isEmpty
                    ? "; expected one of \(Suggestions.list(declared.keys.sorted()))"
                    : Suggestions.didYouMean(candidates)
            problems.append(
                problem(name, UnknownKeyRule.descriptor, "unknown input '\(NodeReader.shorten(name))'\(tail)"))
        }
        for (name, input) in declared.sorted(by: { $0.key < $1.key }) {
            guard let value = inputs[name] else {
                if input.required && input.defaultValue == nil {
                    let about = input.description.map { " (\($0))" } ?? ""
                    problems.append(
                        problem(
                            name, MissingKeyRule.descriptor,
                            "the manual run is missing required input '\(name)'\(about)"))
                }
                continue
            }
            if let found = mismatch(value, input: input, name: name) { problems.append(found) }
        }
        return problems
    }

    /// The problem with one declared input's value, if any.
    static func mismatch(_ value: JSONValue, input: Triggers.ManualInput, name: String) -> ManualInputProblem? {
        switch (input.type, value) {
        case ("boolean", .bool), ("number", .number), ("string", .string): return nil
        case ("boolean", .string(let text)) where text == "true" || text == "false": return nil
        case ("number", .string(let text)) where Double(text)?.isFinite == true: return nil
        case ("choice", .string(let text)):
            guard !input.options.contains(text) else { return nil }
            let candidates = Suggestions.closest(to: text, among: input.options)
            let tail =
                candidates.isEmpty
                ? "; expected \(Suggestions.list(input.options))" : Suggestions.didYouMean(candidates)
            return problem(
                name, InvalidValueRule.descriptor,
                "invalid value of choice input '\(name)': '\(NodeReader.shorten(text))'\(tail)")
        default:
            let expected =
                switch input.type {
                case "boolean": "a boolean (true or false)"
                case "number": "a number"
                case "choice": "one of \(Suggestions.list(input.options))"
                default: "a string"
                }
            return problem(
                name, WrongTypeRule.descriptor, "input '\(name)' must be \(expected), found \(describe(value))")
        }
    }

    static func problem(_ input: String?, _ rule: RuleDescriptor, _ message: String) -> ManualInputProblem {
        ManualInputProblem(input: input, rule: rule.id.name, code: rule.id.code, message: message)
    }

    /// How a value reads in a message: quoted text, a number, a boolean, or its kind.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "'\(NodeReader.shorten(text))'"
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? "\(Int64(number))" : "\(number)"
        case .bool(let flag): "\(flag)"
        case .null: "null"
        case .array: "a list"
        case .object: "an object"
        }
    }
}
