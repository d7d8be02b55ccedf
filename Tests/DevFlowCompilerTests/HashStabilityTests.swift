import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import Testing

/// The content hash ignores comments, formatting and key order, and changes with content.
@Suite struct HashStabilityTests {
    static let block = """
        version: 1
        name: ci
        on:
          push:
            branches: [main]
        env:
          CI: "true"
          MODE: fast
        steps:
          build:
            run: swift build
            timeout: 10m
          test:
            needs: [build]
            run: swift test --filter "${{ matrix.suite }}"
            matrix:
              suite: [Core, Server]
            if: ${{ git.branch == 'main' && success() }}
        """

    static let reformatted = """
        # the same pipeline, written differently
        name: ci   # keys in another order
        steps:
          test: {run: 'swift test --filter "${{ matrix.suite }}"', matrix: {suite: [Core, Server]}, needs: build, if: "git.branch=='main'&&success()"}
          build:
            timeout: 10m
            run: >-
              swift build
        env: {MODE: fast, CI: 'true'}
        on: {push: {branches: [main]}}
        version: 1
        """

    static func hash(_ text: String) throws -> String {
        let compilation = Compiler.compile(SourceFile(path: "x.yml", text: text))
        #expect(compilation.diagnostics.isEmpty, "\(compilation.diagnostics.map(\.message))")
        return try #require(compilation.graph).contentHash
    }

    @Test func formattingCommentsAndKeyOrderDoNotChangeTheHash() throws {
        #expect(try Self.hash(Self.block) == Self.hash(Self.reformatted))
    }

    @Test func contentChangesTheHash() throws {
        let changed = Self.block.replacingOccurrences(of: "timeout: 10m", with: "timeout: 11m")
        #expect(try Self.hash(Self.block) != Self.hash(changed))
    }

    @Test func sourceMapIsKeptOutsideTheHashedContent() throws {
        let graph = try #require(Compiler.compile(SourceFile(path: "x.yml", text: Self.block)).graph)
        #expect(graph.sourceMap?["build"]?.line == 10)
        #expect(!String(decoding: graph.canonicalJSON(), as: UTF8.self).contains("sourceMap"))
    }

    @Test func matrixLegsAreNamedAndDependentsNeedEveryLeg() throws {
        let text = Self.block + "\n  report: {needs: [test], run: echo done}\n"
        let graph = try #require(Compiler.compile(SourceFile(path: "x.yml", text: text)).graph)
        #expect(graph.nodes.map(\.id) == ["build", "test[suite=Core]", "test[suite=Server]", "report"])
        #expect(graph.node("report")?.needs == ["test[suite=Core]", "test[suite=Server]"])
        #expect(graph.levels == [["build"], ["test[suite=Core]", "test[suite=Server]"], ["report"]])
        #expect(graph.node("test[suite=Core]")?.condition == "git.branch == 'main' && success()")
        #expect(graph.node("build")?.timeoutMilliseconds == 600_000)
    }
}
