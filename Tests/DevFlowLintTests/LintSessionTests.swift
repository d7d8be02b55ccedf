import DevFlowDiagnostics
import DevFlowLint
import DevFlowTestSupport
import Foundation
import Testing

/// Exit codes, configuration, suppressions, discovery and `--explain`.
@Suite struct LintSessionTests {
    static func workspace(_ files: [String: String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "devflow-lint-\(UUID().uuidString)"
        ).path
        for (name, text) in files {
            let path = "\(directory)/\(name)"
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return directory
    }

    static let clean = "version: 1\nname: ok\non: {push: {branches: [main]}}\nsteps:\n  build: {run: make}\n"
    static let warning =
        "version: 1\nname: w\non: {push: {branches: [main]}}\nsteps:\n  docs: {run: make docs, if: \"false\"}\n"

    static func session(
        _ directory: String, paths: [String] = [], format: LintSession.Format = .json, failOn: Severity? = nil,
        stdin: String = ""
    ) -> LintSession {
        LintSession(
            paths: paths, format: format, configPath: nil, failOn: failOn, noShellcheck: true, colored: false,
            workingDirectory: directory, readStandardInput: { Data(stdin.utf8) })
    }

    @Test func cleanFilesExitZero() throws {
        let directory = try Self.workspace([".devflow.yml": Self.clean, ".devflow/nightly.yml": Self.clean])
        let outcome = Self.session(directory, format: .text).run()
        #expect(outcome.exitCode == .clean)
        #expect(outcome.output == "2 files checked, no problems\n")
    }

    @Test func findingsAtTheFailingSeverityExitOne() throws {
        let directory = try Self.workspace(["a.yml": Self.warning])
        #expect(Self.session(directory, paths: ["a.yml"]).run().exitCode == .clean)
        #expect(Self.session(directory, paths: ["a.yml"], failOn: .warning).run().exitCode == .findings)
    }

    @Test func usageErrorsExitTwo() throws {
        let directory = try Self.workspace([:])
        let missing = Self.session(directory, paths: ["nope.yml"]).run()
        #expect(missing.exitCode == .usage)
        #expect(missing.errors.contains("no such file or directory: 'nope.yml'"))
        #expect(Self.session(directory).run().exitCode == .usage)
        let values = LintOptionValues(
            paths: [], format: "xml", config: nil, failOn: nil, noShellcheck: true, color: "never", explain: nil,
            listRules: false)
        #expect(values.execute(isTerminal: false).exitCode == .usage)
    }

    @Test func standardInputIsLintedAsDash() throws {
        let directory = try Self.workspace([:])
        let outcome = Self.session(
            directory, paths: ["-"], format: .text,
            stdin: "version: 1\nname: x\non: push\nsteps: {a: {run: ls, nedds: []}}\n"
        ).run()
        #expect(outcome.exitCode == .findings)
        #expect(outcome.output.contains("--> <stdin>:4:22"))
    }

    @Test func configurationChangesSeverityAndTurnsRulesOff() throws {
        let config = "rules:\n  step-never-runs: error\nfail_on: error\n"
        let directory = try Self.workspace([".devflow-lint.yml": config, "a.yml": Self.warning])
        #expect(Self.session(directory, paths: ["a.yml"]).run().exitCode == .findings)
        let off = try Self.workspace([".devflow-lint.yml": "rules:\n  DF024: off\n", "a.yml": Self.warning])
        let outcome = Self.session(off, paths: ["a.yml"], format: .text).run()
        #expect(outcome.output == "1 file checked, no problems\n")
    }

    @Test func badConfigurationIsAUsageErrorWithASuggestion() throws {
        let directory = try Self.workspace([
            ".devflow-lint.yml": "rules:\n  dependancy-cycle: off\n", "a.yml": Self.clean,
        ])
        let outcome = Self.session(directory, paths: ["a.yml"]).run()
        #expect(outcome.exitCode == .usage)
        #expect(outcome.errors.contains("unknown rule 'dependancy-cycle'; did you mean 'dependency-cycle'?"))
    }

    @Test func suppressionsNeedAReasonAndMustBeUsed() throws {
        let suppressed = Self.warning.replacingOccurrences(
            of: "  docs:", with: "  # devflow-lint: ignore[step-never-runs] kept for the docs migration\n  docs:")
        let directory = try Self.workspace(["a.yml": suppressed])
        #expect(
            Self.session(directory, paths: ["a.yml"], format: .text).run().output == "1 file checked, no problems\n")

        let noReason = Self.warning.replacingOccurrences(
            of: "  docs:", with: "  # devflow-lint: ignore[step-never-runs]\n  docs:")
        let second = try Self.workspace(["a.yml": noReason])
        let outcome = Self.session(second, paths: ["a.yml"], format: .json).run()
        #expect(outcome.output.contains("\"rule\" : \"invalid-suppression\""))
        #expect(outcome.output.contains("\"rule\" : \"step-never-runs\""))

        let unused = Self.clean.replacingOccurrences(
            of: "  build:", with: "  # devflow-lint: ignore[DF009] no cycle here\n  build:")
        let third = try Self.workspace(["a.yml": unused])
        #expect(
            Self.session(third, paths: ["a.yml"], format: .json).run().output.contains(
                "\"rule\" : \"unused-suppression\""))
    }

    @Test func everyRuleHasAnExplanationByCodeAndByName() {
        for rule in Linter.rules {
            #expect(Linter.rule(named: rule.id.code) == rule)
            #expect(Linter.rule(named: rule.id.name) == rule)
            #expect(Linter.rule(named: rule.id.code.lowercased()) == rule)
            #expect(rule.explanation.contains("```yaml"), "\(rule.id) needs an example")
        }
        let values = LintOptionValues(
            paths: [], format: "text", config: nil, failOn: nil, noShellcheck: true, color: "never", explain: "DF009",
            listRules: false)
        let outcome = values.execute(isTerminal: false)
        #expect(outcome.exitCode == .clean)
        #expect(outcome.output.hasPrefix("DF009 dependency-cycle (default severity: error)"))
    }

    @Test func rulesReferenceIsUpToDate() {
        let mismatch = Golden.mismatch(Linter.rulesReference(), path: Repository.path("docs/rules.md"))
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test func rulesHaveUniqueCodesAndNames() {
        #expect(Set(Linter.rules.map(\.id.code)).count == Linter.rules.count)
        #expect(Set(Linter.rules.map(\.id.name)).count == Linter.rules.count)
    }
}
