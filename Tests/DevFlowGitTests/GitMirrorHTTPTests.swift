import DevFlowGit
import DevFlowTestSupport
import Foundation
import Testing

/// Clones and fetches over smart HTTP from `git http-backend` on 127.0.0.1, with the token as basic authentication.
@Suite struct GitMirrorHTTPTests {
    static let token = "tok_3f9a1c27e4b8d6059e12"

    /// A bare `app.git` under a served root, fed from the upstream by `git push --mirror`.
    private struct Served {
        let upstream: Upstream
        let root: ScratchDirectory
        let server: SmartHTTPServer

        init() throws {
            upstream = try Upstream()
            root = try ScratchDirectory()
            try GitFixture.run(["clone", "-q", "--bare", upstream.path, root.join("app.git")], in: root.path)
            server = try SmartHTTPServer(root: root.path, username: "x-access-token", token: GitMirrorHTTPTests.token)
        }

        func push() throws {
            try upstream.fixture.git(["push", "-q", "--mirror", root.join("app.git")])
        }
    }

    /// Every file of the mirror that git writes text into (config, refs, HEAD, logs), concatenated.
    private func storedText(of directory: String) throws -> String {
        var text = ""
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let relative = enumerator?.nextObject() as? String {
            if relative.hasPrefix("objects") { continue }
            if let content = try? String(contentsOfFile: directory + "/" + relative, encoding: .utf8) {
                text += content
            }
        }
        return text
    }

    @Test func clonesAndFetchesWithTheTokenWhichItNeverStores() throws {
        let served = try Served()
        let scratch = try ScratchDirectory()
        let url = served.server.url("app.git")
        let mirror = GitMirror(
            remoteURL: url, directory: scratch.join("app.git"), credentials: GitCredentials(token: Self.token))

        let clone = try mirror.update()
        #expect(clone.action == .cloned)
        #expect(clone.defaultBranch == "refs/heads/main")
        #expect(try mirror.resolve("main") == served.upstream.second)

        try served.upstream.fixture.write("src/app.swift", "let version = 3\n")
        let third = try served.upstream.fixture.commit("Three")
        try served.push()
        let fetch = try mirror.update()
        #expect(
            fetch.refUpdates == [
                GitRefUpdate(name: "refs/heads/main", oldCommit: served.upstream.second, newCommit: third)
            ])
        #expect(try mirror.checkout(commit: third, into: scratch.join("run")).commit == third)

        let stored = try storedText(of: mirror.directory)
        #expect(stored.contains("url = " + url))
        #expect(!stored.contains(Self.token))
        // libgit2 creates FETCH_HEAD but, told not to update it, leaves it empty: no URL recorded there.
        #expect(((try? String(contentsOfFile: mirror.directory + "/FETCH_HEAD", encoding: .utf8)) ?? "").isEmpty)
    }

    @Test func aWrongTokenFailsAsAuthenticationWithoutShowingIt() throws {
        let served = try Served()
        let scratch = try ScratchDirectory()
        let wrong = "tok_wrong_8d1e5a0c"
        let mirror = GitMirror(
            remoteURL: served.server.url("app.git"), directory: scratch.join("app.git"),
            credentials: GitCredentials(token: wrong))

        let error = expectMirrorError(.authenticationFailed) { try mirror.update() }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("cannot clone '\(served.server.url("app.git"))' into the mirror at"))
        #expect(message.contains("check that the clone token for user 'x-access-token' is current"))
        #expect(!message.contains(wrong))
        #expect(!message.contains(Self.token))
        #expect(!mirror.exists)
    }

    @Test func noTokenIsAnsweredWith401AndReportedAsMissingCredentials() throws {
        let served = try Served()
        let scratch = try ScratchDirectory()
        let mirror = GitMirror(remoteURL: served.server.url("app.git"), directory: scratch.join("app.git"))

        let error = expectMirrorError(.authenticationFailed) { try mirror.update() }
        #expect(error?.message.contains("the remote requires credentials: give the repository a clone token") == true)
    }

    @Test func aTokenInTheURLIsUsedButNeitherStoredNorShown() throws {
        let served = try Served()
        let scratch = try ScratchDirectory()
        let plain = served.server.url("app.git")
        let withToken = plain.replacingOccurrences(of: "http://", with: "http://x-access-token:\(Self.token)@")
        let mirror = GitMirror(remoteURL: withToken, directory: scratch.join("app.git"))

        #expect(mirror.displayURL == plain)
        #expect(try mirror.update().action == .cloned)
        #expect(!(try storedText(of: mirror.directory)).contains(Self.token))
        let missing = GitMirror(remoteURL: withToken + "-missing", directory: scratch.join("missing.git"))
        let error = expectMirrorError(.transportFailed) { try missing.update() }
        #expect(error.map { !$0.message.contains(Self.token) } == true, "\(error?.message ?? "")")
    }

    @Test func aRefusedConnectionFailsWithLibgit2sMessage() throws {
        let scratch = try ScratchDirectory()
        let mirror = GitMirror(
            remoteURL: "http://127.0.0.1:1/app.git", directory: scratch.join("app.git"),
            credentials: GitCredentials(token: Self.token))

        let error = expectMirrorError(.transportFailed) { try mirror.update() }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("cannot clone 'http://127.0.0.1:1/app.git' into the mirror at"))
        #expect(message.lowercased().contains("connect"), "libgit2's words: \(message)")
        #expect(!message.contains(Self.token))
        #expect(!mirror.exists)
    }
}
