import DevFlowAgents
import DevFlowGraph
import DevFlowTestSupport
import Foundation
import Testing

/// Every built-in agent on one pull request (`feature` → `main`, with a merge): exactly the planted problems on
/// changed lines, nothing on untouched lines.
@Suite("built-in agents on a pull request")
struct BuiltInAgentTests {
    static let formatter: JSONValue = .array([
        .object([
            "name": .string("fmt"), "command": .string("sh tools/fmt.sh {files}"), "patterns": .string("**/*.swift"),
        ])
    ])

    @Test("security-guardian: the new risky line, not the old secret")
    func security() throws {
        let repository = try ReviewRepository()
        let result = try BuiltInAgents.run("security-guardian", request: repository.request(["fail_on": "high"]))
        #expect(summary(result.findings) == ["deploy/release.sh:3 curl-pipe-shell"])
        #expect(result.status == "success")  // curl | sh is medium
    }

    @Test("style-enforcer: .editorconfig rules and the formatter on changed lines only")
    func style() throws {
        let repository = try ReviewRepository()
        let result = try BuiltInAgents.run(
            "style-enforcer", request: repository.request(["formatters": Self.formatter]))
        #expect(
            summary(result.findings) == [
                "Sources/App/Lexer.swift:2 indent-size", "Sources/App/Lexer.swift:3 final-newline",
                "Sources/App/Parser.swift:3 trailing-whitespace", "Sources/App/Parser.swift:4 indent-style",
                "Sources/App/Parser.swift:5 max-line-length", "Sources/App/Parser.swift:6 formatting",
            ])
        #expect(result.status == "failure")
        let trailing = try #require(result.findings.first { $0.rule == "trailing-whitespace" })
        #expect(trailing.column == 57 && trailing.endColumn == 59)
        #expect(
            trailing.fix
                == "--- a/Sources/App/Parser.swift\n+++ b/Sources/App/Parser.swift\n@@ -3 +3 @@\n"
                + "-    public func parse(_ text: String) -> [String] { [] }  \n"
                + "+    public func parse(_ text: String) -> [String] { [] }\n")
        let formatting = try #require(result.findings.first { $0.rule == "formatting" })
        #expect(formatting.fix?.contains("+    func helper(x: Int) {}") == true)
        #expect(result.findings.first { $0.rule == "max-line-length" }?.fix == nil)
    }

    @Test("style-enforcer fix: true repairs the changed lines and leaves the rest alone")
    func styleFix() throws {
        let repository = try ReviewRepository()
        let legacy = try repository.read("Sources/App/Legacy.swift")
        _ = try BuiltInAgents.run(
            "style-enforcer", request: repository.request(["fix": .bool(true), "formatters": Self.formatter]))
        let parser = try repository.read("Sources/App/Parser.swift")
        #expect(parser.contains("public init( ) {}"))  // untouched line kept as it was
        #expect(parser.contains("[String] { [] }\n    public func reset() {}\n"))
        #expect(parser.contains("    func helper(x: Int) {}\n"))
        #expect(try repository.read("Sources/App/Lexer.swift").hasSuffix("}\n"))
        #expect(try repository.read("Sources/App/Legacy.swift") == legacy)
        let again = try BuiltInAgents.run(
            "style-enforcer", request: repository.request(["formatters": Self.formatter]))
        #expect(
            summary(again.findings) == [
                "Sources/App/Lexer.swift:2 indent-size", "Sources/App/Parser.swift:5 max-line-length",
            ])
    }

    @Test("doc-updater: rules on what changed together, and a stale generated region")
    func docs() throws {
        let repository = try ReviewRepository()
        let rules: JSONValue = .array([
            .object(["when": .string("Sources/**"), "require": .array([.string("CHANGELOG.md"), .string("docs/**")])]),
            .object([
                "when": .string("app/**"), "require": .string("docs/python.md"), "message": .string("describe it"),
            ]),
            .object(["when": .string("pkg/**"), "require": .string("pkg/**/*_test.go")]),
        ])
        let result = try BuiltInAgents.run("doc-updater", request: repository.request(["rules": rules]))
        #expect(
            summary(result.findings) == [
                "Sources/App/Lexer.swift:1 docs-not-updated", "app/util.py:3 docs-not-updated",
                "docs/usage.md:5 generated-region-stale",
            ])
        #expect(result.findings[1].message.hasSuffix(": describe it"))
        #expect(result.findings[2].fix?.contains("-0\n+3\n") == true)
        _ = try BuiltInAgents.run("doc-updater", request: repository.request(["fix": .bool(true)]))
        #expect(try repository.read("docs/usage.md").contains("-->\n3\n<!-- devflow:end -->\n\nGreeting"))
        let again = try BuiltInAgents.run("doc-updater", request: repository.request([:]))
        #expect(again.findings.isEmpty)
    }

    @Test("doc-updater: a failing command and a region without an end marker")
    func brokenRegions() throws {
        let repository = try ReviewRepository()
        try repository.fixture.write(
            "docs/broken.md",
            "<!-- devflow:generated cmd=\"exit 3\" -->\nold\n<!-- devflow:end -->\n"
                + "```markdown\n<!-- devflow:generated cmd=\"exit 4\" -->\nan example, not a region\n"
                + "<!-- devflow:end -->\n```\n<!-- devflow:generated cmd=\"echo x\" -->\n")
        try repository.fixture.git(["add", "docs/broken.md"])  // scope: all looks at what git tracks
        let result = try BuiltInAgents.run("doc-updater", request: repository.request(["regions": "all"]))
        #expect(
            summary(result.findings) == [
                "docs/broken.md:1 generated-region-failed", "docs/broken.md:9 generated-region-unterminated",
                "docs/usage.md:5 generated-region-stale",
            ])
        #expect(result.findings[0].message.contains("exited 3"))
    }

    @Test("test-generator: changed sources without test changes, per language")
    func tests() throws {
        let repository = try ReviewRepository()
        let result = try BuiltInAgents.run("test-generator", request: repository.request([:]))
        #expect(
            summary(result.findings) == [
                "Sources/App/Lexer.swift:1 missing-test-change", "app/util.py:3 missing-test-change",
                "web/src/format.ts:1 missing-test-change",
            ])
        #expect(result.findings[0].message.hasSuffix("new public functions: tokenize"))
        #expect(result.findings[1].message.hasSuffix("new public functions: slugify"))
        #expect(result.findings[2].message.hasSuffix("new public functions: formatDate"))
        #expect(result.findings[0].fix?.hasPrefix("--- /dev/null\n+++ b/Tests/AppTests/LexerTests.swift\n") == true)
    }

    @Test("test-generator fix: true writes skipped skeletons naming the new functions")
    func skeletons() throws {
        let repository = try ReviewRepository()
        let result = try BuiltInAgents.run("test-generator", request: repository.request(["fix": "true"]))
        #expect(result.outputs["skeletons"] == "3")
        let swift = try repository.read("Tests/AppTests/LexerTests.swift")
        #expect(
            swift.contains("@testable import App")
                && swift.contains("@Test(.disabled(\"write this test\")) func tokenize()"))
        let python = try repository.read("tests/test_util.py")
        #expect(python.contains("from app.util import slugify") && python.contains("def test_slugify():"))
        let typescript = try repository.read("web/src/format.test.ts")
        #expect(
            typescript.contains("import { formatDate } from \"./format\";")
                && typescript.contains("test.todo(\"formatDate\")"))
    }

    @Test("test-generator with custom mappings and scope: all")
    func customMappings() throws {
        let repository = try ReviewRepository()
        let mappings: JSONValue = .array([
            .object([
                "source": .string("Sources/{module}/{name}.swift"),
                "tests": .array([.string("Tests/{module}Tests/{name}Tests.swift")]),
            ])
        ])
        let result = try BuiltInAgents.run(
            "test-generator", request: repository.request(["mappings": mappings, "scope": "all"]))
        #expect(
            summary(result.findings) == [
                "Sources/App/Legacy.swift:1 missing-tests", "Sources/App/Lexer.swift:1 missing-tests",
                "Sources/App/Main.swift:1 missing-tests",
            ])
    }

    @Test("bad inputs are clear errors")
    func badInputs() throws {
        let repository = try ReviewRepository()
        let cases: [(String, [String: JSONValue], String)] = [
            ("style-enforcer", ["fail_on": "urgent"], "fail_on 'urgent' is not low, medium or high"),
            ("style-enforcer", ["formatters": .array([.object(["command": "black"])])], "must name the files"),
            ("doc-updater", ["rules": .array([.object(["when": "a/**"])])], "rules[0] needs 'require:'"),
            ("doc-updater", ["regions": "some"], "regions 'some' is not all, changed or off"),
            ("test-generator", ["mappings": .array([.object(["source": "{name"])])], "mappings[0] needs tests:"),
            ("security-guardian", ["scope": "everything"], "scope 'everything' is not 'changes' or 'all'"),
            ("no-such-agent", [:], "there is no built-in agent 'no-such-agent'"),
            (
                "test-generator", ["mapings": .array([])],
                "test-generator has no input 'mapings' (did you mean 'mappings'?)"
            ),
        ]
        for (agent, inputs, message) in cases {
            #expect {
                try BuiltInAgents.run(agent, request: repository.request(inputs))
            } throws: { error in
                "\(error)".contains(message)
            }
        }
    }
}
