import DevFlowGit
import DevFlowGraph
import Foundation

/// The files of a workspace that agents look at with `scope: all`: in a git repository, the tracked files (what
/// `git ls-files` lists, so ignored build output and untracked scratch files are left out); elsewhere (or when git
/// tracks nothing under the workspace), every file under it except `.git`, `.build*`, `.devflow`, `node_modules`
/// and `.swiftpm`.
enum WorkspaceFiles {
    /// Workspace-relative paths, sorted; paths git stores as invalid UTF-8 go to `skipped` with a note.
    static func list(_ workspace: String, skipped: inout [String]) -> [String] {
        if let repository = try? GitRepository(path: workspace), let root = repository.workdir,
            let tracked = try? repository.trackedPaths()
        {
            let base = URL(fileURLWithPath: workspace).standardizedFileURL.resolvingSymlinksInPath().path
            let top = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
            let prefix =
                base == top ? "" : base.hasPrefix(top + "/") ? String(base.dropFirst(top.count + 1)) + "/" : nil
            if let prefix {
                var paths: [String] = []
                for path in tracked {
                    if path.isLossy {
                        skipped.append("\(path.string): the path is not valid UTF-8")
                        continue
                    }
                    let text = path.string
                    guard text.hasPrefix(prefix) else { continue }
                    paths.append(String(text.dropFirst(prefix.count)))
                }
                // A directory git does not track at all (a scratch copy inside a repository) is walked instead.
                if !paths.isEmpty { return paths.sorted() }
            }
        }
        return walk(workspace)
    }

    /// The workspace's files matching `globs` (notes about skipped paths are dropped), sorted.
    static func list(_ workspace: String, matching globs: GlobList) -> [String] {
        var ignored: [String] = []
        return list(workspace, skipped: &ignored).filter { globs.matches($0) }
    }

    /// Every file under `workspace`, without following symbolic links. Entries are typed by `readdir` (no `lstat`
    /// per entry, except on file systems that do not report types).
    static func walk(_ workspace: String) -> [String] {
        var found: [String] = []
        var pending = [""]
        while let directory = pending.popLast() {
            let absolute = directory.isEmpty ? workspace : "\(workspace)/\(directory)"
            guard let stream = opendir(absolute) else { continue }
            defer { closedir(stream) }
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                if AgentScope.ignoredDirectories.contains(name) || name.hasPrefix(".build") { continue }
                let relative = directory.isEmpty ? name : "\(directory)/\(name)"
                var type = Int32(entry.pointee.d_type)
                if type == Int32(DT_UNKNOWN) {
                    var info = stat()
                    guard lstat("\(workspace)/\(relative)", &info) == 0 else { continue }
                    let mode = info.st_mode & S_IFMT
                    type = mode == S_IFDIR ? Int32(DT_DIR) : mode == S_IFREG ? Int32(DT_REG) : Int32(DT_UNKNOWN)
                }
                if type == Int32(DT_DIR) {
                    pending.append(relative)
                } else if type == Int32(DT_REG) {
                    found.append(relative)
                }
            }
        }
        return found.sorted()
    }
}
