import DevFlowGraph

/// What is wrong with a step's `$DEVFLOW_OUTPUT` or `$DEVFLOW_ENV` file, or with an agent's outputs: the problem,
/// and for a file the line (1-based) and its text as written. The attempt fails with `message(masking:)`.
public struct OutputsFileError: Error, Sendable, Equatable {
    /// One value's name and size, for the largest values of a step that publishes too much.
    public struct Size: Sendable, Equatable {
        /// The name.
        public var name: String
        /// Its value's size in bytes.
        public var bytes: Int
    }

    /// The problems, one per rule of `OutputsFile`.
    public enum Problem: Sendable, Equatable {
        /// The line is neither `name=value` nor `name<<DELIMITER`.
        case notAnAssignment
        /// Nothing before `=` or `<<`.
        case emptyName
        /// The output name breaks the id syntax.
        case invalidOutputName(String, IDSyntax.Problem)
        /// The variable name is not `[A-Za-z_][A-Za-z0-9_]*`.
        case invalidVariableName(String)
        /// The variable is reserved (`ReservedVariables`).
        case reservedVariable(String)
        /// Nothing after `<<`.
        case emptyDelimiter
        /// No line closes the value of `name` opened on the error's line.
        case missingDelimiter(name: String, delimiter: String)
        /// A line of the value of `name` (opened on line `opened`) contains the delimiter.
        case delimiterInValue(name: String, delimiter: String, opened: Int)
        /// One value is larger than the limit.
        case valueTooLarge(name: String, bytes: Int)
        /// All values together are larger than the limit; the largest of them.
        case totalTooLarge(bytes: Int, largest: [Size])
        /// The file is larger than the limit.
        case fileTooLarge(bytes: Int)
        /// Something other than a regular file is at the path (a directory, a FIFO).
        case notARegularFile
        /// Reading the file failed, for this reason.
        case unreadable(String)
    }

    /// What the values came from: `$DEVFLOW_OUTPUT`, `$DEVFLOW_ENV`, `agent 'review' outputs`.
    public var source: String
    /// The file's kind: the names and limits that apply.
    public var kind: OutputsFile.Kind
    /// The problem.
    public var problem: Problem
    /// The 1-based line of a file, when the problem is on one.
    public var line: Int?
    /// That line as written (without its line end).
    public var text: String?

    /// Creates the error of `problem` in what `source` names, on `line` (whose text is `text`) of a file.
    public init(source: String, kind: OutputsFile.Kind, problem: Problem, line: Int?, text: String?) {
        self.source = source
        self.kind = kind
        self.problem = problem
        self.line = line
        self.text = text
    }

    /// The error for people, with every secret that `masker` knows replaced by `***` before the quoted line is
    /// shortened (so a shortened secret is never left half visible).
    public func message(masking masker: SecretMasker) -> String {
        var head = source
        if let line { head += " line \(line)" }
        if let text { head += ": '\(Self.quoted(masker.mask(text)))'" }
        return masker.mask(head + ": " + explanation)
    }

    static let largeValueHint = "write large data to a file in the workspace and publish its path instead"

    var explanation: String {
        let limits = kind.limits
        switch problem {
        case .notAnAssignment:
            return "expected 'name=value', or 'name<<DELIMITER' and the value's lines up to a line 'DELIMITER'"
        case .emptyName:
            return "the \(kind.noun) has no name"
        case .invalidOutputName(let name, let idProblem):
            let quoted = "output name '\(Self.quoted(name))'"
            switch idProblem {
            case .empty: return "the output has no name"
            case .badStart: return "\(quoted) must start with a letter or '_'"
            case .badCharacter(let character):
                return "\(quoted) contains '\(Self.quoted(String(character)))'; names use letters, digits, '_' and '-'"
            case .tooLong(let count):
                return "\(quoted) is \(count) characters long; the limit is \(IDSyntax.maximumLength)"
            }
        case .invalidVariableName(let name):
            return "environment variable name '\(Self.quoted(name))' must match [A-Za-z_][A-Za-z0-9_]*"
        case .reservedVariable(let name):
            return
                "'\(name)' is reserved: a step cannot set \(ReservedVariables.summary) for later steps; set it in the pipeline's env: instead"
        case .emptyDelimiter:
            return "no delimiter after '<<'"
        case .missingDelimiter(let name, let delimiter):
            return
                "no line '\(Self.quoted(delimiter))' closes the value of '\(Self.quoted(name))' before the end of the file"
        case .delimiterInValue(let name, let delimiter, let opened):
            return
                "the value of '\(Self.quoted(name))' (from line \(opened)) contains its delimiter '\(Self.quoted(delimiter))'; the closing line must be exactly the delimiter and the value must not contain it: choose a delimiter that cannot occur in the value, such as one with a random suffix"
        case .valueTooLarge(let name, let bytes):
            return
                "\(kind.noun) '\(Self.quoted(name))' is \(OutputLimits.describe(bytes)); one \(kind.noun) may hold at most \(OutputLimits.describe(limits.valueBytes)): \(Self.largeValueHint)"
        case .totalTooLarge(let bytes, let largest):
            let names = largest.map { "'\(Self.quoted($0.name))' \(OutputLimits.describe($0.bytes, exact: false))" }
            return
                "the step's \(kind.noun)s total \(OutputLimits.describe(bytes)); a step may publish at most \(OutputLimits.describe(limits.totalBytes)) (largest: \(names.joined(separator: ", "))): \(Self.largeValueHint)"
        case .notARegularFile:
            return "not a regular file; append lines to it (>> \"$\(kind.variable)\")"
        case .unreadable(let reason):
            return "the file cannot be read: \(reason)"
        case .fileTooLarge(let bytes):
            return
                "the file is \(OutputLimits.describe(bytes)); it may hold at most \(OutputLimits.describe(limits.fileBytes)): \(Self.largeValueHint)"
        }
    }

    /// `text` as it is quoted in a message: on one line (see `MessageText.oneLine`), at most 120 scalars.
    static func quoted(_ text: String) -> String { MessageText.oneLine(text, limit: 120) }
}
