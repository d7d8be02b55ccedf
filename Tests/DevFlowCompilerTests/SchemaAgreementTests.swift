import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowTestSupport
import Foundation
import Testing

/// `Grammar/devflow.schema.json` and the compiler agree: what one accepts the other accepts, and the invalid
/// fixtures the schema can express are rejected by both.
@Suite(
    .enabled(if: Repository.executable("check-jsonschema") != nil || ProcessInfo.processInfo.environment["CI"] != nil))
struct SchemaAgreementTests {
    static let schema = Repository.path("Grammar/devflow.schema.json")
    static let valid =
        Repository.files(under: "pipelines").map { "pipelines/\($0)" } + [".devflow.yml"]
        + Repository.files(under: "Tests/SchemaFixtures/valid").map { "Tests/SchemaFixtures/valid/\($0)" }
        + Repository.files(under: "Tests/DevFlowCompilerTests/Fixtures/ok").map {
            "Tests/DevFlowCompilerTests/Fixtures/ok/\($0)"
        }
    static let invalid = Repository.files(under: "Tests/SchemaFixtures/invalid")

    static func checkJSONSchema(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let executable = try #require(
            Repository.executable("check-jsonschema"), "CI must install check-jsonschema (pip)")
        return Repository.run(executable, arguments, directory: Repository.root.path)
    }

    @Test func schemaIsAValidDraft07Schema() throws {
        let result = try Self.checkJSONSchema(["--check-metaschema", Self.schema])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test func everyValidFileValidatesAgainstTheSchemaAndCompilesClean() throws {
        let result = try Self.checkJSONSchema(["--schemafile", Self.schema] + Self.valid)
        #expect(result.status == 0, "\(result.output)")
        for relative in Self.valid {
            let data = FileManager.default.contents(atPath: Repository.path(relative)) ?? Data()
            let compilation = Compiler.compile(SourceFile(path: relative, bytes: Array(data)))
            #expect(compilation.diagnostics.isEmpty, "\(relative): \(compilation.diagnostics.map(\.message))")
        }
    }

    @Test(arguments: invalid)
    func invalidFixtureIsRejectedByBoth(_ name: String) throws {
        let relative = "Tests/SchemaFixtures/invalid/\(name)"
        let result = try Self.checkJSONSchema(["--schemafile", Self.schema, relative])
        #expect(result.status != 0, "the schema accepts \(relative)")
        let data = FileManager.default.contents(atPath: Repository.path(relative)) ?? Data()
        let source = SourceFile(path: relative, bytes: Array(data))
        let compilation = Compiler.compile(source)
        #expect(compilation.hasErrors, "the compiler accepts \(relative)")
        let expected = source.text(ofLine: 1).replacingOccurrences(of: "# expect:", with: "").trimmingCharacters(
            in: .whitespaces)
        #expect(
            compilation.diagnostics.contains { $0.id.name == expected },
            "\(relative) should report '\(expected)', got \(compilation.diagnostics.map(\.id.name))")
    }
}
