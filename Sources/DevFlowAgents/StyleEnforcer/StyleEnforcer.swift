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
        guard let bytes = readFile(path) else { return nil }
        if bytes.count > AgentScope.maximumFileBytes {
            return .skipped("skipped \(file.path): over \(AgentScope.maximumFileBytes) bytes, the limit")
        }
        let isBinary = bytes.withUnsafeBytes { raw in
            raw.baseAddress.map { memchr($0, 0, min(raw.count, 8000)) != nil } ?? false
        }
        if isBinary { return .skipped("skipped \(file.path): binary") }
        let text = StyledText(bytes: bytes)
        let lines = wholeWorkspace ? nil : Set(file.lines.map(\.number))
        let check = EditorConfigCheck(path: file.path, text: text, properties: properties, lines: lines)
        guard fix, !check.repairs.isEmpty else { return .checked(check.findings, fixed: false) }
        try Data(text.applying(check.repairs)).write(to: URL(fileURLWithPath: path), options: .atomic)
        return .checked(check.findings, fixed: true)
    }

    /// The bytes of the regular file at `path`, read with one `read` per chunk into one array (at most one byte
    /// over `AgentScope.maximumFileBytes`, enough to tell it is over); nil when it cannot be opened.
    static func readFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        let capacity = min(Int(info.st_size), AgentScope.maximumFileBytes) + 1
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            count = 0
            while count < capacity {
                let got = read(descriptor, buffer.baseAddress! + count, capacity - count)
                if got <= 0 { break }
                count += got
            }
        }
    }
}
