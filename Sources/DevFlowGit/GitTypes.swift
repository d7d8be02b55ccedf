import Foundation

/// What HEAD points at: the branch, the commit and the facts of that commit.
public struct GitHead: Equatable, Sendable {
    /// The short branch name (`main`, `feature/x`), or nil when HEAD is detached.
    public let branch: String?
    /// The full hexadecimal sha of the commit HEAD resolves to.
    public let commit: String
    /// When the commit was authored.
    public let authorTime: Date
    /// The author's name.
    public let authorName: String
    /// The author's e-mail address.
    public let authorEmail: String
    /// The first paragraph of the commit message, on one line.
    public let subject: String
}

/// How a file changed between two sides of a comparison.
public enum GitChangeKind: String, Sendable {
    /// The file is new.
    case added
    /// The file's content (or mode) changed.
    case modified
    /// The file was removed.
    case deleted
    /// The file moved, perhaps with edits; `oldPath` says from where.
    case renamed
    /// The file was copied from `oldPath`.
    case copied
    /// The entry changed type (file, symlink, submodule).
    case typeChanged
}

/// A path as git stores it: raw bytes, plus a readable string that never fails.
public struct GitPath: Hashable, Sendable, CustomStringConvertible {
    /// The bytes of the path exactly as recorded in the tree or index.
    public let bytes: [UInt8]
    /// The path decoded as UTF-8, with invalid sequences replaced by U+FFFD.
    public var string: String { String(decoding: bytes, as: UTF8.self) }
    /// True when `bytes` are not valid UTF-8, so `string` is only an approximation.
    public var isLossy: Bool { !string.utf8.elementsEqual(bytes) }

    /// Wraps the raw bytes of a path.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The UTF-8 bytes of `string`.
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// The readable form of the path.
    public var description: String { string }
}

/// One changed file in a comparison.
public struct GitChange: Hashable, Sendable {
    /// The file's path on the new side (for a deletion, the path that was removed).
    public let path: GitPath
    /// The path on the old side, when it differs from `path` (renames and copies).
    public let oldPath: GitPath?
    /// How the file changed.
    public let kind: GitChangeKind
    /// True when libgit2 considers either side binary (or larger than the diff size limit).
    public let isBinary: Bool

    /// Makes a change record (for tests and for agents that build contexts by hand).
    public init(path: GitPath, oldPath: GitPath? = nil, kind: GitChangeKind, isBinary: Bool = false) {
        self.path = path
        self.oldPath = oldPath
        self.kind = kind
        self.isBinary = isBinary
    }
}

/// One line of a hunk, with its line number on the side it belongs to.
public struct GitDiffLine: Hashable, Sendable {
    /// The 1-based line number: in the new file for added lines, in the old file for removed ones.
    public let number: Int
    /// The line's text without its line ending, decoded lossily from UTF-8.
    public let text: String

    /// Makes a numbered line.
    public init(number: Int, text: String) {
        self.number = number
        self.text = text
    }
}

/// A hunk of a unified diff.
public struct GitHunk: Hashable, Sendable {
    /// The first line of the hunk in the old file (0 when the old side is empty).
    public let oldStart: Int
    /// How many old lines the hunk covers.
    public let oldCount: Int
    /// The first line of the hunk in the new file (0 when the new side is empty).
    public let newStart: Int
    /// How many new lines the hunk covers.
    public let newCount: Int
    /// The `@@ -a,b +c,d @@ …` header line, without its line ending.
    public let header: String
    /// The lines added by the hunk, numbered in the new file.
    public let addedLines: [GitDiffLine]
    /// The lines removed by the hunk, numbered in the old file.
    public let removedLines: [GitDiffLine]

    /// Makes a hunk (for tests and for agents that build contexts by hand).
    public init(
        oldStart: Int, oldCount: Int, newStart: Int, newCount: Int, header: String, addedLines: [GitDiffLine],
        removedLines: [GitDiffLine]
    ) {
        self.oldStart = oldStart
        self.oldCount = oldCount
        self.newStart = newStart
        self.newCount = newCount
        self.header = header
        self.addedLines = addedLines
        self.removedLines = removedLines
    }
}

/// One file of a diff: what changed and, for text files, the hunks.
public struct GitFileDiff: Hashable, Sendable {
    /// The change itself (path, old path, kind, binary flag).
    public let change: GitChange
    /// The hunks, in file order; empty for binary files and for changes of mode only.
    public let hunks: [GitHunk]

    /// Makes a file diff from its change and hunks.
    public init(change: GitChange, hunks: [GitHunk]) {
        self.change = change
        self.hunks = hunks
    }

    /// The file's path on the new side.
    public var path: GitPath { change.path }
    /// Every added line of every hunk, numbered in the new file.
    public var addedLines: [GitDiffLine] { hunks.flatMap(\.addedLines) }
}

/// The two sides a set of changes is computed between.
public enum GitComparison: Hashable, Sendable {
    /// A push from `before` to `after`. An all-zero (or empty) `before` means a new branch: the changes are then
    /// those of the `after` commit itself, and everything in it when it has no parent.
    case push(before: String, after: String)
    /// A pull request: from the merge base of `head` and `target` to `head`.
    case pullRequest(head: String, target: String)
    /// What `git commit` would record: the index against HEAD (everything staged when there is no commit yet).
    case staged
    /// What `git push` would send: from the merge base of HEAD and `remoteBranch` (the upstream when nil) to HEAD.
    case unpushed(remoteBranch: String?)
}

/// The commits and changes on HEAD that its upstream does not have.
public struct GitUnpushedCommits: Equatable, Sendable {
    /// The remote-tracking branch compared against, such as `origin/main`.
    public let upstream: String
    /// The shas of the commits reachable from HEAD but not from `upstream`, newest first.
    public let commits: [String]
    /// The net changes from the merge base of HEAD and `upstream` to HEAD.
    public let changes: [GitChange]
}
