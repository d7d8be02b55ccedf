import CGit2
import Foundation

extension GitRepository {
    /// Where git runs hooks from: `core.hooksPath` (relative to the working tree's root, as git reads it) when set,
    /// otherwise `hooks/` in the git directory.
    public func hooksDirectory() throws -> String {
        var config: OpaquePointer?
        try check(git_repository_config_snapshot(&config, handle), "cannot read the repository's configuration")
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        if git_config_get_string(&value, config, "core.hooksPath") == 0, let value {
            var path = String(cString: value)
            if path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] {
                path = home + path.dropFirst()
            }
            if !path.hasPrefix("/") { path = (workdir ?? gitDirectory) + "/" + path }
            return Self.trimSlash(path)
        }
        return gitDirectory + "/hooks"
    }

    /// Whether a tracked file differs between the index and the working tree (edits not staged); untracked files
    /// do not count.
    public func hasUnstagedChanges() throws -> Bool {
        let index = try freshIndex()
        defer { git_index_free(index) }
        var options = git_diff_options()
        git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION))
        var diff: OpaquePointer?
        try check(git_diff_index_to_workdir(&diff, handle, index, &options), "cannot compare the index and files")
        defer { git_diff_free(diff) }
        return git_diff_num_deltas(diff) > 0
    }

    /// The index as `git add` last wrote it (the caller frees it).
    func freshIndex() throws -> OpaquePointer? {
        var index: OpaquePointer?
        try check(git_repository_index(&index, handle), "cannot read the index")
        if let code = Optional(git_index_read(index, 0)), code < 0 {
            git_index_free(index)
            try check(code, "cannot reload the index")
        }
        return index
    }

    /// Writes the index's files (what the next commit holds) into `directory`, which must not exist yet or be
    /// empty; the working tree and the index are left as they are.
    public func checkoutIndex(into directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let index = try freshIndex()
        defer { git_index_free(index) }
        var options = git_checkout_options()
        git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION))
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_DONT_UPDATE_INDEX.rawValue
        try directory.withCString { target in
            options.target_directory = target
            try check(git_checkout_index(handle, index, &options), "cannot write the staged files into '\(directory)'")
        }
    }
}
