/// The names the language knows, for editors: contexts, their properties, functions, built-in agents and hooks.
///
/// Read from the same tables the compiler checks against, so a completion never offers what the compiler refuses.
public enum LanguageVocabulary {
    /// The expression contexts (`git`, `steps`, …).
    public static var contexts: [String] { ContextSchema.rootNames }

    /// The expression functions with their arity, sorted by name.
    public static var functions: [(name: String, minimum: Int, maximum: Int?, onlyInConditions: Bool)] {
        FunctionSignature.all.map { ($0.key, $0.value.minimum, $0.value.maximum, $0.value.statusFunction) }
            .sorted { $0.name < $1.name }
    }

    /// The properties of a fixed context or one of its objects (`git`, `event`, `event.pull_request`, `run`),
    /// sorted, with whether each is itself an object; nil for contexts whose properties come from the pipeline.
    public static func properties(of path: [String]) -> [(name: String, isObject: Bool)]? {
        guard let root = path.first else { return nil }
        var type: ExpressionType
        switch root {
        case "git": type = ContextSchema.git
        case "event": type = ContextSchema.event
        case "run": type = ContextSchema.run
        default: return nil
        }
        for name in path.dropFirst() {
            guard case .object(let object) = type, let member = object.properties[name] else { return nil }
            type = member
        }
        guard case .object(let object) = type else { return nil }
        return object.properties.map {
            (name: $0.key, isObject: { if case .object = $0 { true } else { false } }($0.value))
        }
        .sorted { $0.name < $1.name }
    }

    /// What a step's context holds besides `outputs`.
    public static let stepProperties = ["outputs", "outcome", "conclusion"]

    /// The built-in agents `uses:` and `agent:` accept.
    public static var builtInAgents: [String] { PipelineDecoder.builtInAgents }

    /// The git hooks `on.hook` accepts.
    public static var hookNames: [String] { PipelineDecoder.hookNames }

    /// The built-in retry policy every pipeline has.
    public static let builtInRetryPolicies = ["none"]
}
