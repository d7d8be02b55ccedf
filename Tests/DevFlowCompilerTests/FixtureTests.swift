import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowLint
import DevFlowTestSupport
import Foundation
import Testing

/// actionlint-style fixtures: every `ok/` file is clean; every `err/` file reports exactly the rules its
/// `# expect:` line names, and its text output matches the golden `.out` beside it.
@Suite struct FixtureTests {
    static let directory = Repository.path("Tests/DevFlowCompilerTests/Fixtures")
    static let errFiles = Repository.files(under: "Tests/DevFlowCompilerTests/Fixtures/err")
    static let okFiles = Repository.files(under: "Tests/DevFlowCompilerTests/Fixtures/ok")
    static let shellcheck = ShellCheckRule.locate()

    static func lint(_ relative: String) -> (SourceFile, [Diagnostic]) {
        let data = FileManager.default.contents(atPath: "\(directory)/\(relative)") ?? Data()
        let source = SourceFile(path: relative, bytes: Array(data))
        var configuration = LintConfiguration()
        configuration.workerLabels = workerLabels(source)
        return (source, Linter(configuration: configuration, shellcheck: shellcheck).lint(source).diagnostics)
    }

    /// The labels on a `# worker_labels: a, b` line (line 2), as `.devflow-lint.yml` would give them.
    static func workerLabels(_ source: SourceFile) -> [String]? {
        let second = source.text(ofLine: 2)
        guard second.hasPrefix("# worker_labels:") else { return nil }
        return second.dropFirst("# worker_labels:".count).split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    }

    /// The codes on the `# expect:` line.
    static func expectedCodes(_ source: SourceFile) -> Set<String> {
        let first = source.text(ofLine: 1)
        guard first.hasPrefix("# expect:") else { return [] }
        return Set(
            first.dropFirst("# expect:".count).split(separator: ",").compactMap {
                $0.split(separator: " ").first.map(String.init)
            })
    }

    @Test func corpusIsPresent() {
        #expect(Self.errFiles.count >= 34)
        #expect(Self.okFiles.count >= 5)
    }

    @Test(arguments: errFiles)
    func errorFixture(_ name: String) throws {
        let (source, diagnostics) = Self.lint("err/\(name)")
        let expected = Self.expectedCodes(source)
        try #require(!expected.isEmpty, "err/\(name) needs a '# expect: CODE name' first line")
        if expected.contains("DF028") && Self.shellcheck == nil {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "CI must install shellcheck")
            return
        }
        #expect(Set(diagnostics.map(\.id.code)) == expected, "err/\(name)")
        let text = TextRenderer(sources: [source.path: source]).render(diagnostics, fileCount: 1)
        let golden = "\(Self.directory)/err/\((name as NSString).deletingPathExtension).out"
        let mismatch = Golden.mismatch(text, path: golden)
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test(arguments: okFiles)
    func cleanFixture(_ name: String) {
        let (source, diagnostics) = Self.lint("ok/\(name)")
        let text = TextRenderer(sources: [source.path: source]).render(diagnostics, fileCount: 1)
        #expect(diagnostics.isEmpty, "ok/\(name) should be clean:\n\(text)")
    }

    @Test func everyRuleHasAFixture() {
        let covered = Set(
            Self.errFiles.flatMap { name -> Set<String> in
                let data = FileManager.default.contents(atPath: "\(Self.directory)/err/\(name)") ?? Data()
                return Self.expectedCodes(SourceFile(path: name, bytes: Array(data)))
            })
        let missing = Linter.rules.map(\.id.code).filter { !covered.contains($0) }
        #expect(missing.isEmpty, "rules without an err/ fixture: \(missing)")
    }
}
