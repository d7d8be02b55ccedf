import DevFlowGraph
import Foundation

/// A formatter the project configures for `style-enforcer`, run in check mode.
///
/// `output: diff` (the default): the command prints a unified diff (`black --diff`, `gofmt -d`, `ruff format
/// --diff`, `swift format` piped through `diff -u`…). `output: formatted`: the command prints the formatted file
/// (`clang-format {file}`, `swift format {file}`) and the agent diffs it. `{files}` is replaced by the files in scope
/// that match `patterns` (shell-quoted; the command runs once), `{file}` by one file (the command runs per file).
struct StyleFormatter {
    var name: String
    var command: String
    var formatted: Bool
    var patterns: GlobList?
    var timeout: Double

    static func configured(_ request: AgentRequest) throws -> [StyleFormatter] {
        try request.objects("formatters").enumerated().map { index, object in
            guard let command = object["command"]?.interpolated, !command.isEmpty else {
                throw BuiltInAgentError("formatters[\(index)] needs a command")
            }
            guard command.contains("{file}") || command.contains("{files}") else {
                throw BuiltInAgentError("formatters[\(index)].command must name the files with {file} or {files}")
            }
            let output = object["output"]?.interpolated ?? "diff"
            guard output == "diff" || output == "formatted" else {
                throw BuiltInAgentError("formatters[\(index)].output is '\(output)'; expected diff or formatted")
            }
            if output == "formatted" && !command.contains("{file}") {
                throw BuiltInAgentError("formatters[\(index)] with output: formatted must use {file}")
            }
            let patterns = object["patterns"]?.stringList.map(GlobList.init)
            let timeout: Double
            if case .number(let seconds)? = object["timeout"] { timeout = seconds } else { timeout = 300 }
            return StyleFormatter(
                name: object["name"]?.interpolated ?? String(command.split(separator: " ").first ?? "formatter"),
                command: command, formatted: output == "formatted", patterns: patterns, timeout: timeout)
        }
    }

    /// Runs every formatter on the files in scope and turns the hunks touching lines in scope into findings; with
    /// `apply`, writes those hunks to the files.
    static func check(_ formatters: [StyleFormatter], scope: AgentScope, request: AgentRequest, apply: Bool) throws
        -> (findings: [Finding], notes: [String])
    {
        var findings: [Finding] = []
        var notes: [String] = []
        for formatter in formatters {
            let paths = scope.files.map(\.path).filter { formatter.patterns?.matches($0) ?? true }
                .filter { FileManager.default.fileExists(atPath: request.absolute($0)) }
            guard !paths.isEmpty else { continue }
            var hunksByFile: [String: [UnifiedDiff.Hunk]] = [:]
            if formatter.command.contains("{file}") {
                for path in paths {
                    let output = try formatter.invoke(replacing: "{file}", with: quote(path), in: request.workspace)
                    if formatter.formatted {
                        let current = lines(FileManager.default.contents(atPath: request.absolute(path)) ?? Data())
                        hunksByFile[path] = UnifiedDiff.hunks(old: current, new: lines(Data(output.utf8)), context: 0)
                    } else {
                        try collect(output, formatter: formatter, workspace: request.workspace, into: &hunksByFile)
                    }
                }
            } else {
                let output = try formatter.invoke(
                    replacing: "{files}", with: paths.map(quote).joined(separator: " "), in: request.workspace)
                try collect(output, formatter: formatter, workspace: request.workspace, into: &hunksByFile)
            }
            var applied = 0
            for (path, hunks) in hunksByFile.sorted(by: { $0.key < $1.key }) {
                let inScope = scope.isWholeWorkspace ? nil : scope.lineNumbers(of: path)
                let wanted = hunks.filter { hunk in
                    guard let inScope else { return true }
                    return hunk.touchedOldLines.contains { inScope.contains($0) }
                }
                for hunk in wanted {
                    let lines = hunk.touchedOldLines
                    findings.append(
                        Finding(
                            rule: "formatting", severity: .low, file: path, line: lines.lowerBound, column: 1,
                            endLine: lines.upperBound, endColumn: 1,
                            message:
                                "\(formatter.name) would reformat \(lines.count == 1 ? "line \(lines.lowerBound)" : "lines \(lines.lowerBound)–\(lines.upperBound)")",
                            fix: UnifiedDiff.header(path: path) + hunk.text))
                }
                if apply, !wanted.isEmpty {
                    let absolute = request.absolute(path)
                    let current = lines(FileManager.default.contents(atPath: absolute) ?? Data())
                    do {
                        let updated = try UnifiedDiff.apply(wanted, to: current)
                        try Data((updated.joined(separator: "\n") + "\n").utf8).write(
                            to: URL(fileURLWithPath: absolute), options: .atomic)
                        applied += 1
                    } catch {
                        notes.append("\(formatter.name)'s changes to \(path) were not applied: \(error)")
                    }
                }
            }
            if apply { notes.append("applied \(formatter.name)'s changes to \(files(applied))") }
        }
        return (findings, notes)
    }

    /// Runs the command with its placeholder replaced; exit 0 or 1 means "checked" (1: changes needed).
    func invoke(replacing placeholder: String, with value: String, in workspace: String) throws -> String {
        let result = try AgentShell.run(
            command.replacingOccurrences(of: placeholder, with: value), in: workspace, timeout: timeout)
        if result.timedOut { throw BuiltInAgentError("formatter '\(name)' did not finish within \(Int(timeout)) s") }
        guard result.exitCode == 0 || (result.exitCode == 1 && !result.stdout.isEmpty) else {
            let detail = result.stderr.split(separator: "\n").suffix(3).joined(separator: " / ")
            throw BuiltInAgentError(
                "formatter '\(name)' failed (exit \(result.exitCode.map(String.init) ?? "by signal")): \(detail)")
        }
        return result.stdout
    }

    static func collect(
        _ output: String, formatter: StyleFormatter, workspace: String, into hunks: inout [String: [UnifiedDiff.Hunk]]
    ) throws {
        do {
            for patch in try UnifiedDiff.parse(output) {
                guard let path = patch.oldPath ?? patch.newPath else { continue }
                hunks[normalized(path, workspace: workspace), default: []] += patch.hunks
            }
        } catch {
            throw BuiltInAgentError("formatter '\(formatter.name)' printed a diff that cannot be read: \(error)")
        }
    }

    /// Diff paths as formatters print them: `./x`, `x`, or an absolute path inside the workspace.
    static func normalized(_ path: String, workspace: String) -> String {
        if path.hasPrefix(workspace + "/") { return String(path.dropFirst(workspace.count + 1)) }
        return path.hasPrefix("./") ? String(path.dropFirst(2)) : path
    }

    static func lines(_ data: Data) -> [String] {
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
