import DevFlowTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The debug build of `devflow-lint`.
let builtLint = Repository.path(".build/debug/devflow-lint")

/// The built executables: exit codes on good, bad and hostile input, and bounded memory. `scripts/test.sh` builds
/// them before `swift test`; locally the suite is skipped until they exist.
@Suite(
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: builtLint)
            || ProcessInfo.processInfo.environment["CI"] != nil))
struct CommandLineTests {
    static let lint = builtLint
    static let devflow = Repository.path(".build/debug/devflow")

    static func file(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-cli-\(UUID().uuidString).yml")
            .path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func ownPipelinesAreClean() {
        let result = Repository.run(Self.lint, ["pipelines/", ".devflow.yml"], directory: Repository.root.path)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.hasSuffix("no problems\n"))
    }

    @Test func usageErrorsExitTwo() {
        #expect(Repository.run(Self.lint, ["--bogus-flag"]).status == 2)
        #expect(
            Repository.run(Self.lint, ["--format", "xml", "pipelines/"], directory: Repository.root.path).status == 2)
        #expect(Repository.run(Self.lint, ["no/such/file.yml"]).status == 2)
        #expect(Repository.run(Self.lint, ["--explain", "DF999"]).status == 2)
        #expect(
            Repository.run(
                Self.devflow, ["plan", "pipelines/nightly.yml", "--event", "pushh"], directory: Repository.root.path
            ).status == 2)
        #expect(Repository.run(Self.lint, ["--help"]).status == 0)
    }

    @Test func hostileInputsGetADiagnosticAndExitOne() throws {
        var bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<12 {
            bomb +=
                "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
                + "]\n"
        }
        let inputs: [(String, [UInt8])] = [
            ("alias bomb", Array(bomb.utf8)),
            ("deep nesting", Array(("steps: " + String(repeating: "[", count: 200_000)).utf8)),
            ("invalid UTF-8", Array("version: 1\nname: caf".utf8) + [0xE9, 0x0A]),
            ("truncated", Array("version: 1\nname: x\non: {push: {branches: [ma".utf8)),
            (
                "10 MB scalar",
                Array(
                    ("version: 1\nname: x\non: push\nsteps:\n  a:\n    run: '" + String(repeating: "y", count: 10 << 20))
                        .utf8)
            ),
        ]
        for (label, bytes) in inputs {
            let path = try Self.file(bytes)
            let result = Repository.run(Self.lint, ["--format", "json", path])
            #expect(result.status == 1, "\(label): exit \(result.status)")
            #expect(result.output.contains("\"code\""), "\(label): no diagnostic")
        }
        #if canImport(Glibc)
            var usage = rusage()
            getrusage(RUSAGE_CHILDREN.rawValue, &usage)
            #expect(usage.ru_maxrss < 512 * 1024, "a child used \(usage.ru_maxrss) KiB")
        #endif
    }

    @Test func graphAndPlan() {
        let graph = Repository.run(
            Self.devflow, ["graph", "pipelines/matrix-fan-out.yml", "--format", "mermaid"],
            directory: Repository.root.path)
        #expect(graph.status == 0)
        #expect(graph.output.hasPrefix("flowchart LR\n"))
        let plan = Repository.run(
            Self.devflow,
            [
                "plan", "pipelines/monorepo.yml", "--event", "push", "--branch", "main", "--changed",
                "services/api/main.go",
            ],
            directory: Repository.root.path)
        #expect(plan.status == 0)
        #expect(plan.output.contains("paths: no changed path matches"))
        let broken = Repository.run(
            Self.devflow, ["graph", "Tests/DevFlowCompilerTests/Fixtures/err/dependency-cycle.yml"],
            directory: Repository.root.path)
        #expect(broken.status == 1)
        #expect(broken.output.contains("DF009 dependency-cycle"))
    }

    @Test(arguments: [
        ("devflow-lint", ["--help"], "devflow-lint-help.txt"), ("devflow", ["--help"], "devflow-help.txt"),
        ("devflow", ["plan", "--help"], "devflow-plan-help.txt"),
        ("devflow", ["graph", "--help"], "devflow-graph-help.txt"),
    ])
    func helpIsGolden(_ executable: String, _ arguments: [String], _ golden: String) {
        let path = executable == "devflow" ? Self.devflow : Self.lint
        let result = Repository.run(path, arguments, environment: ["COLUMNS": "100"])
        #expect(result.status == 0)
        let mismatch = Golden.mismatch(
            result.output, path: Repository.path("Tests/DevFlowLintTests/Snapshots/\(golden)"))
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }
}
