import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import DevFlowSyntax
import Foundation

/// One `devflow-lint` invocation: discover, read, lint, render, and decide the exit code.
public struct LintSession: Sendable {
    /// Output formats.
    public enum Format: String, CaseIterable, Sendable {
        /// Source lines with underlines.
        case text
        /// A JSON array.
        case json
        /// SARIF 2.1.0.
        case sarif
        /// GitHub workflow commands.
        case github
        /// GitLab Code Quality.
        case gitlab
    }

    /// Exit codes: 0 clean, 1 findings at or above the failing severity, 2 usage error, 3 internal failure.
    public enum ExitCode: Int32, Sendable {
        /// No finding at or above the failing severity.
        case clean = 0
        /// Findings at or above the failing severity.
        case findings = 1
        /// Bad options, missing files, bad configuration.
        case usage = 2
        /// DevFlow itself failed.
        case internalFailure = 3
    }

    /// The result: what to print on stdout and stderr, and the exit code.
    public struct Outcome: Error, Sendable {
        /// Rendered report.
        public var output: String
        /// Messages for people (usage errors).
        public var errors: String
        /// The exit code.
        public var exitCode: ExitCode
    }

    /// Paths as given (empty: the default locations).
    public var paths: [String]
    /// The output format.
    public var format: Format
    /// An explicit configuration file.
    public var configPath: String?
    /// Overrides the configuration's failing severity.
    public var failOn: Severity?
    /// Disables shellcheck.
    public var noShellcheck: Bool
    /// Colours for the text format.
    public var colored: Bool
    /// The directory paths are relative to.
    public var workingDirectory: String
    /// Reads standard input for `-`.
    public var readStandardInput: @Sendable () -> Data
    /// The file name diagnostics of standard input (`-`) carry.
    public var standardInputName = "<stdin>"
    /// `--fix` (in place) or `--fix --diff`; nil: report only.
    public var fixMode: FixMode?
    /// `--unsafe-fixes`: also apply fix-its that are guesses.
    public var unsafeFixes = false

    /// Creates a session.
    public init(
        paths: [String], format: Format, configPath: String?, failOn: Severity?, noShellcheck: Bool, colored: Bool,
        workingDirectory: String = FileManager.default.currentDirectoryPath,
        readStandardInput: @escaping @Sendable () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }
    ) {
        self.paths = paths
        self.format = format
        self.configPath = configPath
        self.failOn = failOn
        self.noShellcheck = noShellcheck
        self.colored = colored
        self.workingDirectory = workingDirectory
        self.readStandardInput = readStandardInput
    }

    func usage(_ message: String) -> Outcome {
        Outcome(output: "", errors: "devflow-lint: \(message)\n", exitCode: .usage)
    }

    /// Loads the configuration: the explicit file, or `.devflow-lint.yml` in the working directory.
    func loadConfiguration() -> Result<LintConfiguration, LintConfiguration.Problem> {
        var path = configPath
        if path == nil {
            path = LintConfiguration.fileNames.first {
                FileManager.default.fileExists(atPath: "\(workingDirectory)/\($0)")
            }
        }
        guard let path else { return .success(LintConfiguration()) }
        let absolute = path.hasPrefix("/") ? path : "\(workingDirectory)/\(path)"
        guard let data = FileManager.default.contents(atPath: absolute) else {
            return .failure(.init(description: "cannot read configuration file '\(path)'"))
        }
        do throws(LintConfiguration.Problem) {
            return .success(
                try LintConfiguration.parse(SourceFile(path: path, bytes: Array(data)), rules: Linter.rules))
        } catch {
            return .failure(error)
        }
    }

    /// Reads a file as a source, refusing oversized files without reading them whole.
    func read(_ path: String) -> Result<SourceFile, Unreadable> {
        if path == "-" { return .success(SourceFile(path: standardInputName, bytes: Array(readStandardInput()))) }
        let absolute = path.hasPrefix("/") ? path : "\(workingDirectory)/\(path)"
        let attributes = try? FileManager.default.attributesOfItem(atPath: absolute)
        if let size = attributes?[.size] as? Int, size > YAMLParser.maximumFileSize {
            return .failure(
                Unreadable(
                    diagnostic: SyntaxRules.inputLimit.diagnostic(
                        "file is \(size) bytes, over the limit of \(YAMLParser.maximumFileSize) bytes",
                        at: .fileStart(path))))
        }
        guard let data = FileManager.default.contents(atPath: absolute) else {
            return .failure(
                Unreadable(diagnostic: SyntaxRules.yamlSyntax.diagnostic("cannot read the file", at: .fileStart(path))))
        }
        return .success(SourceFile(path: path, bytes: Array(data)))
    }

    /// Runs the session.
    public func run() -> Outcome {
        var configuration: LintConfiguration
        switch loadConfiguration() {
        case .success(let loaded): configuration = loaded
        case .failure(let problem): return usage(problem.description)
        }
        if let failOn { configuration.failOn = failOn }
        if noShellcheck { configuration.shellcheck = false }
        var files: [String]
        if paths.isEmpty {
            files = FileDiscovery.defaults(in: workingDirectory)
            if files.isEmpty {
                return usage(
                    "no .devflow.yml or .devflow/*.yml here; name the files to lint, or '-' for standard input")
            }
        } else {
            do throws(FileDiscovery.Missing) {
                files = try FileDiscovery.expand(paths, relativeTo: workingDirectory)
            } catch {
                return usage(error.description)
            }
        }
        let ignored = GlobFilter(configuration.ignorePaths)
        files = files.filter { !ignored.matches($0) }
        let linter = Linter(configuration: configuration, shellcheck: ShellCheckRule.locate())
        // Files are independent: lint them on every core, then report in the order given.
        var results = ParallelMap.map(files) { path -> (SourceFile?, [Diagnostic]) in
            switch read(path) {
            case .success(let source): return (source, linter.lint(source).diagnostics)
            case .failure(let unreadable): return (nil, [unreadable.diagnostic])
            }
        }
        var fixReport: FixReport?
        if let fixMode {
            if fixMode == .write, files.contains("-") {
                return usage("standard input cannot be fixed in place; use --fix --diff to see the fixes")
            }
            let report = fix(results, mode: fixMode, linter: linter)
            results = report.results
            fixReport = report
        }
        var sources: [String: SourceFile] = [:]
        var diagnostics: [Diagnostic] = []
        for (source, found) in results {
            if let source { sources[source.path] = source }
            diagnostics += found
        }
        let failing = diagnostics.contains { $0.severity >= configuration.failOn }
        if let fixReport {
            let messages = fixReport.messages.map { "devflow-lint: \($0)\n" }.joined()
            if fixMode == .diff {
                // Like `ruff --diff`: the diff alone on stdout, exit 1 when there is something to fix.
                return Outcome(
                    output: fixReport.diff, errors: messages, exitCode: fixReport.diff.isEmpty ? .clean : .findings)
            }
            let output = Self.render(
                diagnostics, format: format, sources: sources, fileCount: files.count, colored: colored,
                workingDirectory: workingDirectory)
            let code: ExitCode = fixReport.failed ? .internalFailure : failing ? .findings : .clean
            return Outcome(output: output, errors: messages, exitCode: code)
        }
        let output = Self.render(
            diagnostics, format: format, sources: sources, fileCount: files.count, colored: colored,
            workingDirectory: workingDirectory)
        return Outcome(output: output, errors: "", exitCode: failing ? .findings : .clean)
    }

    /// Renders diagnostics in `format`.
    public static func render(
        _ diagnostics: [Diagnostic], format: Format, sources: [String: SourceFile], fileCount: Int,
        colored: Bool = false, workingDirectory: String? = nil
    ) -> String {
        switch format {
        case .text: return TextRenderer(sources: sources, colored: colored).render(diagnostics, fileCount: fileCount)
        case .json: return MachineRenderers.json(diagnostics)
        case .github: return MachineRenderers.github(diagnostics)
        case .gitlab: return MachineRenderers.gitlab(diagnostics, sources: sources)
        case .sarif:
            return SARIFRenderer(
                toolName: "devflow-lint", toolVersion: DevFlowVersion.current,
                informationURI: "https://github.com/devflow/devflow/blob/main/docs/rules.md", rules: Linter.rules,
                sources: sources, workingDirectory: workingDirectory
            ).render(diagnostics)
        }
    }
}

/// The version printed by `--version` and written into SARIF.
public enum DevFlowVersion {
    /// Semantic version.
    public static let current = "0.1.0"
}

/// Path globs for `ignore:` in the configuration.
struct GlobFilter {
    let list: GlobList
    init(_ patterns: [String]) { list = GlobList(patterns) }
    func matches(_ path: String) -> Bool { !list.isEmpty && list.matches(path) }
}

/// A file that could not be linted, with the diagnostic that says why.
struct Unreadable: Error {
    let diagnostic: Diagnostic
}
