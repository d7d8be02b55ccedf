import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowLint
import DevFlowTestSupport
import Foundation
import Testing

/// Golden output of every format for one file with several findings, and SARIF checked against the official schema.
@Suite struct FormatTests {
    static let text = """
        version: 1
        name: formats
        on: {pull_request: {branches: [main]}}
        steps:
          greet:
            run: echo "${{ event.pull_request.title }}"
          build:
            run: make
            needs: [biuld]
            timeout: 10 minutes
        """
    static let source = SourceFile(path: "pipelines/formats.yml", text: text)
    static let diagnostics = Linter().lint(source).diagnostics

    static func check(_ format: LintSession.Format, _ file: String) {
        let output = LintSession.render(diagnostics, format: format, sources: [source.path: source], fileCount: 1)
        let mismatch = Golden.mismatch(output, path: Repository.path("Tests/DevFlowLintTests/Snapshots/\(file)"))
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test func findingsAreThoseExpected() {
        #expect(Self.diagnostics.map(\.id.name) == ["template-injection", "unknown-need", "invalid-duration"])
    }

    @Test func text() { Self.check(.text, "formats.txt") }
    @Test func json() { Self.check(.json, "formats.json") }
    @Test func github() { Self.check(.github, "formats.github.txt") }
    @Test func gitlab() { Self.check(.gitlab, "formats.gitlab.json") }
    @Test func sarif() { Self.check(.sarif, "formats.sarif") }

    @Test func sarifNamesAFileOutsideTheWorkingDirectoryByAnAbsoluteFileURI() throws {
        let inside = SourceFile(path: "/work/repo/sub/z.yml", text: Self.text)
        let above = SourceFile(path: "../shared/x y.yml", text: Self.text)
        let elsewhere = SourceFile(path: "/etc/devflow/ci.yml", text: Self.text)
        var diagnostics: [Diagnostic] = []
        for source in [inside, above, elsewhere] { diagnostics += Linter().lint(source).diagnostics.prefix(1) }
        let output = LintSession.render(
            diagnostics, format: .sarif,
            sources: [inside.path: inside, above.path: above, elsewhere.path: elsewhere], fileCount: 3,
            workingDirectory: "/work/repo")
        let log = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let results = try #require(((log["runs"] as? [[String: Any]])?.first?["results"]) as? [[String: Any]])
        let locations = results.compactMap { result in
            ((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?[
                "artifactLocation"] as? [String: String]
        }
        #expect(
            locations == [
                ["uri": "sub/z.yml", "uriBaseId": "%SRCROOT%"], ["uri": "file:///work/shared/x%20y.yml"],
                ["uri": "file:///etc/devflow/ci.yml"],
            ])
    }

    @Test func sarifCarriesGitHubCodeScanningFields() throws {
        let output = LintSession.render(
            Self.diagnostics, format: .sarif, sources: [Self.source.path: Self.source], fileCount: 1)
        let log = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "devflow-lint")
        let rules = try #require(driver["rules"] as? [[String: Any]])
        #expect(rules.count == Linter.rules.count)
        for rule in rules {
            for field in ["shortDescription", "fullDescription", "help"] {
                let text = (rule[field] as? [String: Any])?["text"] as? String
                #expect(text?.isEmpty == false, "rule \(rule["id"] ?? "?") lacks \(field).text")
            }
        }
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 3)
        for result in results {
            let location = try #require(
                ((result["locations"] as? [[String: Any]])?.first?["physicalLocation"]) as? [String: Any])
            let artifact = try #require(location["artifactLocation"] as? [String: Any])
            #expect(artifact["uri"] as? String == "pipelines/formats.yml")
            let region = try #require(location["region"] as? [String: Any])
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                #expect(region[key] is Int, "region lacks \(key)")
            }
            #expect(
                ((result["partialFingerprints"] as? [String: Any])?["primaryLocationLineHash"] as? String)?.isEmpty
                    == false)
        }
    }

    /// Validates with python-jsonschema against the official OASIS schema in `../shared/schemas/`.
    @Test(
        .enabled(
            if: FileManager.default.fileExists(
                atPath: Repository.root.deletingLastPathComponent().appendingPathComponent(
                    "shared/schemas/sarif-schema-2.1.0.json"
                ).path)))
    func sarifValidatesAgainstTheOfficialSchema() throws {
        let schema = Repository.root.deletingLastPathComponent().appendingPathComponent(
            "shared/schemas/sarif-schema-2.1.0.json"
        ).path
        let output = LintSession.render(
            Self.diagnostics, format: .sarif, sources: [Self.source.path: Self.source], fileCount: 1)
        let python = try #require(Repository.executable("python3"))
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            log = json.load(sys.stdin)
            jsonschema.Draft4Validator.check_schema(schema)
            errors = list(jsonschema.Draft4Validator(schema).iter_errors(log))
            for e in errors: print(list(e.path), e.message)
            sys.exit(1 if errors else 0)
            """
        let result = Repository.run(python, ["-c", script, schema], input: Data(output.utf8))
        #expect(result.status == 0, "\(result.output)")
    }
}
