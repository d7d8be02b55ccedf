import DevFlowGit
import Foundation

/// The lines a built-in agent inspects: the changed lines of an event's git changes (`scope: changes`, the
/// default), or every line of every text file in the workspace (`scope: all`).
public struct AgentScope: Sendable {
    /// One file and the lines to inspect, with their 1-based line numbers.
    public struct File: Sendable {
        /// Workspace-relative path.
        public var path: String
        /// The lines to inspect.
        public var lines: [(number: Int, text: String)]
    }

    /// A path the comparison touched, and how.
    public struct ChangedPath: Sendable, Hashable {
        /// Workspace-relative path (after a rename, the new one).
        public var path: String
        /// `added`, `modified`, `deleted`, `renamed`, `copied` or `typeChanged`.
        public var kind: String

        /// Creates a changed path.
        public init(path: String, kind: String) {
            self.path = path
            self.kind = kind
        }
    }

    /// The files, sorted by path.
    public var files: [File]
    /// Files passed over, with why (binary, too large, not UTF-8 text…).
    public var skipped: [String]
    /// Every path the comparison touched (deleted and binary ones too), sorted; for `scope: all`, every file.
    public var changedPaths: [ChangedPath] = []
    /// Whether this is `scope: all` (every line of every file) rather than the changed lines.
    public var isWholeWorkspace = false

    /// Creates a scope.
    public init(files: [File], skipped: [String], changedPaths: [ChangedPath] = [], isWholeWorkspace: Bool = false) {
        self.files = files
        self.skipped = skipped
        self.changedPaths = changedPaths
        self.isWholeWorkspace = isWholeWorkspace
    }

    /// The lines to inspect in `path`, by line number; nil when the file is not in scope.
    public func lineNumbers(of path: String) -> Set<Int>? {
        files.first { $0.path == path }.map { Set($0.lines.map(\.number)) }
    }

    /// Files larger than this are skipped with a note.
    public static let maximumFileBytes = 10 * 1024 * 1024
    /// Directories never walked for `scope: all` (nor `.build*` scratch folders).
    static let ignoredDirectories: Set<String> = [".git", ".build", ".devflow", "node_modules", ".swiftpm"]

    /// The changed lines of `comparison` in the repository at `workspace`.
    public static func changes(in workspace: String, comparison: GitComparison) throws -> AgentScope {
        let repository = try GitRepository(path: workspace)
        var files: [File] = []
        var skipped: [String] = []
        var changed: [ChangedPath] = []
        for diff in try repository.diff(comparison, contextLines: 0) {
            let path = diff.path.string
            if diff.path.isLossy {
                skipped.append("\(path): the path is not valid UTF-8")
                continue
            }
            changed.append(ChangedPath(path: path, kind: diff.change.kind.rawValue))
            if diff.change.isBinary {
                skipped.append("\(path): binary or larger than the diff limit")
                continue
            }
            let lines = diff.addedLines.map { (number: $0.number, text: $0.text) }
            if !lines.isEmpty { files.append(File(path: path, lines: lines)) }
        }
        return AgentScope(
            files: files.sorted { $0.path < $1.path }, skipped: skipped,
            changedPaths: changed.sorted { $0.path < $1.path })
    }

    /// Every line of every text file of the workspace (see ``WorkspaceFiles``: the tracked files in a git
    /// repository); with `readingLines` false, the files are listed with no lines, for agents that read them.
    public static func all(in workspace: String, readingLines: Bool = true) -> AgentScope {
        var files: [File] = []
        var skipped: [String] = []
        for relative in WorkspaceFiles.list(workspace, skipped: &skipped) {
            var info = stat()
            // Tracked files deleted from the working tree, links and other non-regular files are passed over.
            guard lstat("\(workspace)/\(relative)", &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            if info.st_size > maximumFileBytes {
                skipped.append("\(relative): \(info.st_size) bytes, over the \(maximumFileBytes)-byte limit")
                continue
            }
            guard readingLines else {
                files.append(File(path: relative, lines: []))
                continue
            }
            guard let data = FileManager.default.contents(atPath: "\(workspace)/\(relative)") else { continue }
            guard let lines = Self.lines(data) else {
                skipped.append("\(relative): binary")
                continue
            }
            files.append(File(path: relative, lines: lines))
        }
        return AgentScope(
            files: files, skipped: skipped, changedPaths: files.map { ChangedPath(path: $0.path, kind: "modified") },
            isWholeWorkspace: true)
    }

    /// Whether a NUL byte in the first 8,000 says `data` is binary (as git decides it).
    static func isBinary(_ data: Data) -> Bool {
        data.withUnsafeBytes { raw in raw.baseAddress.map { memchr($0, 0, min(raw.count, 8000)) != nil } ?? false }
    }

    /// The numbered lines of a text file (split at `\n`, a `\r` before it kept, as in a diff), or nil when it is
    /// binary.
    static func lines(_ data: Data) -> [(number: Int, text: String)]? {
        if isBinary(data) { return nil }
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [(number: Int, text: String)] in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let base = bytes.baseAddress else { return [] }
            var lines: [(number: Int, text: String)] = []
            var start = 0
            while start <= bytes.count {
                let rest = bytes.count - start
                let end: Int
                if rest > 0, let newline = memchr(base + start, 10, rest) {
                    end = base.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                } else {
                    end = bytes.count
                }
                lines.append(
                    (
                        lines.count + 1,
                        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                    ))
                start = end + 1
            }
            return lines
        }
    }
}
