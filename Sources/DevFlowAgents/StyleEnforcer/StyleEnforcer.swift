import DevFlowGraph
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
        // The agent reads every file itself (it needs the bytes and line endings): the whole workspace is listed only.
        let scope =
            request.string("scope") == "all"
            ? AgentScope.all(in: request.workspace, readingLines: false) : try request.scope()
        // Properties are resolved one file after another (the parsed .editorconfig files are cached); the files are
        // then read, checked and fixed in parallel, each on its own.
        var config = EditorConfig(workspace: request.workspace)
        let work: [(file: AgentScope.File, properties: EditorConfig.Properties)] = scope.files.compactMap { file in
            var properties = config.properties(for: file.path)
            if let lengthOverride { properties.maxLineLength = lengthOverride > 0 ? lengthOverride : nil }
            return properties.isEmpty ? nil : (file, properties)
        }
        let workspace = request.workspace
        let wholeWorkspace = scope.isWholeWorkspace
        let outcomes = ParallelMap.map(work) { item in
            Result {
                try check(
                    item.file, properties: item.properties, workspace: workspace, wholeWorkspace: wholeWorkspace,
                    fix: fix)
            }
        }
        var findings: [Finding] = []
        var notes = scope.skipped.map { "skipped \($0)" }
        var fixedFiles = 0
        var checked = 0
        for outcome in outcomes {
            switch try outcome.get() {
            case .checked(let found, let fixed)?:
                checked += 1
                findings += found
                if fixed { fixedFiles += 1 }
            case .skipped(let note)?: notes.append(note)
            case nil: break
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

    /// What checking one file gave.
    enum FileOutcome: Sendable {
        case checked([Finding], fixed: Bool)
        case skipped(String)
    }

    /// Reads one file, checks the lines in scope and, with `fix`, writes the fixed file.
    static func check(
        _ file: AgentScope.File, properties: EditorConfig.Properties, workspace: String, wholeWorkspace: Bool,
        fix: Bool
    ) throws -> FileOutcome? {
        let path = "\(workspace)/\(file.path)"
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        if data.count > AgentScope.maximumFileBytes {
            return .skipped("skipped \(file.path): \(data.count) bytes, over the limit")
        }
        if AgentScope.isBinary(data) { return .skipped("skipped \(file.path): binary") }
        let text = StyledText(bytes: [UInt8](data))
        let lines = wholeWorkspace ? nil : Set(file.lines.map(\.number))
        let check = EditorConfigCheck(path: file.path, text: text, properties: properties, lines: lines)
        var fixed = false
        if fix, check.fixed != text.lines {
            try write(check.fixed, byteOrderMark: text.hasBOM, to: path)
            fixed = true
        }
        return .checked(check.findings, fixed: fixed)
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
    /// One line: slices of the file's bytes (no copy), or of a repaired line.
    struct Line: Equatable {
        var content: ArraySlice<UInt8>
        var terminator: ArraySlice<UInt8>
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
        body.withUnsafeBufferPointer { buffer in
            let offset = body.startIndex
            var index = 0
            while index < buffer.count {
                let byte = buffer[index]
                if byte == 10 || byte == 13 {
                    var end = index + 1
                    if byte == 13, end < buffer.count, buffer[end] == 10 { end += 1 }
                    lines.append(
                        Line(content: body[start..<offset + index], terminator: body[offset + index..<offset + end]))
                    start = offset + end
                    index = end
                } else {
                    index += 1
                }
            }
        }
        if start < body.endIndex { lines.append(Line(content: body[start...], terminator: [])) }
    }
}
