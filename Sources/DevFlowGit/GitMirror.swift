import CGit2
import Foundation

/// A bare mirror of one remote repository on local disk, kept current by `update()`, from which workers check out
/// exact commits (`checkout(commit:into:)`) and the server reads files and changes without a working tree.
///
/// The mirror lives at `directory` (for example `.devflow/server/mirrors/acme/app.git`). Beside it are
/// `directory.lock`, which `update()` holds with `flock(2)` so that threads and processes updating the same mirror
/// take turns, and, only while a first clone runs, `directory.clone-<uuid>`: the clone is made there and renamed
/// into place, so a crash mid-clone leaves no half mirror (the next `update()` removes the leftover).
///
/// Transports are libgit2's: local paths, `file://` and smart HTTP(S). No `git` process is ever started.
///
/// ```swift
/// let mirror = GitMirror(remoteURL: "https://github.com/acme/app.git",
///                        directory: "/srv/devflow/mirrors/acme/app.git",
///                        credentials: GitCredentials(token: token))
/// let update = try mirror.update()            // clone once, fetch and prune after
/// let checkout = try mirror.checkout(commit: sha, into: "/srv/devflow/workspaces/run-42")
/// ```
public struct GitMirror: Sendable {
    /// The refs a mirror keeps: branches and tags, plus the head refs of GitHub pull requests and GitLab merge
    /// requests (a forge without them simply matches nothing). Each is forced, as pushes may rewrite history.
    public static let defaultRefspecs = [
        "+refs/heads/*:refs/heads/*",
        "+refs/tags/*:refs/tags/*",
        "+refs/pull/*/head:refs/pull/*/head",
        "+refs/merge-requests/*/head:refs/merge-requests/*/head",
    ]

    /// The remote as configured: a local path, a `file://` URL or an `http(s)://` URL.
    public let remoteURL: String
    /// The mirror's own directory (a bare repository once `update()` has run).
    public let directory: String
    /// What to answer when an HTTPS remote asks for credentials; nil for none.
    public let credentials: GitCredentials?
    /// The fetch refspecs, `defaultRefspecs` unless given.
    public let refspecs: [String]

    let address: GitRemoteAddress

    /// A mirror of `remoteURL` at `directory`; nothing is read or written until `update()`.
    ///
    /// A relative `directory` is taken from the current directory; the mirror works with its absolute form.
    public init(
        remoteURL: String, directory: String, credentials: GitCredentials? = nil,
        refspecs: [String] = GitMirror.defaultRefspecs
    ) {
        self.remoteURL = remoteURL
        self.directory = Self.absolute(directory)
        self.credentials = credentials
        self.refspecs = refspecs
        self.address = GitRemoteAddress(remoteURL)
    }

    /// The remote's address without any user information, as the mirror's configuration and messages show it.
    public var displayURL: String { address.display }

    /// The lock file `update()` holds: `directory` + `.lock`.
    public var lockPath: String { directory + ".lock" }

    /// True once a first `update()` has put a mirror in place.
    public var exists: Bool {
        FileManager.default.fileExists(atPath: directory + "/HEAD")
    }

    /// Clones the remote the first time (bare, with `refspecs`), fetches afterwards, and prunes the refs the
    /// remote deleted, under the mirror's lock.
    ///
    /// Blocks while another thread or process updates the same mirror, then fetches again itself (cheap when
    /// nothing moved): a caller that needs a commit pushed a moment ago always gets a fetch after its push.
    ///
    /// - Throws: `GitError` of kind `.authenticationFailed` when the remote wants credentials that are missing or
    ///   wrong, `.transportFailed` when it cannot be reached or read, `.unusableDirectory` when `directory` exists
    ///   but is not a repository. Messages quote libgit2 and never contain the token.
    @discardableResult
    public func update() throws -> GitMirrorUpdate {
        _ = libgit2Setup
        let parent = Self.parent(of: directory)
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw GitError(.unusableDirectory, "cannot create the mirror directory '\(parent)': \(error)")
        }
        let lock = try GitFileLock(path: lockPath)
        defer { lock.release() }
        removeLeftoverClones()
        if exists {
            let repository = try openMirror()
            try recordRemote(in: repository.handle)
            let fetched = try fetch(into: repository.handle, action: .fetched)
            // An optimisation: when it fails, the packs stay as they were and the next update tries again.
            try? consolidatePacks(in: repository.handle)
            return fetched
        }
        if FileManager.default.fileExists(atPath: directory),
            let entries = try? FileManager.default.contentsOfDirectory(atPath: directory), !entries.isEmpty
        {
            throw GitError(
                .unusableDirectory,
                "'\(directory)' exists but is not a git repository, so it cannot hold the mirror of "
                    + "'\(displayURL)'; remove it (or choose another data directory) and update again")
        }
        return try cloneIntoPlace()
    }

    /// Opens the mirror (never a repository above it).
    ///
    /// - Throws: `GitError` of kind `.unusableDirectory` when there is no mirror yet.
    func openMirror() throws -> GitRepository {
        guard exists else {
            throw GitError(
                .unusableDirectory,
                "there is no mirror of '\(displayURL)' at '\(directory)' yet; call update() to clone it first")
        }
        do {
            return try GitRepository(path: directory, searchingParents: false)
        } catch let error as GitError {
            throw GitError(
                .unusableDirectory,
                "'\(directory)' is not a usable mirror of '\(displayURL)' (\(error.message)); remove it and update "
                    + "again", code: error.code)
        }
    }

    /// A first clone: a bare repository in a temporary directory beside the mirror, fetched, then renamed.
    private func cloneIntoPlace() throws -> GitMirrorUpdate {
        let temporary = directory + ".clone-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        var handle: OpaquePointer?
        let code = git_repository_init(&handle, temporary, 1)
        guard code == 0, let handle else {
            throw GitRepository.failure(code, "cannot create a bare repository at '\(temporary)'")
        }
        let result: GitMirrorUpdate
        do {
            defer { git_repository_free(handle) }
            try recordRemote(in: handle)
            result = try fetch(into: handle, action: .cloned)
        }
        try? FileManager.default.removeItem(atPath: directory)  // an empty directory someone made in advance
        guard rename(temporary, directory) == 0 else {
            throw GitError(
                .unusableDirectory,
                "cannot move the new mirror from '\(temporary)' to '\(directory)': \(String(cString: strerror(errno)))")
        }
        return result
    }

    /// Removes `directory.clone-*` directories that a crashed first clone left (the caller holds the lock).
    private func removeLeftoverClones() {
        let parent = Self.parent(of: directory)
        let prefix = Self.lastComponent(of: directory) + ".clone-"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        for entry in entries where entry.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: parent + "/" + entry)
        }
    }

    /// `path` made absolute (from the current directory) and normalized: no `.`, `..`, empty components or
    /// trailing slash. Byte-level, without NSString path methods.
    static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var components: [Substring] = []
        for component in full.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                _ = components.popLast()
                continue
            }
            components.append(component)
        }
        return "/" + components.joined(separator: "/")
    }

    /// The directory containing the absolute, normalized `path` (`/` for a top-level entry).
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// The last component of the absolute, normalized `path`.
    static func lastComponent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
