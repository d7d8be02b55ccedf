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
            let bytes = line.content
            var repaired = Array(bytes)
            // Columns count characters; ASCII lines (nearly all) need no decoding.
            var cachedLength: Int?
            func length() -> Int {
                if let cachedLength { return cachedLength }
                let value = bytes.allSatisfy { $0 < 0x80 } ? bytes.count : line.text.count
                cachedLength = value
                return value
            }
            func characters(_ prefix: Int) -> Int {
                let head = bytes.prefix(prefix)
                return head.allSatisfy { $0 < 0x80 } ? prefix : String(decoding: head, as: UTF8.self).count
            }
            var problems: [(rule: String, column: Int, endColumn: Int, message: String, fixable: Bool)] = []
            // Leading whitespace.
            let indent = bytes.prefix { $0 == 32 || $0 == 9 }
            let restStartsComment = bytes.dropFirst(indent.count).first == 42  // "*"
            switch properties.indentStyle {
            case "space"? where indent.contains(9):
                problems.append(
                    (
                        "indent-style", 1, indent.count + 1,
                        "indented with tabs; .editorconfig says indent_style = space",
                        true
                    ))
                let columns = Self.columns(of: indent, tabWidth: width)
                repaired.replaceSubrange(0..<indent.count, with: Array(repeating: 32, count: columns))
            case "space"?
            where properties.indentSize != nil && indent.count % width != 0
                && !(restStartsComment && indent.count % width == 1):
                problems.append(
                    (
                        "indent-size", 1, indent.count + 1,
                        "indented by \(indent.count) spaces, not a multiple of indent_size = \(width)", false
                    ))
            case "tab"?
            where indent.prefix { $0 == 9 }.count < indent.count
                && indent.count - indent.prefix { $0 == 9 }.count >= width:
                problems.append(
                    (
                        "indent-style", 1, indent.count + 1,
                        "indented with spaces; .editorconfig says indent_style = tab",
                        true
                    ))
                let columns = Self.columns(of: indent, tabWidth: width)
                let tabs = [UInt8](repeating: 9, count: columns / width)
                repaired.replaceSubrange(0..<indent.count, with: tabs + [UInt8](repeating: 32, count: columns % width))
            default: break
            }
            // Trailing whitespace.
            if properties.trimTrailingWhitespace == true, let last = bytes.last, last == 32 || last == 9 {
                let kept = bytes.lastIndex { $0 != 32 && $0 != 9 }.map { $0 + 1 - bytes.startIndex } ?? 0
                let count = bytes.count - kept
                problems.append(
                    (
                        "trailing-whitespace", characters(kept) + 1, length() + 1,
                        "\(count) trailing whitespace character\(count == 1 ? "" : "s")", true
                    ))
                let trailing = repaired.count - (repaired.lastIndex { $0 != 32 && $0 != 9 }.map { $0 + 1 } ?? 0)
                repaired.removeLast(trailing)
            }
            // Line length.
            if let limit = properties.maxLineLength, bytes.count > limit, length() > limit {
                problems.append(
                    (
                        "max-line-length", limit + 1, length() + 1,
                        "line is \(length()) characters long; max_line_length is \(limit)", false
                    ))
            }
            // Line ending.
            var terminator = line.terminator
            if let expected, !line.terminator.isEmpty, !line.terminator.elementsEqual(expected) {
                problems.append(
                    (
                        "end-of-line", length() + 1, length() + 1,
                        "line ends with \(Self.name(line.terminator)); .editorconfig says end_of_line = \(properties.endOfLine!)",
                        true
                    ))
                terminator = expected[...]
            }
            // Final newline.
            let isLast = index == text.lines.count - 1
            if isLast, properties.insertFinalNewline == true, line.terminator.isEmpty {
                problems.append(
                    (
                        "final-newline", length() + 1, length() + 1,
                        "the file does not end with a newline; .editorconfig says insert_final_newline = true", true
                    ))
                terminator = expected.map { $0[...] } ?? (text.lines.count > 1 ? text.lines[0].terminator : [10])
            }
            if isLast, properties.insertFinalNewline == false, !line.terminator.isEmpty {
                problems.append(
                    (
                        "final-newline", length() + 1, length() + 1,
                        "the file ends with a newline; .editorconfig says insert_final_newline = false", true
                    ))
                terminator = []
            }
            guard !problems.isEmpty else { continue }
            let newLine = StyledText.Line(content: repaired[...], terminator: terminator)
            let patch = newLine == line ? nil : Self.patch(path: path, number: number, old: line, new: newLine)
            if newLine != line { fixed[index] = newLine }
            for problem in problems {
                add(
                    problem.rule, number, problem.column, problem.endColumn, problem.message,
                    fix: problem.fixable ? patch : nil)
            }
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
