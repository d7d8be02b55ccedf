import DevFlowGit
import DevFlowTestSupport
import Foundation
import Testing

@Suite struct GitMirrorTests {
    @Test func clonesFromALocalPathThenFetchesNewCommits() throws {
        let upstream = try Upstream()
        let scratch = try ScratchDirectory()
        let mirror = GitMirror(remoteURL: upstream.path, directory: scratch.join("mirrors/app.git"))
        #expect(!mirror.exists)

        let clone = try mirror.update()
        #expect(clone.action == .cloned)
        #expect(clone.defaultBranch == "refs/heads/main")
        #expect(clone.receivedObjects > 0)
        #expect(Set(clone.refUpdates.map(\.name)) == ["refs/heads/main", "refs/heads/feature"])
        #expect(clone.refUpdates.allSatisfy { $0.kind == .created })
        #expect(mirror.exists)
        let repository = try mirror.repository()
        #expect(repository.workdir == nil)
        #expect(try repository.resolve("HEAD") == upstream.second)
        #expect(
            try refs(of: mirror.directory) == [
                "refs/heads/main": upstream.second, "refs/heads/feature": upstream.feature,
            ])

        let unchanged = try mirror.update()
        #expect(unchanged.action == .fetched)
        #expect(unchanged.refUpdates.isEmpty)

        try upstream.fixture.write("src/app.swift", "let version = 3\n")
        let third = try upstream.fixture.commit("Three")
        let fetched = try mirror.update()
        #expect(
            fetched.refUpdates == [GitRefUpdate(name: "refs/heads/main", oldCommit: upstream.second, newCommit: third)])
        #expect(fetched.refUpdates.first?.kind == .moved)
        #expect(try mirror.resolve("main") == third)
        #expect(String(decoding: try mirror.readFile("src/app.swift", at: third), as: UTF8.self) == "let version = 3\n")
    }

    @Test func manyFetchesRollTheirPacksIntoOneAndEveryCommitStaysReadable() throws {
        let upstream = try Upstream()
        let scratch = try ScratchDirectory()
        let mirror = GitMirror(remoteURL: upstream.path, directory: scratch.join("mirrors/app.git"))
        try mirror.update()
        // A workspace checked out before the roll-up reads its objects through the mirror's alternates.
        let early = try mirror.checkout(commit: upstream.second, into: scratch.join("early"))
        var commits: [String] = []
        for index in 0..<(GitMirror.packLimit * 2) {
            try upstream.fixture.write("src/file\(index).txt", "content \(index)\n")
            commits.append(try upstream.fixture.commit("commit \(index)"))
            try mirror.update()
            let packs = try FileManager.default.contentsOfDirectory(atPath: mirror.directory + "/objects/pack")
                .filter { $0.hasSuffix(".pack") }
            #expect(packs.count <= GitMirror.packLimit, "after fetch \(index + 1): \(packs.count) packs")
        }
        for (index, commit) in commits.enumerated() {
            #expect(
                String(decoding: try mirror.readFile("src/file\(index).txt", at: commit), as: UTF8.self)
                    == "content \(index)\n")
        }
        let last = try mirror.checkout(commit: commits[commits.count - 1], into: scratch.join("last"))
        #expect(
            try String(contentsOfFile: last.workspace + "/src/file0.txt", encoding: .utf8) == "content 0\n")
        #expect(try GitRepository(path: early.workspace).resolve("HEAD") == upstream.second)
        #expect(try GitRepository(path: last.workspace).resolve(upstream.first) == upstream.first)
    }

    @Test func clonesFromAFileURLAndMirrorsPullRequestHeads() throws {
        let upstream = try Upstream()
        try upstream.fixture.git(["update-ref", "refs/pull/7/head", upstream.feature])
        try upstream.fixture.git(["update-ref", "refs/merge-requests/3/head", upstream.first])
        try upstream.fixture.git(["update-ref", "refs/pull/7/merge", upstream.second])
        try upstream.fixture.git(["tag", "v1", upstream.first])
        let scratch = try ScratchDirectory()
        let mirror = GitMirror(remoteURL: "file://" + upstream.path, directory: scratch.join("app.git"))

        #expect(try mirror.update().action == .cloned)
        #expect(
            try refs(of: mirror.directory) == [
                "refs/heads/main": upstream.second, "refs/heads/feature": upstream.feature,
                "refs/pull/7/head": upstream.feature, "refs/merge-requests/3/head": upstream.first,
                "refs/tags/v1": upstream.first,
            ])
        #expect(try mirror.resolve("refs/pull/7/head") == upstream.feature)
        let config = try String(contentsOfFile: mirror.directory + "/config", encoding: .utf8)
        #expect(config.contains("url = file://" + upstream.path))
        #expect(config.contains("fetch = +refs/pull/*/head:refs/pull/*/head"))
        #expect(config.contains("bare = true"))
    }

    @Test func followsAForcePushAndPrunesADeletedBranch() throws {
        let upstream = try Upstream()
        let scratch = try ScratchDirectory()
        let mirror = GitMirror(remoteURL: upstream.path, directory: scratch.join("app.git"))
        try mirror.update()

        try upstream.fixture.git(["reset", "-q", "--hard", upstream.first])
        try upstream.fixture.write("src/app.swift", "let version = 20\n")
        let rewritten = try upstream.fixture.commit("Rewritten history")
        try upstream.fixture.git(["branch", "-q", "-D", "feature"])
        let update = try mirror.update()

        #expect(
            Set(update.refUpdates) == [
                GitRefUpdate(name: "refs/heads/main", oldCommit: upstream.second, newCommit: rewritten),
                GitRefUpdate(name: "refs/heads/feature", oldCommit: upstream.feature, newCommit: nil),
            ])
        #expect(try refs(of: mirror.directory) == ["refs/heads/main": rewritten])
        // The commits the force-push replaced stay readable by sha (an update never removes objects).
        #expect(try mirror.commitInfo(upstream.second).sha == upstream.second)
        expectMirrorError(.unknownRevision) { try mirror.resolve("feature") }
    }

    @Test func twoConcurrentUpdatesOfOneMirrorCloneOnceAndBothSucceed() throws {
        let upstream = try Upstream()
        let scratch = try ScratchDirectory()
        let directory = scratch.join("app.git")
        let remote = upstream.path
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            let mirror = GitMirror(remoteURL: remote, directory: directory)
            results.append(Result { try mirror.update().action })
        }
        let actions = try results.values.map { try $0.get() }
        #expect(actions.sorted(by: { $0.rawValue < $1.rawValue }) == [.cloned, .fetched])
        #expect(try refs(of: directory)["refs/heads/main"] == upstream.second)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
        #expect(leftovers.sorted() == ["app.git", "app.git.lock"])
    }

    @Test func aCloneThatCrashedLeavesNothingTheNextUpdateTrips() throws {
        let upstream = try Upstream()
        let scratch = try ScratchDirectory()
        let leftover = scratch.join("app.git.clone-1234")
        try FileManager.default.createDirectory(atPath: leftover + "/objects", withIntermediateDirectories: true)
        try Data("half a clone".utf8).write(to: URL(fileURLWithPath: leftover + "/HEAD"))
        let mirror = GitMirror(remoteURL: upstream.path, directory: scratch.join("app.git"))

        #expect(try mirror.update().action == .cloned)
        #expect(!FileManager.default.fileExists(atPath: leftover))
    }

    @Test func aDirectoryThatIsNotAMirrorIsReportedNotOverwritten() throws {
        let upstream = try Upstream()
        let scratch = try ScratchDirectory()
        let directory = scratch.join("app.git")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: directory + "/notes.txt"))
        let mirror = GitMirror(remoteURL: upstream.path, directory: directory)

        let error = expectMirrorError(.unusableDirectory) { try mirror.update() }
        #expect(error?.message.contains("'\(directory)' exists but is not a git repository") == true)
        #expect(FileManager.default.fileExists(atPath: directory + "/notes.txt"))
        expectMirrorError(.unusableDirectory) { try mirror.resolve("main") }
    }

    @Test func aRemoteThatIsNotThereFailsWithLibgit2sMessage() throws {
        let scratch = try ScratchDirectory()
        let missing = scratch.join("no-such-repository")
        let mirror = GitMirror(remoteURL: missing, directory: scratch.join("app.git"))

        let error = expectMirrorError(.transportFailed) { try mirror.update() }
        #expect(
            error?.message.hasPrefix("cannot clone '\(missing)' into the mirror at '\(mirror.directory)': ") == true)
        #expect(!mirror.exists)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["app.git.lock"])
    }

    @Test func theDisplayURLDropsUserInformationOnly() {
        func display(_ url: String) -> String { GitMirror(remoteURL: url, directory: "/tmp/x.git").displayURL }
        #expect(
            display("https://x-access-token:s3cret@github.com:8443/acme/app.git")
                == "https://github.com:8443/acme/app.git")
        #expect(display("https://oauth2@gitlab.example.com/acme/app.git") == "https://gitlab.example.com/acme/app.git")
        #expect(display("https://github.com/acme/a@b.git") == "https://github.com/acme/a@b.git")
        #expect(display("/srv/git/app.git") == "/srv/git/app.git")
        #expect(display("file:///srv/git/app.git") == "file:///srv/git/app.git")
        #expect(GitMirror(remoteURL: "/r", directory: "/data/./mirrors/../m/app.git/").directory == "/data/m/app.git")
        #expect("\(GitCredentials(token: "s3cret"))" == "GitCredentials(username: x-access-token, token: ***)")
    }

    @Test func answersTheServersQuestionsAtACommit() throws {
        let upstream = try Upstream()
        let scratch = try ScratchDirectory()
        let mirror = GitMirror(remoteURL: upstream.path, directory: scratch.join("app.git"))
        try mirror.update()
        let zero = String(repeating: "0", count: 40)
        func paths(_ changes: [GitChange]) -> [String] { changes.map(\.path.string).sorted() }

        #expect(String(decoding: try mirror.readFile("README.md", at: upstream.first), as: UTF8.self) == "# App\n")
        expectMirrorError(.pathNotFound) { try mirror.readFile("src/feature.swift", at: "main") }
        #expect(
            paths(try mirror.changedPaths(before: upstream.first, after: upstream.feature)) == [
                "src/app.swift", "src/feature.swift",
            ])
        #expect(paths(try mirror.changedPaths(before: zero, after: upstream.feature)) == ["src/feature.swift"])
        #expect(paths(try mirror.changedPaths(before: nil, after: upstream.first)) == ["README.md", "src/app.swift"])
        let unknown = "1234567890123456789012345678901234567890"
        #expect(paths(try mirror.changedPaths(before: unknown, after: upstream.feature)) == ["src/feature.swift"])
        #expect(paths(try mirror.changedPaths(pullRequestHead: "feature", target: "main")) == ["src/feature.swift"])

        let info = try mirror.commitInfo(upstream.second)
        #expect(info.sha == upstream.second)
        #expect(info.parents == [upstream.first])
        #expect(info.message == "Bump the version\n\nWith a body.\n")
        #expect(info.subject == "Bump the version")
        #expect(info.authorName == "Ada Lovelace")
        #expect(info.authorTime == ISO8601DateFormatter().date(from: "2024-01-02T10:30:00Z"))
        #expect(try mirror.commitInfo(upstream.first).parents.isEmpty)
    }
}

/// Results gathered from concurrent threads.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Result<GitMirrorUpdate.Action, any Error>] = []

    func append(_ result: Result<GitMirrorUpdate.Action, any Error>) {
        lock.withLock { stored.append(result) }
    }

    var values: [Result<GitMirrorUpdate.Action, any Error>] { lock.withLock { stored } }
}
