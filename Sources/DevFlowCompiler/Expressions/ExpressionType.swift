/// The static type of an expression.
indirect enum ExpressionType: Equatable, Sendable {
    /// Unknown until run time; anything goes.
    case any
    /// `null`
    case null
    /// `true`/`false`
    case bool
    /// A number.
    case number
    /// A string.
    case string
    /// An array of elements of one type.
    case array(ExpressionType)
    /// An object with known properties.
    case object(ObjectType)

    /// For messages: `a string`, `an object`.
    var described: String {
        switch self {
        case .any: "a value"
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// An object type: known properties, and what an unknown property means.
struct ObjectType: Equatable, Sendable {
    /// How a missing property is reported.
    enum Kind: Equatable, Sendable {
        /// A fixed set of properties (`git`, `event`): unknown ones are errors.
        case closed(path: String)
        /// Any property is allowed with `openType` (`env`, undeclared outputs).
        case open
        /// `steps`: only ancestors; other steps are non-ancestor errors.
        case steps
        /// `steps.<id>.outputs` of a step that declares its outputs.
        case outputs(step: String)
        /// `secrets`: declared names only.
        case secrets
        /// `matrix` of a step.
        case matrix(step: String)
        /// `inputs` of manual runs.
        case inputs
    }

    /// Known properties.
    var properties: [String: ExpressionType]
    /// How unknown properties are treated.
    var kind: Kind
    /// The type of an unknown property when the object is open.
    var openType: ExpressionType = .string
}

/// A function's signature.
struct FunctionSignature: Sendable {
    /// Minimum arguments.
    var minimum: Int
    /// Maximum arguments (nil: variadic).
    var maximum: Int?
    /// The result.
    var result: ExpressionType
    /// Only valid in `if:`.
    var statusFunction = false

    static let all: [String: FunctionSignature] = [
        "contains": FunctionSignature(minimum: 2, maximum: 2, result: .bool),
        "starts_with": FunctionSignature(minimum: 2, maximum: 2, result: .bool),
        "ends_with": FunctionSignature(minimum: 2, maximum: 2, result: .bool),
        "format": FunctionSignature(minimum: 1, maximum: nil, result: .string),
        "join": FunctionSignature(minimum: 1, maximum: 2, result: .string),
        "to_json": FunctionSignature(minimum: 1, maximum: 1, result: .string),
        "from_json": FunctionSignature(minimum: 1, maximum: 1, result: .any),
        "hash_files": FunctionSignature(minimum: 1, maximum: nil, result: .string),
        "success": FunctionSignature(minimum: 0, maximum: 0, result: .bool, statusFunction: true),
        "failure": FunctionSignature(minimum: 0, maximum: 0, result: .bool, statusFunction: true),
        "always": FunctionSignature(minimum: 0, maximum: 0, result: .bool, statusFunction: true),
        "cancelled": FunctionSignature(minimum: 0, maximum: 0, result: .bool, statusFunction: true),
    ]
}

/// The typed shape of the fixed contexts.
enum ContextSchema {
    static let rootNames = ["env", "git", "event", "steps", "matrix", "inputs", "secrets", "run"]

    static func closed(_ path: String, _ properties: [String: ExpressionType]) -> ExpressionType {
        .object(ObjectType(properties: properties, kind: .closed(path: path)))
    }

    static let git = closed(
        "git",
        [
            "ref": .string, "branch": .string, "tag": .string, "sha": .string, "base_branch": .string,
            "author": .string,
            "message": .string, "repository": .string, "workspace": .string,
        ])

    static let event = closed(
        "event",
        [
            "kind": .string, "hook": .string,
            "pull_request": closed(
                "event.pull_request",
                [
                    "title": .string, "body": .string, "number": .number, "head_branch": .string,
                    "base_branch": .string,
                    "author": .string, "draft": .bool,
                ]),
            "push": closed("event.push", ["before": .string, "after": .string, "forced": .bool]),
            "schedule": closed("event.schedule", ["cron": .string]),
        ])

    static let run = closed("run", ["id": .string, "attempt": .number, "number": .number, "pipeline": .string])

    static let env = ExpressionType.object(ObjectType(properties: [:], kind: .open))

    /// Paths whose text an outsider controls (pull-request text, branch names, commit messages).
    static let untrustedPaths: [[String]] = [
        ["event", "pull_request", "title"], ["event", "pull_request", "body"],
        ["event", "pull_request", "head_branch"],
        ["event", "pull_request", "author"], ["git", "message"], ["git", "author"],
    ]
}
