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

    /// Checks every hook step of `pipeline`.
    public static func check(_ pipeline: PipelineDecl, source: SourceFile, executable: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for step in pipeline.steps {
            guard let run = step.run, let node = step.runNode, node.aliasSpan == nil else { continue }
            let shell = step.shell?.value ?? "bash"
            let dialect = shell.hasPrefix("sh") ? "sh" : shell.hasPrefix("bash") ? "bash" : nil
            guard let dialect else { continue }
            let masked = mask(run.value)
            guard let findings = invoke(executable, script: masked, dialect: dialect) else { continue }
            let mapper = ScriptMapper(source: source, node: node)
            for finding in findings {
                let severity: Severity = finding.level == "error" ? .error : finding.level == "warning" ? .warning : .info
                var diagnostic = descriptor.diagnostic(
                    "SC\(finding.code): \(finding.message.prefix(1).lowercased() + finding.message.dropFirst()) in the script of step '\(step.id.value)'",
                    at: mapper.span(line: finding.line, column: finding.column, endLine: finding.endLine, endColumn: finding.endColumn),
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

    func span(line: Int, column: Int, endLine: Int, endColumn: Int) -> SourceSpan {
        let style = node.scalar?.style ?? .plain
        if style == .literal {
            let first = node.span.start.line + 1
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
            let end = source.position(line: node.span.start.line, column: node.span.start.column + quote + endColumn - 1)
            return SourceSpan(file: source.path, start: start, end: max(start, end))
        }
        return node.span
    }
}
