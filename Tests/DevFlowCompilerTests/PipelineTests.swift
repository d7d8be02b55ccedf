import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import DevFlowLint
import DevFlowTestSupport
import Foundation
import Testing

/// Every pipeline under `pipelines/` (and the repository's own `.devflow.yml`) lints clean and lowers to its golden graph.
@Suite struct PipelineTests {
    static let pipelines = Repository.files(under: "pipelines").map { "pipelines/\($0)" } + [".devflow.yml"]

    static func compile(_ relative: String) -> Compilation {
        let data = FileManager.default.contents(atPath: Repository.path(relative)) ?? Data()
        return Compiler.compile(SourceFile(path: relative, bytes: Array(data)))
    }

    @Test func thereAreAtLeastEightPipelines() {
        #expect(Self.pipelines.count >= 9)
    }

    @Test(arguments: pipelines)
    func lintsCleanWithGoldenGraph(_ relative: String) throws {
        let compilation = Self.compile(relative)
        let rendered = TextRenderer(sources: [relative: compilation.source]).render(
            compilation.diagnostics, fileCount: 1)
        #expect(compilation.diagnostics.isEmpty, "\(rendered)")
        let graph = try #require(compilation.graph)
        let name = (relative as NSString).lastPathComponent.replacingOccurrences(of: ".yml", with: "")
        let golden = Repository.path(
            "Tests/DevFlowCompilerTests/Snapshots/graphs/\(name.isEmpty ? "devflow" : name).json")
        let mismatch = Golden.mismatch(graph.prettyJSON(), path: golden)
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test(arguments: pipelines)
    func compilationIsDeterministic(_ relative: String) throws {
        let first = try #require(Self.compile(relative).graph)
        let second = try #require(Self.compile(relative).graph)
        #expect(first.canonicalJSON() == second.canonicalJSON())
        #expect(first.contentHash == second.contentHash)
        #expect(first.contentHash.count == 64)
    }
}

/// `runs_on:` reaches the graph as a sorted set of labels, and a pipeline without it asks for no labels.
@Suite struct RunsOnTests {
    static func graph(_ text: String) -> ExecutionGraph? {
        Compiler.compile(SourceFile(path: "p.yml", bytes: Array(text.utf8))).graph
    }

    @Test func labelsAreLoweredSortedAndUnique() throws {
        let list = try #require(
            Self.graph("version: 1\nname: p\non: push\nruns_on: [gpu, linux, gpu]\nsteps: {a: {run: x}}\n"))
        #expect(list.labels == ["gpu", "linux"])
        let one = try #require(Self.graph("version: 1\nname: p\non: push\nruns_on: arm\nsteps: {a: {run: x}}\n"))
        #expect(one.labels == ["arm"])
        let none = try #require(Self.graph("version: 1\nname: p\non: push\nsteps: {a: {run: x}}\n"))
        #expect(none.labels == nil)
        #expect(!String(decoding: none.canonicalJSON(), as: UTF8.self).contains("labels"))
    }

    @Test func aMappingIsTheWrongType() {
        let compilation = Compiler.compile(
            SourceFile(
                path: "p.yml",
                bytes: Array("version: 1\nname: p\non: push\nruns_on: {os: linux}\nsteps: {a: {run: x}}\n".utf8)))
        #expect(compilation.diagnostics.map(\.id.name).contains("wrong-type"))
    }
}
