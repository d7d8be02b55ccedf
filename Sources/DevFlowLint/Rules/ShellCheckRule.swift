import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import DevFlowSyntax
import Foundation

/// Runs shellcheck on every `run:` script whose shell is sh or bash, mapping its findings to the YAML source.
public enum ShellCheckRule {
    /// The rule's catalogue entry.
    public static let descriptor = RuleDescriptor(
        code: "DF028", name: "shellcheck", severity: .warning,
        summary: "shellcheck reports a problem in a run: script",
        explanation: """
            When `shellcheck` is on PATH, every `run:` script whose shell is `sh` or `bash` (the \
            default) is checked, with `${{ }}` placeholders masked, and each finding is reported at \
            its exact line and column in the pipeline file, with shellcheck's own code (SC2086…). \
            Findings keep shellcheck's level: its errors and warnings are reported as warnings, its \
            info and style notes as info, so `--fail-on warning` fails only on the former. \
            Turn it off with `shellcheck: false` in `.devflow-lint.yml`.

            ```yaml
            steps:
              build:
                run: cd $DIR && make      # DF028: SC2086 double quote to prevent globbing
            ```
            """)

    /// The shellcheck executable found on PATH, if any.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/shellcheck"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    struct Finding: Decodable {
        let line: Int
        let column: Int
        let endLine: Int
        let endColumn: Int
        let level: String
        let code: Int
        let message: String
    }

    struct Report: Decodable {
        let comments: [Finding]
    }

    /// shellcheck's findings by script, kept across lints by a long-lived linter (the language server), so an edit
    /// runs shellcheck again only on the scripts it changed. Bounded: emptied when it holds 4,096 scripts.
    public final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var findings: [String: [Finding]] = [:]

        /// An empty cache.
        public init() {}

        subscript(key: String) -> [Finding]? {
            get {
                lock.lock()
                defer { lock.unlock() }
                return findings[key]
            }
            set {
                lock.lock()
                defer { lock.unlock() }
                if findings.count >= 4_096 { findings.removeAll() }
                findings[key] = newValue
            }
        }
    }

    /// Checks every hook step of `pipeline`; `cache` keeps the findings of scripts for later lints.
    public static func check(_ pipeline: PipelineDecl, source: SourceFile, executable: String, cache: Cache = Cache())
        -> [Diagnostic]
    {
        var diagnostics: [Diagnostic] = []
        for step in pipeline.steps {
            guard let run = step.run, let node = step.runNode, node.aliasSpan == nil else { continue }
            let shell = step.shell?.value ?? "bash"
            let dialect = shell.hasPrefix("sh") ? "sh" : shell.hasPrefix("bash") ? "bash" : nil
            guard let dialect else { continue }
            let masked = mask(run.value)
            // Identical scripts (generated pipelines repeat them) are checked once.
            let key = "\(dialect)\u{0}\(masked)"
            let findings: [Finding]
            if let known = cache[key] {
                findings = known
            } else {
                guard let fresh = invoke(executable, script: masked, dialect: dialect) else { continue }
                cache[key] = fresh
                findings = fresh
            }
            let mapper = ScriptMapper(source: source, node: node, script: masked)
            for finding in findings {
                let severity: Severity =
                    finding.level == "error" ? .error : finding.level == "warning" ? .warning : .info
                var text = finding.message.prefix(1).lowercased() + finding.message.dropFirst()
                while text.hasSuffix(".") { text.removeLast() }
                var diagnostic = descriptor.diagnostic(
                    "SC\(finding.code) in the script of step '\(step.id.value)': \(text)",
                    at: mapper.span(
                        line: finding.line, column: finding.column, endLine: finding.endLine,
                        endColumn: finding.endColumn),
                    notes: ["see https://www.shellcheck.net/wiki/SC\(finding.code)"])
                diagnostic.severity = min(severity, .warning)
                diagnostics.append(diagnostic)
            }
        }
        return diagnostics
    }

    /// Replaces each `${{ … }}` with underscores of the same length so columns still line up.
    static func mask(_ script: String) -> String {
        let template = Template(script)
        var out = ""
        for segment in template.segments {
            switch segment {
            case .text(let text): out += text
            case .expression(let source, _, _): out += "_" + String(repeating: "_", count: source.count + 4) + "_"
            }
        }
        return out
    }

    static func invoke(_ executable: String, script: String, dialect: String) -> [Finding]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--format=json1", "--shell=\(dialect)", "--exclude=SC2154", "-"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let writer = Thread {
            input.fileHandleForWriting.write(Data(script.utf8))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try? JSONDecoder().decode(Report.self, from: data).comments
    }
}

/// Maps (line, column) in a `run:` script back to the YAML source.
struct ScriptMapper {
    let source: SourceFile
    let node: YAMLNode
    let script: String

    /// Finds the flagged text in the block's source when the script was folded and lines no longer correspond.
    func search(line: Int, column: Int, endLine: Int, endColumn: Int) -> SourceSpan? {
        let lines = script.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return nil }
        let text = Array(lines[line - 1].unicodeScalars)
        let start = max(0, column - 1)
        let end = endLine == line ? min(text.count, max(start + 1, endColumn - 1)) : text.count
        guard start < end else { return nil }
        let needle = Array(String(String.UnicodeScalarView(text[start..<end])).utf8)
        // The same occurrence (the n-th in the script is the n-th in the source: folding keeps the words).
        let prefix =
            lines[..<(line - 1)].joined(separator: "\n") + (line > 1 ? "\n" : "")
            + String(String.UnicodeScalarView(text[..<start]))
        let occurrence = Self.count(needle, in: Array(prefix.utf8), upTo: Array(prefix.utf8).count)
        let low = node.span.start.offset
        let high = min(source.bytes.count, node.span.end.offset)
        var index = low
        var seen = 0
        while index + needle.count <= high {
            if source.bytes[index..<index + needle.count].elementsEqual(needle) {
                if seen == occurrence { return source.span(from: index, to: index + needle.count) }
                seen += 1
            }
            index += 1
        }
        return nil
    }

    static func count(_ needle: [UInt8], in haystack: [UInt8], upTo limit: Int) -> Int {
        var found = 0
        var index = 0
        while index + needle.count <= limit {
            if haystack[index..<index + needle.count].elementsEqual(needle) { found += 1 }
            index += 1
        }
        return found
    }

    func span(line: Int, column: Int, endLine: Int, endColumn: Int) -> SourceSpan {
        let style = node.scalar?.style ?? .plain
        let blockLines = node.span.end.line - node.span.start.line
        let scriptLines = (node.scalar?.value ?? "").split(separator: "\n", omittingEmptySubsequences: false).count - 1
        if style == .literal || (style == .folded && scriptLines == blockLines) {
            let first = node.span.start.line + 1
            let last = max(first, node.span.end.line - 1)
            let line = min(line, last - first + 1)
            let endLine = min(max(endLine, line), last - first + 1)
            var indent = 0
            for candidate in first...max(first, min(source.lineCount, node.span.end.line)) {
                let text = source.text(ofLine: candidate)
                if !text.allSatisfy({ $0 == " " }) {
                    indent = text.prefix { $0 == " " }.count
                    break
                }
            }
            let start = source.position(line: first + line - 1, column: indent + column)
            let end = source.position(line: first + endLine - 1, column: indent + endColumn)
            return SourceSpan(file: source.path, start: start, end: max(start, end))
        }
        if line == 1, endLine == 1, node.span.start.line == node.span.end.line {
            let quote = style == .plain ? 0 : 1
            let start = source.position(line: node.span.start.line, column: node.span.start.column + quote + column - 1)
            let end = source.position(
                line: node.span.start.line, column: node.span.start.column + quote + endColumn - 1)
            return SourceSpan(file: source.path, start: start, end: max(start, end))
        }
        return search(line: line, column: column, endLine: endLine, endColumn: endColumn) ?? node.span
    }
}
