import DevFlowGit
import DevFlowTestSupport
import Foundation
import Testing

/// Expects `body` to throw a `GitError` of `kind` and returns it for further checks.
@discardableResult
func expectMirrorError<Result>(
    _ kind: GitError.Kind, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Result
) -> GitError? {
    do {
        _ = try body()
        Issue.record("expected a GitError of kind \(kind), got no error", sourceLocation: sourceLocation)
    } catch let error as GitError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a GitError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// A scratch directory for mirrors and workspaces, removed with the value.
final class ScratchDirectory {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("devflow-mirror-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `path` + `/` + `name`.
    func join(_ name: String) -> String { path + "/" + name }
}

/// An upstream repository with `main` (two commits) and `feature` (one more), driven by the git CLI.
struct Upstream {
    let fixture: GitFixture
    let first: String
    let second: String
    let feature: String

    init() throws {
        let fixture = try GitFixture()
        try fixture.write("README.md", "# App\n")
        try fixture.write("src/app.swift", "let version = 1\n")
        first = try fixture.commit("Initial commit", date: "2024-01-01T00:00:00Z")
        try fixture.write("src/app.swift", "let version = 2\n")
        second = try fixture.commit("Bump the version\n\nWith a body.", date: "2024-01-02T10:30:00Z")
        try fixture.git(["checkout", "-q", "-b", "feature"])
        try fixture.write("src/feature.swift", "func feature() {}\n")
        feature = try fixture.commit("Add the feature")
        try fixture.git(["checkout", "-q", "main"])
        self.fixture = fixture
    }

    var path: String { fixture.path }
}

/// The refs of a bare repository as `name → sha`, read with the git CLI.
func refs(of repository: String) throws -> [String: String] {
    let listing = try GitFixture.run(["for-each-ref", "--format=%(refname) %(objectname)"], in: repository)
    var refs: [String: String] = [:]
    for line in listing.split(separator: "\n") {
        let parts = line.split(separator: " ")
        refs[String(parts[0])] = String(parts[1])
    }
    return refs
}
