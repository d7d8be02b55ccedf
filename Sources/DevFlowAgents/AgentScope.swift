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

    /// Every line of every text file under `workspace`.
    public static func all(in workspace: String) -> AgentScope {
        var files: [File] = []
        var skipped: [String] = []
        var pending = [""]
        let manager = FileManager.default
        while let directory = pending.popLast() {
            let absolute = directory.isEmpty ? workspace : "\(workspace)/\(directory)"
            guard let entries = try? manager.contentsOfDirectory(atPath: absolute) else { continue }
            for entry in entries.sorted() where !ignoredDirectories.contains(entry) && !entry.hasPrefix(".build") {
                let relative = directory.isEmpty ? entry : "\(directory)/\(entry)"
                var isDirectory: ObjCBool = false
                guard manager.fileExists(atPath: "\(workspace)/\(relative)", isDirectory: &isDirectory) else {
                    continue
                }
                if isDirectory.boolValue {
                    pending.append(relative)
                    continue
                }
                let size = (try? manager.attributesOfItem(atPath: "\(workspace)/\(relative)")[.size] as? Int) ?? 0
                if size > maximumFileBytes {
                    skipped.append("\(relative): \(size) bytes, over the \(maximumFileBytes)-byte limit")
                    continue
                }
                guard let data = manager.contents(atPath: "\(workspace)/\(relative)") else { continue }
                if data.prefix(8000).contains(0) {
                    skipped.append("\(relative): binary")
                    continue
                }
                let text = String(decoding: data, as: UTF8.self)
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map {
                    (number: $0.offset + 1, text: String($0.element))
                }
                files.append(File(path: relative, lines: lines))
            }
        }
        files.sort { $0.path < $1.path }
        return AgentScope(
            files: files, skipped: skipped, changedPaths: files.map { ChangedPath(path: $0.path, kind: "modified") },
            isWholeWorkspace: true)
    }
}
