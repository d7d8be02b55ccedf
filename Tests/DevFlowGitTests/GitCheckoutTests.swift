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
