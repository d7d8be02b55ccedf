/// The `.editorconfig` rules on one file: findings on the lines in scope, and the file with those lines fixed.
struct EditorConfigCheck {
    private(set) var findings: [Finding] = []
    /// The file's lines with every fixable finding fixed (only the lines in scope change).
    private(set) var fixed: [StyledText.Line]

    init(path: String, text: StyledText, properties: EditorConfig.Properties, lines inScope: Set<Int>?) {
        fixed = text.lines
        func wanted(_ number: Int) -> Bool { inScope?.contains(number) ?? true }
        func add(_ rule: String, _ number: Int, _ column: Int, _ endColumn: Int, _ message: String, fix: String? = nil)
        {
            findings.append(
                Finding(
                    rule: rule, severity: .low, file: path, line: number, column: column, endLine: number,
                    endColumn: endColumn, message: message, fix: fix))
        }
        if let charset = properties.charset {  // a property of the whole file: checked whenever the file is in scope
            switch charset {
            case "utf-8" where !text.isValidUTF8:
                add("charset", 1, 1, 1, "the file is not valid UTF-8; .editorconfig says charset = utf-8")
            case "utf-8" where text.hasBOM:
                add("charset", 1, 1, 1, "the file starts with a byte order mark; .editorconfig says charset = utf-8")
            case "utf-8-bom" where !text.hasBOM:
                add("charset", 1, 1, 1, "the file has no byte order mark; .editorconfig says charset = utf-8-bom")
            default: break
            }
        }
        let expected: [UInt8]? =
            switch properties.endOfLine {
            case "lf"?: [10]
            case "crlf"?: [13, 10]
            case "cr"?: [13]
            default: nil
            }
        let width = properties.indentWidth
        for (index, line) in text.lines.enumerated() where wanted(index + 1) {
            let number = index + 1
            let characters = Array(line.text)
            var repaired = characters
            var problems: [(rule: String, column: Int, endColumn: Int, message: String, fixable: Bool)] = []
            // Leading whitespace.
            let indent = characters.prefix { $0 == " " || $0 == "\t" }
            let restStartsComment = characters.dropFirst(indent.count).first == "*"
            switch properties.indentStyle {
            case "space"? where indent.contains("\t"):
                problems.append(
                    (
                        "indent-style", 1, indent.count + 1,
                        "indented with tabs; .editorconfig says indent_style = space",
                        true
                    ))
                var columns = 0
                for character in indent { columns = character == "\t" ? (columns / width + 1) * width : columns + 1 }
                repaired.replaceSubrange(0..<indent.count, with: Array(repeating: " ", count: columns))
            case "space"?
            where properties.indentSize != nil && indent.count % width != 0
                && !(restStartsComment && indent.count % width == 1):
                problems.append(
                    (
                        "indent-size", 1, indent.count + 1,
                        "indented by \(indent.count) spaces, not a multiple of indent_size = \(width)", false
                    ))
            case "tab"?
            where indent.prefix { $0 == "\t" }.count < indent.count
                && indent.count - indent.prefix { $0 == "\t" }.count >= width:
                problems.append(
                    (
                        "indent-style", 1, indent.count + 1,
                        "indented with spaces; .editorconfig says indent_style = tab",
                        true
                    ))
                var columns = 0
                for character in indent { columns = character == "\t" ? (columns / width + 1) * width : columns + 1 }
                let tabs = Array(repeating: Character("\t"), count: columns / width)
                repaired.replaceSubrange(0..<indent.count, with: tabs + Array(repeating: " ", count: columns % width))
            default: break
            }
            // Trailing whitespace.
            if properties.trimTrailingWhitespace == true, let last = characters.last, last == " " || last == "\t" {
                let kept = characters.lastIndex { $0 != " " && $0 != "\t" }.map { $0 + 1 } ?? 0
                problems.append(
                    (
                        "trailing-whitespace", kept + 1, characters.count + 1,
                        "\(characters.count - kept) trailing whitespace character\(characters.count - kept == 1 ? "" : "s")",
                        true
                    ))
                let trailing = repaired.count - (repaired.lastIndex { $0 != " " && $0 != "\t" }.map { $0 + 1 } ?? 0)
                repaired.removeLast(trailing)
            }
            // Line length.
            if let limit = properties.maxLineLength, characters.count > limit {
                problems.append(
                    (
                        "max-line-length", limit + 1, characters.count + 1,
                        "line is \(characters.count) characters long; max_line_length is \(limit)", false
                    ))
            }
            // Line ending.
            var terminator = line.terminator
            if let expected, !line.terminator.isEmpty, line.terminator != expected {
                problems.append(
                    (
                        "end-of-line", characters.count + 1, characters.count + 1,
                        "line ends with \(Self.name(line.terminator)); .editorconfig says end_of_line = \(properties.endOfLine!)",
                        true
                    ))
                terminator = expected
            }
            // Final newline.
            let isLast = index == text.lines.count - 1
            if isLast, properties.insertFinalNewline == true, line.terminator.isEmpty {
                problems.append(
                    (
                        "final-newline", characters.count + 1, characters.count + 1,
                        "the file does not end with a newline; .editorconfig says insert_final_newline = true", true
                    ))
                terminator = expected ?? (text.lines.count > 1 ? text.lines[0].terminator : [10])
            }
            if isLast, properties.insertFinalNewline == false, !line.terminator.isEmpty {
                problems.append(
                    (
                        "final-newline", characters.count + 1, characters.count + 1,
                        "the file ends with a newline; .editorconfig says insert_final_newline = false", true
                    ))
                terminator = []
            }
            guard !problems.isEmpty else { continue }
            let newLine = StyledText.Line(content: Array(String(repaired).utf8), terminator: terminator)
            let patch = newLine == line ? nil : Self.patch(path: path, number: number, old: line, new: newLine)
            if newLine != line { fixed[index] = newLine }
            for problem in problems {
                add(
                    problem.rule, number, problem.column, problem.endColumn, problem.message,
                    fix: problem.fixable ? patch : nil)
            }
        }
    }

    static func name(_ terminator: [UInt8]) -> String {
        switch terminator {
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
