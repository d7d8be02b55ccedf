import DevFlowCompiler
import DevFlowDiagnostics
import Testing

/// One file with several kinds of mistakes: every one is reported in one run, at its exact span.
@Suite struct AcceptanceTests {
    static let text = """
        version: 1
        name: review
        name: review-again
        on:
          push: {branches: [main]}
        env:
          MODE: fast
          MODE: slow
        steps:
          build:
            run: swift build
            neds: [lint]
          lint:
            needs: [test]
            run: swift format lint --recursive Sources
          test:
            needs: [lint]
            run: swift test
            if: ${{ startswith(git.branch, 'release/') }}
            timeout: 5m
            timeout: 10m
        """

    static let diagnostics = Compiler.compile(SourceFile(path: "combined.yml", text: text)).diagnostics

    static func find(_ name: String, line: Int) -> Diagnostic? {
        diagnostics.first { $0.id.name == name && $0.span.start.line == line }
    }

    @Test func everyDuplicateKeyIsReportedWithTheEarlierDefinition() throws {
        let duplicates = Self.diagnostics.filter { $0.id.name == "duplicate-key" }
        #expect(duplicates.count == 3)
        let name = try #require(Self.find("duplicate-key", line: 3))
        #expect(name.span.start.column == 1 && name.span.end.column == 5)
        #expect(name.labels.first?.span.start.line == 2)
        #expect(Self.find("duplicate-key", line: 8)?.labels.first?.span.start.line == 7)
        #expect(Self.find("duplicate-key", line: 21)?.labels.first?.span.start.line == 20)
    }

    @Test func unknownKeyOneLetterOffGetsASuggestionAndAFixIt() throws {
        let unknown = try #require(Self.find("unknown-key", line: 12))
        #expect(unknown.message == "unknown key 'neds' in step 'build'; did you mean 'needs'?")
        #expect(unknown.span.start.column == 5 && unknown.span.end.column == 9)
        #expect(unknown.fixIts.first?.edits.first?.replacement == "needs")
    }

    @Test func theCycleIsReportedWithItsPathAndEachHop() throws {
        let cycle = try #require(Self.diagnostics.first { $0.id.name == "dependency-cycle" })
        #expect(cycle.message == "steps form a dependency cycle: lint → test → lint")
        #expect(cycle.span.start.line == 14 && cycle.span.start.column == 13 && cycle.span.end.column == 17)
        #expect(cycle.labels.map(\.span.start.line) == [14, 17])
        #expect(cycle.labels.map(\.message) == ["'lint' needs 'test'", "'test' needs 'lint'"])
    }

    @Test func aTypoInAFunctionNameGetsASuggestion() throws {
        let typo = try #require(Self.find("unknown-function", line: 19))
        #expect(typo.message == "unknown function 'startswith'; did you mean 'starts_with'?")
        #expect(typo.span.start.column == 13 && typo.span.end.column == 23)
        #expect(typo.fixIts.first?.edits.first?.replacement == "starts_with")
    }

    @Test func nothingElseIsReported() {
        #expect(
            Set(Self.diagnostics.map(\.id.name)) == [
                "duplicate-key", "unknown-key", "dependency-cycle", "unknown-function",
            ])
    }
}
