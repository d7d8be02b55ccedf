import Foundation

/// `style-enforcer`: `.editorconfig` rules on the lines in scope, the project's formatters in check mode, and with
/// `fix: true` the fixes written back to the workspace.
///
/// Rules (severity low): `indent-style`, `indent-size`, `trailing-whitespace`, `end-of-line`, `final-newline`,
/// `max-line-length`, `charset`, and `formatting` for a formatter's change. Every fixable finding carries its patch.
enum StyleEnforcer {
    static func run(_ request: AgentRequest) throws -> BuiltInAgentResult {
        let failOn = try request.failOn(default: .low)
        let fix = try request.bool("fix", default: false)
        let lengthOverride = try request.inputs["max_line_length"].map { _ in
            Int(try request.number("max_line_length", default: 0))
        }
        let formatters = try StyleFormatter.configured(request)
        let scope = try request.scope()
        var config = EditorConfig(workspace: request.workspace)
        var findings: [Finding] = []
        var notes = scope.skipped.map { "skipped \($0)" }
        var fixedFiles = 0
        var checked = 0
        for file in scope.files {
            var properties = config.properties(for: file.path)
            if let lengthOverride { properties.maxLineLength = lengthOverride > 0 ? lengthOverride : nil }
            guard !properties.isEmpty else { continue }
            guard let data = FileManager.default.contents(atPath: request.absolute(file.path)) else { continue }
            if data.count > AgentScope.maximumFileBytes {
                notes.append("skipped \(file.path): \(data.count) bytes, over the limit")
                continue
            }
            if data.prefix(8000).contains(0) {
                notes.append("skipped \(file.path): binary")
                continue
            }
            checked += 1
            let text = StyledText(bytes: [UInt8](data))
            let lines = scope.isWholeWorkspace ? nil : Set(file.lines.map(\.number))
            let check = EditorConfigCheck(path: file.path, text: text, properties: properties, lines: lines)
            findings += check.findings
            if fix, check.fixed != text.lines {
                try write(check.fixed, byteOrderMark: text.hasBOM, to: request.absolute(file.path))
                fixedFiles += 1
            }
        }
        if !formatters.isEmpty {
            let formatted = try StyleFormatter.check(formatters, scope: scope, request: request, apply: fix)
            findings += formatted.findings
            notes += formatted.notes
        }
        if fix { notes.append("fixed \(fixedFiles) file\(fixedFiles == 1 ? "" : "s") for .editorconfig rules") }
        return .judged(
            agent: "style-enforcer", findings: findings, failOn: failOn, checked: files(checked), notes: notes)
    }

    /// Writes `lines` (terminators included) atomically: a temporary file in the same directory, then a rename.
    static func write(_ lines: [StyledText.Line], byteOrderMark: Bool, to path: String) throws {
        var bytes: [UInt8] = byteOrderMark ? [0xEF, 0xBB, 0xBF] : []
        for line in lines { bytes += line.content + line.terminator }
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// A file's bytes split into lines that keep their terminators (`\n`, `\r\n`, `\r` or none on the last line).
struct StyledText {
    struct Line: Equatable {
        var content: [UInt8]
        var terminator: [UInt8]
        var text: String { String(decoding: content, as: UTF8.self) }
    }

    var lines: [Line] = []
    var hasBOM = false
    var isValidUTF8 = true

    init(bytes: [UInt8]) {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) {
            hasBOM = true
            body = body.dropFirst(3)
        }
        isValidUTF8 = String(validating: body, as: UTF8.self) != nil
        var start = body.startIndex
        var index = start
        while index < body.endIndex {
            let byte = body[index]
            if byte == 10 || byte == 13 {
                var end = index + 1
                if byte == 13, end < body.endIndex, body[end] == 10 { end += 1 }
                lines.append(Line(content: Array(body[start..<index]), terminator: Array(body[index..<end])))
                start = end
                index = end
            } else {
                index += 1
            }
        }
        if start < body.endIndex { lines.append(Line(content: Array(body[start...]), terminator: [])) }
    }
}
