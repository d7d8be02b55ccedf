import DevFlowGraph

/// Reads the files a step writes to publish values: `$DEVFLOW_OUTPUT` (outputs for `${{ steps.<id>.outputs.<name> }}`)
/// and `$DEVFLOW_ENV` (environment variables for the steps that need it), with the syntax of GitHub Actions'
/// `GITHUB_OUTPUT`:
///
/// ```
/// version=1.2.3
/// notes<<EOF
/// first line
/// second line
/// EOF
/// ```
///
/// A line is `name=value` (the first `=` ends the name; the value is the rest of the line, `=` and `<<` included) or
/// `name<<DELIMITER` (when `<<` comes before any `=`), which opens a value made of the following lines up to a line
/// that is exactly `DELIMITER`, joined with `\n`. Empty lines between entries are ignored; `\r\n` line ends are read
/// as `\n`; a name written twice keeps its last value. Invalid UTF-8 is read with replacement characters.
///
/// Everything else is an error that names the line: a line that is neither form, an empty or invalid name, an empty
/// delimiter, a value with no closing delimiter, a value line that contains the delimiter (GitHub's rule: the
/// delimiter must not occur in the value; here it is checked, so a closing line indented by a YAML block or a
/// delimiter picked too short says so at once), and a value, a file or all values together larger than the limits.
///
/// A pure function of the bytes (no I/O), so that it can be tested and fuzzed alone.
public enum OutputsFile {
    /// Which file: the names it accepts, its limits, and the words of its errors.
    public enum Kind: Sendable, Equatable {
        /// `$DEVFLOW_OUTPUT`: names are ids (`[A-Za-z_][A-Za-z0-9_-]*`, at most 64 bytes), as in `outputs:`.
        case outputs
        /// `$DEVFLOW_ENV`: names are environment variable names (`[A-Za-z_][A-Za-z0-9_]*`), never reserved ones.
        case environment
        /// `$DEVFLOW_SUMMARY`: Markdown, kept whole (never parsed); only its size is checked.
        case summary

        /// The variable that names the file.
        public var variable: String {
            switch self {
            case .outputs: "DEVFLOW_OUTPUT"
            case .environment: "DEVFLOW_ENV"
            case .summary: "DEVFLOW_SUMMARY"
            }
        }
        /// What one entry is called in messages.
        var noun: String {
            switch self {
            case .outputs: "output"
            case .environment: "environment variable"
            case .summary: "summary"
            }
        }
        /// The sizes this file may hold.
        public var limits: OutputLimits {
            switch self {
            case .outputs: .outputs
            case .environment: .environment
            case .summary: .summary
            }
        }
    }

    /// The values of `bytes`, a whole file of `kind`, or the first problem in it.
    public static func parse(_ bytes: [UInt8], kind: Kind) -> Result<[String: String], OutputsFileError> {
        let source = "$" + kind.variable
        func failure(_ problem: OutputsFileError.Problem, line: Int? = nil, text: String? = nil) -> Result<
            [String: String], OutputsFileError
        > {
            .failure(OutputsFileError(source: source, kind: kind, problem: problem, line: line, text: text))
        }
        guard bytes.count <= kind.limits.fileBytes else { return failure(.fileTooLarge(bytes: bytes.count)) }
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }  // the newline that ends the last line
        var values: [String: String] = [:]
        var index = 0
        while index < lines.count {
            let number = index + 1
            let line = withoutCarriageReturn(lines[index])
            index += 1
            if line.isEmpty { continue }
            var text: String { String(decoding: line, as: UTF8.self) }  // only for an error
            let equals = line.firstIndex(of: 0x3D)
            let heredoc = firstHeredoc(in: line)
            let name: String
            let value: String
            if let equals, heredoc.map({ equals < $0 }) ?? true {
                name = String(decoding: line[..<equals], as: UTF8.self)
                value = String(decoding: line[(equals + 1)...], as: UTF8.self)
            } else if let heredoc {
                name = String(decoding: line[..<heredoc], as: UTF8.self)
                let delimiter = line[(heredoc + 2)...]
                if let problem = nameProblem(name, kind: kind) { return failure(problem, line: number, text: text) }
                guard !delimiter.isEmpty else { return failure(.emptyDelimiter, line: number, text: text) }
                let search = SubstringSearch(delimiter)
                var body: [ArraySlice<UInt8>] = []
                var closed = false
                while index < lines.count {
                    let valueLine = withoutCarriageReturn(lines[index])
                    index += 1
                    if valueLine.elementsEqual(delimiter) {
                        closed = true
                        break
                    }
                    if search.occurs(in: valueLine) {
                        return failure(
                            .delimiterInValue(
                                name: name, delimiter: String(decoding: delimiter, as: UTF8.self), opened: number),
                            line: index, text: String(decoding: valueLine, as: UTF8.self))
                    }
                    body.append(valueLine)
                }
                guard closed else {
                    return failure(
                        .missingDelimiter(name: name, delimiter: String(decoding: delimiter, as: UTF8.self)),
                        line: number, text: text)
                }
                value = String(decoding: Array(body.joined(separator: [0x0A])), as: UTF8.self)
            } else {
                return failure(.notAnAssignment, line: number, text: text)
            }
            if let problem = nameProblem(name, kind: kind) { return failure(problem, line: number, text: text) }
            if value.utf8.count > kind.limits.valueBytes {
                return failure(.valueTooLarge(name: name, bytes: value.utf8.count), line: number, text: text)
            }
            values[name] = value
        }
        if let problem = totalProblem(values, limits: kind.limits) { return failure(problem) }
        return .success(values)
    }

    /// The first problem of values that did not come from a file (an agent's answer): invalid names, a value or all
    /// of them larger than the limits of `kind`, in the same words as the file's errors. `source` names them.
    public static func check(_ values: [String: String], kind: Kind, source: String) -> OutputsFileError? {
        func error(_ problem: OutputsFileError.Problem) -> OutputsFileError {
            OutputsFileError(source: source, kind: kind, problem: problem, line: nil, text: nil)
        }
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            if let problem = nameProblem(name, kind: kind) { return error(problem) }
            if value.utf8.count > kind.limits.valueBytes {
                return error(.valueTooLarge(name: name, bytes: value.utf8.count))
            }
        }
        return totalProblem(values, limits: kind.limits).map(error)
    }

    /// The problem with all of `values` together, if they are larger than `limits.totalBytes`.
    static func totalProblem(_ values: [String: String], limits: OutputLimits) -> OutputsFileError.Problem? {
        let total = values.values.reduce(0) { $0 + $1.utf8.count }
        guard total > limits.totalBytes else { return nil }
        let largest = values.map { (name: $0.key, bytes: $0.value.utf8.count) }
            .sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.name < $1.name }
        return .totalTooLarge(
            bytes: total, largest: largest.prefix(3).map { OutputsFileError.Size(name: $0.name, bytes: $0.bytes) })
    }

    /// Why `name` is not a valid name in a file of `kind`, or nil.
    static func nameProblem(_ name: String, kind: Kind) -> OutputsFileError.Problem? {
        if name.isEmpty { return .emptyName }
        switch kind {
        case .outputs:
            return IDSyntax.problem(name).map { .invalidOutputName(name, $0) }
        case .environment:
            let bytes = Array(name.utf8)
            let valid =
                IDSyntax.isStart(bytes[0])
                && bytes.allSatisfy { IDSyntax.isStart($0) || ($0 >= 0x30 && $0 <= 0x39) }
            guard valid else { return .invalidVariableName(name) }
            return ReservedVariables.contains(name) ? .reservedVariable(name) : nil
        case .summary:
            return nil
        }
    }

    static func withoutCarriageReturn(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == 0x0D ? line.dropLast() : line
    }

    /// The index of the first `<<` in `line`.
    static func firstHeredoc(in line: ArraySlice<UInt8>) -> Int? {
        var index = line.startIndex
        while index + 1 < line.endIndex {
            if line[index] == 0x3C, line[index + 1] == 0x3C { return index }
            index += 1
        }
        return nil
    }
}

/// Whether a delimiter occurs in a line, in time linear in both (Knuth–Morris–Pratt): a 1 MiB delimiter against
/// 1 MiB of value lines must not take quadratic time.
struct SubstringSearch {
    let needle: [UInt8]
    /// For each prefix of the needle, the length of its longest proper prefix that is also its suffix.
    let fallback: [Int]

    init(_ needle: ArraySlice<UInt8>) {
        self.needle = Array(needle)
        var fallback = [Int](repeating: 0, count: needle.count)
        var length = 0
        var index = 1
        while index < self.needle.count {
            if self.needle[index] == self.needle[length] {
                length += 1
                fallback[index] = length
                index += 1
            } else if length > 0 {
                length = fallback[length - 1]
            } else {
                index += 1
            }
        }
        self.fallback = fallback
    }

    /// Whether the needle (not empty) occurs in `haystack`.
    func occurs(in haystack: ArraySlice<UInt8>) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return false }
        var matched = 0
        for byte in haystack {
            while matched > 0, needle[matched] != byte { matched = fallback[matched - 1] }
            if needle[matched] == byte { matched += 1 }
            if matched == needle.count { return true }
        }
        return false
    }
}
