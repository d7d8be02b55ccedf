import DevFlowGit
import DevFlowTestSupport
import Foundation
import Testing

@Suite struct GitCheckoutTests {
    /// Every file under `directory` (outside `.git`) with its content.
    private func files(in directory: String) throws -> [String: String] {
        var files: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let relative = enumerator?.nextObject() as? String {
            if relative == ".git" {
                enumerator?.skipDescendants()
                continue
            }
            var isDirectory: ObjCBool = false
            let full = directory + "/" + relative
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = try String(contentsOfFile: full, encoding: .utf8)
            }
        }
        return files
    }

    @Test func checksOutTheExactCommitWithADetachedHead() throws {
        let upstream = try Upstream()
        let scratch = try ScratchDirectory()
        let mirror = GitMirror(remoteURL: upstream.path, directory: scratch.join("mirrors/app.git"))
        try mirror.update()
        let workspace = scratch.join("workspaces/run-1")

        let checkout = try mirror.checkout(commit: upstream.feature, into: workspace)
        #expect(checkout.commit == upstream.feature)
        #expect(checkout.workspace == workspace)
        #expect(
            try files(in: workspace) == [
                "README.md": "# App\n", "src/app.swift": "let version = 2\n",
                "src/feature.swift": "func feature() {}\n",
            ])
        let repository = try GitRepository(path: workspace)
        let head = try repository.head()
        #expect(head.branch == nil)
        #expect(head.commit == upstream.feature)
        #expect(try repository.stagedChanges().isEmpty)
        #expect(
            try repository.changedPaths(from: upstream.first, to: "HEAD").map(\.path.string).sorted() == [
                "src/app.swift", "src/feature.swift",
            ])
        #expect(checkout.tree == (try GitFixture.run(["rev-parse", "HEAD^{tree}"], in: workspace)))
        #expect(try GitFixture.run(["status", "--porcelain"], in: workspace).isEmpty)
        let alternates = try String(contentsOfFile: workspace + "/.git/objects/info/alternates", encoding: .utf8)
        #expect(alternates == mirror.directory + "/objects\n")
    }

    @Test func aSecondCheckoutReplacesTheWorkspace() throws {
        let upstream = try Upstream()
        let scratch = try ScratchDirectory()
        let mirror = GitMirror(remoteURL: upstream.path, directory: scratch.join("app.git"))
        try mirror.update()
        let workspace = scratch.join("run")
        try mirror.checkout(commit: upstream.feature, into: workspace)
        try Data("left by a step\n".utf8).write(to: URL(fileURLWithPath: workspace + "/build.log"))

        let checkout = try mirror.checkout(commit: "main", into: workspace)
        #expect(checkout.commit == upstream.second)
        #expect(try files(in: workspace) == ["README.md": "# App\n", "src/app.swift": "let version = 2\n"])
        #expect(try GitRepository(path: workspace).head().commit == upstream.second)
    }

    @Test func aReusedWorkspaceIsCleanedToExactlyTheCommit() throws {
        let upstream = try Upstream()
        let scratch = try ScratchDirectory()
        let mirror = GitMirror(remoteURL: upstream.path, directory: scratch.join("mirrors/app.git"))
        try mirror.update()
        let workspace = scratch.join("workspaces/slot-1")
        try mirror.checkout(commit: upstream.feature, into: workspace, reusing: true)
        // What a run's steps leave behind: edits, deletions, untracked and ignored files, a directory, git settings.
        let manager = FileManager.default
        try "let version = 9\n".write(toFile: workspace + "/src/app.swift", atomically: false, encoding: .utf8)
        try manager.removeItem(atPath: workspace + "/README.md")
        try manager.createDirectory(atPath: workspace + "/build/out", withIntermediateDirectories: true)
        try "object".write(toFile: workspace + "/build/out/app.o", atomically: false, encoding: .utf8)
        try "*.log\n".write(toFile: workspace + "/.git/info/exclude", atomically: false, encoding: .utf8)
        try "log".write(toFile: workspace + "/test.log", atomically: false, encoding: .utf8)
        try "[core]\n\thooksPath = /nonexistent\n".write(
            toFile: workspace + "/.git/config", atomically: false, encoding: .utf8)

        let checkout = try mirror.checkout(commit: upstream.second, into: workspace, reusing: true)
        #expect(checkout.commit == upstream.second)
        #expect(try files(in: workspace) == ["README.md": "# App\n", "src/app.swift": "let version = 2\n"])
        #expect(!manager.fileExists(atPath: workspace + "/build"))
        #expect(try GitRepository(path: workspace).resolve("HEAD") == upstream.second)
        let config = try String(contentsOfFile: workspace + "/.git/config", encoding: .utf8)
        #expect(!config.contains("hooksPath"))
        // Back to the feature commit: the file the two commits share is not written again (same inode).
        func inode(_ path: String) throws -> Int? {
            (try manager.attributesOfItem(atPath: workspace + "/" + path)[.systemFileNumber] as? NSNumber)?.intValue
        }
        let readme = try inode("README.md")
        try mirror.checkout(commit: upstream.feature, into: workspace, reusing: true)
        #expect(try inode("README.md") == readme)
        let fresh = scratch.join("workspaces/fresh")
        try mirror.checkout(commit: upstream.feature, into: fresh)
        #expect(try files(in: workspace) == files(in: fresh))
        // A workspace that is not a checkout of this mirror is replaced, never trusted.
        let stranger = scratch.join("workspaces/stranger")
        try manager.createDirectory(atPath: stranger + "/.git", withIntermediateDirectories: true)
        try "junk".write(toFile: stranger + "/junk.txt", atomically: false, encoding: .utf8)
        try mirror.checkout(commit: upstream.first, into: stranger, reusing: true)
        #expect(try files(in: stranger) == ["README.md": "# App\n", "src/app.swift": "let version = 1\n"])
    }

    @Test func aCommitTheMirrorDoesNotHaveIsNamedWithWhatToDo() throws {
        let upstream = try Upstream()
        let scratch = try ScratchDirectory()
        let mirror = GitMirror(remoteURL: upstream.path, directory: scratch.join("app.git"))
        try mirror.update()
        let missing = "0123456789abcdef0123456789abcdef01234567"

        let error = expectMirrorError(.unknownRevision) {
            try mirror.checkout(commit: missing, into: scratch.join("run"))
        }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("commit '\(missing)' is not in the mirror of '\(upstream.path)'"))
        #expect(message.contains("update the mirror and retry"))
        #expect(message.contains("0123456789abcdef"), "libgit2's own words are kept: \(message)")
    }

    @Test func aBranchDeletedBeforeTheCheckoutIsNamed() throws {
        let upstream = try Upstream()
        let scratch = try ScratchDirectory()
        let mirror = GitMirror(remoteURL: upstream.path, directory: scratch.join("app.git"))
        try mirror.update()
        try upstream.fixture.git(["branch", "-q", "-D", "feature"])
        try mirror.update()

        let error = expectMirrorError(.unknownRevision) {
            try mirror.checkout(commit: "refs/heads/feature", into: scratch.join("run"))
        }
        #expect(error?.message.hasPrefix("ref 'refs/heads/feature' is not in the mirror of") == true)
        #expect(error?.message.contains("the branch was deleted") == true)
        // The branch's commit itself is still there, by sha.
        #expect(try mirror.checkout(commit: upstream.feature, into: scratch.join("run")).commit == upstream.feature)
    }

    @Test func refusesAWorkspaceThatOverlapsTheMirror() throws {
        let upstream = try Upstream()
        let scratch = try ScratchDirectory()
        let mirror = GitMirror(remoteURL: upstream.path, directory: scratch.join("app.git"))
        try mirror.update()

        expectMirrorError(.unusableDirectory) { try mirror.checkout(commit: "main", into: scratch.path) }
        expectMirrorError(.unusableDirectory) { try mirror.checkout(commit: "main", into: mirror.directory + "/x") }
        #expect(mirror.exists)
    }

    @Test func checkingOutBeforeTheFirstUpdateSaysSo() throws {
        let scratch = try ScratchDirectory()
        let mirror = GitMirror(remoteURL: "/nowhere", directory: scratch.join("app.git"))
        let error = expectMirrorError(.unusableDirectory) {
            try mirror.checkout(commit: "main", into: scratch.join("run"))
        }
        #expect(error?.message.contains("call update() to clone it first") == true)
    }
}
