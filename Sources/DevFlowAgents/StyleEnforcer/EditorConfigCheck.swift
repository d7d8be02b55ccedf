/// The `.editorconfig` rules on one file: findings on the lines in scope, and the repaired lines that fix them.
///
/// Lines are read in place from the file's bytes; a line is copied only when it has a finding. Most lines have
/// none, so the cost per line is a scan of its indentation, a look at its last byte and its length.
struct EditorConfigCheck {
    private(set) var findings: [Finding] = []
    /// The lines (by index) that fixable findings change, as they should be; only lines in scope change.
    private(set) var repairs: [Int: StyledText.Line] = [:]

    init(path: String, text: StyledText, properties: EditorConfig.Properties, lines inScope: Set<Int>?) {
        if let charset = properties.charset {  // a property of the whole file: checked whenever the file is in scope
            let finding: String? =
                switch charset {
                case "utf-8" where !text.isValidUTF8: "the file is not valid UTF-8; .editorconfig says charset = utf-8"
                case "utf-8" where text.hasBOM:
                    "the file starts with a byte order mark; .editorconfig says charset = utf-8"
                case "utf-8-bom" where !text.hasBOM:
                    "the file has no byte order mark; .editorconfig says charset = utf-8-bom"
                default: nil
                }
            if let finding {
                findings.append(
                    Finding(
                        rule: "charset", severity: .low, file: path, line: 1, column: 1, endLine: 1, endColumn: 1,
                        message: finding))
            }
        }
        let expected: [UInt8]? =
            switch properties.endOfLine {
            case "lf"?: [10]
            case "crlf"?: [13, 10]
            case "cr"?: [13]
            default: nil
            }
        let rules = LineRules(properties: properties, expectedTerminator: expected)
        text.bytes.withUnsafeBufferPointer { buffer in
            for (index, bounds) in text.lines.enumerated() {
                if let inScope, !inScope.contains(index + 1) { continue }
                let isLast = index == text.lines.count - 1
                guard rules.mayFind(buffer, bounds, isLast: isLast) else { continue }
                check(index, text: text, rules: rules, path: path)
            }
        }
    }

    /// The checks of one line that has (or may have) a finding.
    private mutating func check(_ index: Int, text: StyledText, rules: LineRules, path: String) {
        let number = index + 1
        let line = text.line(index)
        let bytes = line.content
        let width = rules.properties.indentWidth
        var repaired: [UInt8]?
        // Columns count characters; ASCII lines (nearly all) need no decoding.
        let isASCII = bytes.allSatisfy { $0 < 0x80 }
        let length = isASCII ? bytes.count : line.text.count
        func characters(_ prefix: Int) -> Int {
            isASCII ? prefix : String(decoding: bytes.prefix(prefix), as: UTF8.self).count
        }
        var problems: [(rule: String, column: Int, endColumn: Int, message: String, fixable: Bool)] = []
        let indent = bytes.prefix { $0 == 32 || $0 == 9 }
        switch bytes.withUnsafeBufferPointer({ rules.indentation(of: $0) }) {
        case .tabsWhereSpaces:
            problems.append(
                (
                    "indent-style", 1, indent.count + 1, "indented with tabs; .editorconfig says indent_style = space",
                    true
                ))
            let columns = Self.columns(of: indent, tabWidth: width)
            repaired = Array(repeating: 32, count: columns) + bytes.dropFirst(indent.count)
        case .notMultiple:
            problems.append(
                (
                    "indent-size", 1, indent.count + 1,
                    "indented by \(indent.count) spaces, not a multiple of indent_size = \(width)", false
                ))
        case .spacesWhereTabs:
            problems.append(
                (
                    "indent-style", 1, indent.count + 1, "indented with spaces; .editorconfig says indent_style = tab",
                    true
                ))
            let columns = Self.columns(of: indent, tabWidth: width)
            repaired =
                [UInt8](repeating: 9, count: columns / width) + [UInt8](repeating: 32, count: columns % width)
                + bytes.dropFirst(indent.count)
        case nil: break
        }
        if rules.properties.trimTrailingWhitespace == true, let last = bytes.last, last == 32 || last == 9 {
            let kept = bytes.lastIndex { $0 != 32 && $0 != 9 }.map { $0 + 1 - bytes.startIndex } ?? 0
            let count = bytes.count - kept
            problems.append(
                (
                    "trailing-whitespace", characters(kept) + 1, length + 1,
                    "\(count) trailing whitespace character\(count == 1 ? "" : "s")", true
                ))
            var trimmed = repaired ?? Array(bytes)
            trimmed.removeLast(trimmed.count - (trimmed.lastIndex { $0 != 32 && $0 != 9 }.map { $0 + 1 } ?? 0))
            repaired = trimmed
        }
        if let limit = rules.properties.maxLineLength, bytes.count > limit, length > limit {
            problems.append(
                (
                    "max-line-length", limit + 1, length + 1,
                    "line is \(length) characters long; max_line_length is \(limit)", false
                ))
        }
        var terminator = line.terminator
        if let expected = rules.expectedTerminator, !line.terminator.isEmpty,
            !line.terminator.elementsEqual(expected)
        {
            problems.append(
                (
                    "end-of-line", length + 1, length + 1,
                    "line ends with \(Self.name(line.terminator)); .editorconfig says end_of_line = \(rules.properties.endOfLine!)",
                    true
                ))
            terminator = expected[...]
        }
        if index == text.lines.count - 1 {
            if rules.properties.insertFinalNewline == true, line.terminator.isEmpty {
                problems.append(
                    (
                        "final-newline", length + 1, length + 1,
                        "the file does not end with a newline; .editorconfig says insert_final_newline = true", true
                    ))
                terminator =
                    rules.expectedTerminator.map { $0[...] } ?? (text.lines.count > 1 ? text.line(0).terminator : [10])
            }
            if rules.properties.insertFinalNewline == false, !line.terminator.isEmpty {
                problems.append(
                    (
                        "final-newline", length + 1, length + 1,
                        "the file ends with a newline; .editorconfig says insert_final_newline = false", true
                    ))
                terminator = []
            }
        }
        guard !problems.isEmpty else { return }
        let newLine = StyledText.Line(content: repaired.map { $0[...] } ?? bytes, terminator: terminator)
        let patch = newLine == line ? nil : Self.patch(path: path, number: number, old: line, new: newLine)
        if newLine != line { repairs[index] = newLine }
        for problem in problems {
            findings.append(
                Finding(
                    rule: problem.rule, severity: .low, file: path, line: number, column: problem.column,
                    endLine: number, endColumn: problem.endColumn, message: problem.message,
                    fix: problem.fixable ? patch : nil))
        }
    }

    /// The display width of leading spaces and tabs, tabs stopping at multiples of `tabWidth`.
    static func columns(of indent: ArraySlice<UInt8>, tabWidth: Int) -> Int {
        var columns = 0
        for byte in indent { columns = byte == 9 ? (columns / tabWidth + 1) * tabWidth : columns + 1 }
        return columns
    }

    static func name(_ terminator: ArraySlice<UInt8>) -> String {
        switch Array(terminator) {
        case [13, 10]: "CRLF"
        case [13]: "CR"
        default: "LF"
        }
    }

    /// A one-line patch; a line without a terminator gets git's "No newline at end of file" marker.
    static func patch(path: String, number: Int, old: StyledText.Line, new: StyledText.Line) -> String {
        func body(_ mark: String, _ line: StyledText.Line) -> String {
            let carriage = line.terminator.first == 13 ? "\r" : ""
            return "\(mark)\(line.text)\(carriage)\n"
                + (line.terminator.isEmpty ? "\\ No newline at end of file\n" : "")
        }
        return UnifiedDiff.header(path: path) + "@@ -\(number) +\(number) @@\n" + body("-", old) + body("+", new)
    }
}
