import DevFlowGit
import DevFlowTestSupport
import Foundation
import Testing

private let zero = String(repeating: "0", count: 40)

private func paths(_ changes: [GitChange]) -> [String] {
    changes.map(\.path.string).sorted()
}

/// Expects `body` to throw a `GitError` of `kind` and returns it for further checks.
@discardableResult
private func expectGitError(
    _ kind: GitError.Kind, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> GitError? {
    do {
        try body()
        Issue.record("expected a GitError of kind \(kind), got no error", sourceLocation: sourceLocation)
    } catch let error as GitError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a GitError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// A history with a root commit, a second commit on main, a feature branch and main moving on:
///
///     root -- second -- main3            (main)
///                  \
///                   feature1 -- feature2 (feature)
private struct History {
    let fixture: GitFixture
    let root: String
    let second: String
    let feature1: String
    let feature2: String
    let main3: String

    init() throws {
        let fixture = try GitFixture()
        try fixture.write("README.md", "# Demo\n")
        try fixture.write("src/app.swift", "let a = 1\n")
        root = try fixture.commit("Initial commit", date: "2024-01-01T00:00:00Z")
        try fixture.write("src/app.swift", "let a = 2\n")
        try fixture.write("docs/guide.md", "guide\n")
        second = try fixture.commit("Change the app\n\nWith a body.", date: "2024-01-02T00:00:00Z")
        try fixture.git(["checkout", "-q", "-b", "feature"])
        try fixture.write("src/feature.swift", "func feature() {}\n")
        feature1 = try fixture.commit("Add the feature")
        try fixture.write("src/app.swift", "let a = 3\n")
        feature2 = try fixture.commit("Use the feature")
        try fixture.git(["checkout", "-q", "main"])
        try fixture.write("CHANGELOG.md", "changes\n")
        main3 = try fixture.commit("Changelog")
        self.fixture = fixture
    }
}

@Suite struct GitRepositoryTests {
    @Test func headFactsAndDetachedHead() throws {
        let history = try History()
        try history.fixture.write("src/deep/file.txt", "x\n")
        let repository = try GitRepository(path: history.fixture.root.appendingPathComponent("src").path)
        #expect(repository.workdir == history.fixture.root.resolvingSymlinksInPath().path)
        let head = try repository.head()
        #expect(head.branch == "main")
        #expect(head.commit == history.main3)
        #expect(head.authorName == "Ada Lovelace")
        #expect(head.authorEmail == "ada@example.com")
        #expect(head.authorTime == Date(timeIntervalSince1970: 1_709_294_400))
        #expect(head.subject == "Changelog")
        #expect(try repository.resolve("HEAD~1") == history.second)

        try history.fixture.git(["checkout", "-q", "--detach", history.second])
        let detached = try GitRepository(path: history.fixture.path).head()
        #expect(detached.branch == nil)
        #expect(detached.commit == history.second)
        #expect(detached.subject == "Change the app")
        #expect(detached.authorTime == Date(timeIntervalSince1970: 1_704_153_600))
    }

    @Test func readFileAtRevisions() throws {
        let history = try History()
        let repository = try GitRepository(path: history.fixture.path)
        #expect(try repository.readFile("src/app.swift", at: history.root) == Data("let a = 1\n".utf8))
        #expect(try repository.readFile("src/app.swift") == Data("let a = 2\n".utf8))
        #expect(try repository.readFile("src/app.swift", at: "feature") == Data("let a = 3\n".utf8))
        let missing = expectGitError(.pathNotFound) { _ = try repository.readFile("docs/guide.md", at: history.root) }
        #expect(missing?.message == "'docs/guide.md' does not exist at revision '\(history.root)'")
        expectGitError(.pathNotFound) { _ = try repository.readFile("src", at: "HEAD") }
        let unknown = expectGitError(.unknownRevision) { _ = try repository.readFile("README.md", at: "nope") }
        #expect(unknown?.message.contains("unknown revision 'nope'") == true)
    }

    @Test func pushRangesNewBranchesAndFirstCommits() throws {
        let history = try History()
        let repository = try GitRepository(path: history.fixture.path)
        // An ordinary push of two commits.
        #expect(
            paths(try repository.changedPaths(from: history.root, to: history.main3))
                == ["CHANGELOG.md", "docs/guide.md", "src/app.swift"])
        let kinds = try repository.changedPaths(from: history.root, to: history.second)
        #expect(kinds.first { $0.path.string == "docs/guide.md" }?.kind == .added)
        #expect(kinds.first { $0.path.string == "src/app.swift" }?.kind == .modified)
        // A new branch: the all-zero before gives the pushed commit's own changes.
        #expect(paths(try repository.changedPaths(from: zero, to: history.feature2)) == ["src/app.swift"])
        #expect(paths(try repository.changedPaths(from: "", to: history.feature1)) == ["src/feature.swift"])
        // A first commit has no parent: everything in it.
        let first = try repository.changedPaths(from: zero, to: history.root)
        #expect(paths(first) == ["README.md", "src/app.swift"])
        #expect(first.allSatisfy { $0.kind == .added })
        expectGitError(.unknownRevision) { _ = try repository.changedPaths(from: "deadbeef", to: "HEAD") }
    }

    @Test func pullRequestUsesTheMergeBase() throws {
        let history = try History()
        let repository = try GitRepository(path: history.fixture.path)
        // main moved on (CHANGELOG.md) after the branch point; that is not the pull request's change.
        #expect(
            paths(try repository.changedPaths(pullRequest: "feature", target: "main"))
                == ["src/app.swift", "src/feature.swift"])
        // Merging main into the feature branch does not bring main's files into the pull request.
        try history.fixture.git(["checkout", "-q", "feature"])
        try history.fixture.git(["merge", "-q", "--no-edit", "main"])
        #expect(try repository.head().subject.hasPrefix("Merge branch 'main'"))
        #expect(
            paths(try repository.changedPaths(pullRequest: "HEAD", target: "main"))
                == ["src/app.swift", "src/feature.swift"])
        // And the push of that merge commit (zero before) shows what it brought against its first parent.
        #expect(paths(try repository.changedPaths(from: zero, to: "HEAD")) == ["CHANGELOG.md"])
        // Unrelated histories have no merge base.
        try history.fixture.git(["checkout", "-q", "--orphan", "other"])
        try history.fixture.git(["rm", "-rf", "-q", "."])
        try history.fixture.write("other.txt", "other\n")
        try history.fixture.commit("Unrelated")
        let error = expectGitError(.noMergeBase) {
            _ = try repository.changedPaths(pullRequest: "other", target: "main")
        }
        #expect(error?.message.contains("no merge base") == true)
    }

    @Test func stagedChangesForPreCommit() throws {
        let fresh = try GitFixture()
        try fresh.write("a.txt", "a\n")
        try fresh.write("b/c.txt", "c\n")
        try fresh.git(["add", "a.txt", "b/c.txt"])
        let empty = try GitRepository(path: fresh.path)
        // No commit yet: everything staged is new.
        #expect(paths(try empty.stagedChanges()) == ["a.txt", "b/c.txt"])
        expectGitError(.unbornHead) { _ = try empty.head() }

        let history = try History()
        let repository = try GitRepository(path: history.fixture.path)
        #expect(try repository.stagedChanges().isEmpty)
        try history.fixture.write("src/app.swift", "let a = 9\n")
        try history.fixture.write("new.txt", "new\n")
        try history.fixture.write("unstaged.txt", "not staged\n")
        try history.fixture.git(["add", "src/app.swift", "new.txt"])
        try history.fixture.git(["rm", "-q", "README.md"])
        let staged = try repository.stagedChanges()
        #expect(paths(staged) == ["README.md", "new.txt", "src/app.swift"])
        #expect(staged.first { $0.path.string == "README.md" }?.kind == .deleted)
        let hunks = try repository.diff(.staged, contextLines: 0)
        #expect(
            hunks.first { $0.path.string == "src/app.swift" }?.addedLines == [GitDiffLine(number: 1, text: "let a = 9")]
        )
    }

    @Test func unpushedCommitsForPrePush() throws {
        let remote = try GitFixture(bare: true)
        let history = try History()
        let fixture = history.fixture
        try fixture.git(["remote", "add", "origin", remote.path])
        let repository = try GitRepository(path: fixture.path)
        let noUpstream = expectGitError(.noUpstream) { _ = try repository.unpushedCommits() }
        #expect(noUpstream?.message.contains("branch 'main' has no upstream") == true)

        try fixture.git(["push", "-q", "-u", "origin", "main"])
        #expect(try repository.unpushedCommits().commits.isEmpty)
        try fixture.write("src/app.swift", "let a = 4\n")
        let one = try fixture.commit("One")
        try fixture.write("notes/todo.md", "todo\n")
        let two = try fixture.commit("Two")
        let unpushed = try repository.unpushedCommits()
        #expect(unpushed.upstream == "origin/main")
        #expect(unpushed.commits == [two, one])
        #expect(paths(unpushed.changes) == ["notes/todo.md", "src/app.swift"])
        // Against a named remote branch, and through the comparison API.
        #expect(try repository.unpushedCommits(remoteBranch: "origin/main").commits.count == 2)
        #expect(paths(try repository.changes(.unpushed(remoteBranch: nil))) == ["notes/todo.md", "src/app.swift"])

        try fixture.git(["checkout", "-q", "--detach"])
        expectGitError(.noUpstream) { _ = try repository.unpushedCommits() }
    }

    @Test func diffHunksCarryLineNumbers() throws {
        let fixture = try GitFixture()
        let lines = (1...10).map { "line \($0)" }
        try fixture.write("file.txt", lines.joined(separator: "\n") + "\n")
        try fixture.write("image.bin", Data([0, 1, 2, 0, 255]))
        let before = try fixture.commit("Ten lines")
        var changed = lines
        changed[2] = "line three"
        changed.insert(contentsOf: ["inserted a", "inserted b"], at: 8)
        changed.remove(at: 0)
        try fixture.write("file.txt", changed.joined(separator: "\n") + "\n")
        try fixture.write("image.bin", Data([0, 1, 2, 0, 254]))
        let after = try fixture.commit("Edit")
        let repository = try GitRepository(path: fixture.path)

        let tight = try repository.diff(from: before, to: after, contextLines: 0)
        let file = try #require(tight.first { $0.path.string == "file.txt" })
        #expect(file.change.kind == .modified)
        #expect(
            file.hunks.map { [$0.oldStart, $0.oldCount, $0.newStart, $0.newCount] } == [
                [1, 1, 0, 0], [3, 1, 2, 1], [8, 0, 8, 2],
            ])
        #expect(file.hunks[1].header == "@@ -3 +2 @@ line 2")
        #expect(file.hunks[0].removedLines == [GitDiffLine(number: 1, text: "line 1")])
        #expect(
            file.addedLines == [
                GitDiffLine(number: 2, text: "line three"), GitDiffLine(number: 8, text: "inserted a"),
                GitDiffLine(number: 9, text: "inserted b"),
            ])
        // Matches what git itself reports.
        let cli = try fixture.git(["diff", "-U0", before, after, "--", "file.txt"])
        #expect(cli.split(separator: "\n").filter { $0.hasPrefix("@@") }.map(String.init) == file.hunks.map(\.header))

        let binary = try #require(tight.first { $0.path.string == "image.bin" })
        #expect(binary.change.isBinary)
        #expect(binary.hunks.isEmpty)

        // With context the hunks widen (and merge) but the added lines keep their numbers.
        let wide = try #require(try repository.diff(from: before, to: after).first { $0.path.string == "file.txt" })
        #expect(wide.hunks.count == 1)
        #expect(wide.hunks[0].oldStart == 1 && wide.hunks[0].newStart == 1)
        #expect(wide.addedLines.map(\.number) == [2, 8, 9])
    }

    @Test func renamesAndNonUTF8Paths() throws {
        let fixture = try GitFixture()
        try fixture.write("old.txt", (1...20).map { "row \($0)\n" }.joined())
        let before = try fixture.commit("Start")
        try fixture.git(["mv", "old.txt", "new.txt"])
        // "café" in Latin-1: the 0xE9 byte alone is not valid UTF-8.
        var rawName = Array(fixture.root.path.utf8) + Array("/caf".utf8) + [0xE9] + Array(".txt".utf8) + [0]
        let handle = rawName.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { fopen($0, "w") }
        }
        let file = try #require(handle)
        fputs("bytes\n", file)
        fclose(file)
        let after = try fixture.commit("Rename and add")
        let repository = try GitRepository(path: fixture.path)
        let changes = try repository.changedPaths(from: before, to: after)
        let renamed = try #require(changes.first { $0.kind == .renamed })
        #expect(renamed.path.string == "new.txt")
        #expect(renamed.oldPath?.string == "old.txt")
        let odd = try #require(changes.first { $0.kind == .added })
        #expect(odd.path.bytes == Array("caf".utf8) + [0xE9] + Array(".txt".utf8))
        #expect(odd.path.isLossy)
        #expect(odd.path.string == "caf\u{FFFD}.txt")
        #expect(!renamed.path.isLossy)
        let diff = try repository.diff(from: before, to: after)
        #expect(diff.first { $0.path == odd.path }?.addedLines == [GitDiffLine(number: 1, text: "bytes")])
    }

    @Test func clearErrors() throws {
        let plain = try GitFixture(initialize: false)
        let notRepository = expectGitError(.notARepository) { _ = try GitRepository(path: plain.path) }
        #expect(
            notRepository?.message
                == "'\(plain.path)' is not in a git repository (nor is any of its parent directories)")
        #expect(notRepository.map { "\($0)" } == notRepository?.message)

        let history = try History()
        let repository = try GitRepository(path: history.fixture.path)
        let unknown = expectGitError(.unknownRevision) {
            _ = try repository.changedPaths(from: "main", to: "no-such-branch")
        }
        #expect(unknown?.message == "unknown revision 'no-such-branch': it names no commit in this repository")
        expectGitError(.unknownRevision) { _ = try repository.resolve("HEAD~99") }
        expectGitError(.unknownRevision) { _ = try repository.diff(.pullRequest(head: "feature", target: "gone")) }
    }

    @Test(.enabled(if: getuid() == 0, "needs root to hand the repository to another user"))
    func repositoriesOwnedByAnotherUserOpen() throws {
        let history = try History()
        guard chown(history.fixture.path, 65534, 65534) == 0 else {
            Issue.record("chown failed")
            return
        }
        defer { _ = chown(history.fixture.path, 0, 0) }
        // The git command line refuses such a repository ("dubious ownership"); libgit2 here must not.
        #expect(throws: FixtureError.self) { try history.fixture.git(["status"]) }
        let repository = try GitRepository(path: history.fixture.path)
        #expect(try repository.head().commit == history.main3)
    }

    @Test func shallowHistoryIsExplained() throws {
        let history = try History()
        let clone = try GitFixture(initialize: false)
        try GitFixture.run(
            ["clone", "-q", "--depth", "1", "--branch", "feature", "file://" + history.fixture.path, clone.path],
            in: clone.path)
        let repository = try GitRepository(path: clone.path)
        #expect(repository.isShallow)
        #expect(try repository.head().commit == history.feature2)
        let parent = expectGitError(.shallowHistory) { _ = try repository.changedPaths(from: zero, to: "HEAD") }
        #expect(parent?.message.contains("fetch more history") == true)
        expectGitError(.shallowHistory) { _ = try repository.changedPaths(from: history.root, to: "HEAD") }
    }
}
