import DevFlowStore
import DevFlowTestSupport
import Foundation
import Testing

/// `devflow hooks install|uninstall|run` with real repositories and real `git commit` and `git push`.
@Suite(
    .serialized,
    .enabled(if: devflowIsBuilt))
struct HookCommandTests {
    static func devflow(_ arguments: [String], in fixture: GitFixture) -> (status: Int32, output: String) {
        Repository.run(builtDevflow, arguments, directory: fixture.path)
    }

    /// Whether `git arguments` succeeds, and what it printed (hooks print through git's standard error).
    static func git(_ arguments: [String], in fixture: GitFixture) -> (ok: Bool, output: String) {
        do {
            return (true, try fixture.git(arguments))
        } catch {
            return (false, "\(error)")
        }
    }

    @Test func installRespectsHooksPathChainsAForeignHookOnlyWithForceAndUninstallRestoresIt() throws {
        let fixture = try GitFixture()
        try fixture.write(
            ".devflow.yml",
            "version: 1\nname: hooks\non: {hook: [pre-commit]}\ndefaults: {shell: sh -eu}\nsteps:\n  mark: {run: touch \(fixture.path)/devflow-ran}\n"
        )
        try fixture.commit("pipeline")
        try fixture.git(["config", "core.hooksPath", ".githooks"])
        let foreign = "#!/bin/sh\ntouch \"$(git rev-parse --show-toplevel)/foreign-ran\"\n"
        try fixture.write(".githooks/pre-commit", foreign)
        chmod(fixture.path + "/.githooks/pre-commit", 0o755)

        let refused = Self.devflow(["hooks", "install"], in: fixture)
        #expect(refused.status == 1)
        #expect(
            refused.output.contains("/.githooks/pre-commit is a hook of its own, left as it is"), "\(refused.output)")
        #expect(try String(contentsOfFile: fixture.path + "/.githooks/pre-commit", encoding: .utf8) == foreign)

        let forced = Self.devflow(["hooks", "install", "--force"], in: fixture)
        #expect(forced.status == 0, "\(forced.output)")
        #expect(
            forced.output.contains(
                "installed pre-commit in \(fixture.path)/.githooks (runs your pre-commit.devflow-chained first)"))
        try fixture.write("a.txt", "a\n")
        try fixture.git(["add", "a.txt"])
        let commit = Self.git(["commit", "-q", "-m", "a"], in: fixture)
        #expect(commit.ok, "\(commit.output)")
        #expect(FileManager.default.fileExists(atPath: fixture.path + "/foreign-ran"))
        #expect(FileManager.default.fileExists(atPath: fixture.path + "/devflow-ran"))

        let removed = Self.devflow(["hooks", "uninstall"], in: fixture)
        #expect(removed.status == 0)
        #expect(try String(contentsOfFile: fixture.path + "/.githooks/pre-commit", encoding: .utf8) == foreign)
        #expect(!FileManager.default.fileExists(atPath: fixture.path + "/.githooks/pre-commit.devflow-chained"))
    }

    @Test func preCommitRunsOnTheStagedContentAndItsPaths() throws {
        let fixture = try GitFixture()
        try fixture.write(
            ".devflow.yml",
            """
            version: 1
            name: hooks
            on: {hook: [pre-commit]}
            defaults: {shell: sh -eu}
            steps:
              check:
                run: grep -q good a.txt
              docs:
                paths: ["docs/**"]
                run: echo "docs step ran"
            """)
        try fixture.write("a.txt", "good\n")
        try fixture.commit("pipeline")
        #expect(Self.devflow(["hooks", "install"], in: fixture).status == 0)

        // Staged: bad. In the working tree: good again, not staged. The hook must judge what is committed.
        try fixture.write("a.txt", "bad\n")
        try fixture.git(["add", "a.txt"])
        try fixture.write("a.txt", "good\n")
        let blocked = Self.git(["commit", "-q", "-m", "bad"], in: fixture)
        #expect(!blocked.ok)
        #expect(blocked.output.contains("the steps run on the staged files"), "\(blocked.output)")
        #expect(blocked.output.contains("✗ check failed"))
        #expect(blocked.output.contains("docs skipped: paths: no changed path matches docs/**"))
        #expect(try fixture.git(["rev-list", "--count", "HEAD"]) == "1")
        #expect(
            try String(contentsOfFile: fixture.path + "/a.txt", encoding: .utf8) == "good\n",
            "an unstaged edit was lost")

        // Staged good content and a docs change: it commits, and the docs step runs.
        try fixture.git(["add", "a.txt"])
        try fixture.write("docs/guide.md", "# Guide\n")
        try fixture.git(["add", "docs/guide.md"])
        let committed = Self.git(["commit", "-q", "-m", "good"], in: fixture)
        #expect(committed.ok, "\(committed.output)")
        let store = try SQLiteRunStore(path: fixture.path + "/.devflow/devflow.sqlite")
        let last = try #require(try store.runs(limit: 1).first)
        #expect(last.status == .succeeded)
        #expect(try store.nodes(run: try #require(last.id)).map(\.status) == [.succeeded, .succeeded])
    }

    @Test func prePushDecidesPathsByThePushedRange() throws {
        let remote = try GitFixture(bare: true)
        let fixture = try GitFixture()
        try fixture.write(
            ".devflow.yml",
            """
            version: 1
            name: hooks
            on: {hook: [pre-push]}
            defaults: {shell: sh -eu}
            steps:
              sources:
                paths: ["src/**"]
                run: echo "no pushing sources today"; exit 1
            """)
        try fixture.commit("pipeline")
        try fixture.git(["remote", "add", "origin", remote.path])
        try fixture.git(["push", "-q", "origin", "main"])
        #expect(Self.devflow(["hooks", "install"], in: fixture).status == 0)

        try fixture.write("docs/a.md", "a\n")
        try fixture.commit("docs only")
        let docs = Self.git(["push", "-q", "origin", "main"], in: fixture)
        #expect(docs.ok, "a docs-only push was blocked: \(docs.output)")

        try fixture.write("src/a.swift", "let a = 1\n")
        try fixture.commit("a source")
        let sources = Self.git(["push", "-q", "origin", "main"], in: fixture)
        #expect(!sources.ok)
        let store = try SQLiteRunStore(path: fixture.path + "/.devflow/devflow.sqlite")
        let runs = try store.runs(limit: 2)
        #expect(runs.map(\.status) == [.failed, .succeeded])
        let logs = try store.logs(run: try #require(runs.first?.id), node: "sources").map(\.text).joined()
        #expect(logs.contains("no pushing sources today"))
        #expect(try remote.git(["rev-list", "--count", "main"]) == "2")
    }
}
