import Foundation

/// A throwaway repository in a temporary directory, driven by the `git` command line with an isolated
/// configuration (no system or global config is read or written).
public final class GitFixture {
    /// The fixture's directory.
    public let root: URL

    /// Creates an empty directory and, unless `initialize` is false, a repository on `main` in it.
    public init(bare: Bool = false, initialize: Bool = true) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-git-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        if initialize {
            try git(bare ? ["init", "-q", "--bare", "-b", "main"] : ["init", "-q", "-b", "main"])
            if !bare {
                try git(["config", "user.name", "Ada Lovelace"])
                try git(["config", "user.email", "ada@example.com"])
            }
        }
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// The fixture's directory path.
    public var path: String { root.path }

    /// Runs git in the fixture and returns its standard output without the final newline.
    @discardableResult
    public func git(_ arguments: [String], date: String = "2024-03-01T12:00:00Z") throws -> String {
        try Self.run(arguments, in: path, date: date)
    }

    /// Runs git in `directory` with the fixture environment.
    @discardableResult
    public static func run(_ arguments: [String], in directory: String, date: String = "2024-03-01T12:00:00Z") throws
        -> String
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_AUTHOR_DATE"] = date
        environment["GIT_COMMITTER_DATE"] = date
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError(
                message: "git \(arguments.joined(separator: " ")) failed: " + String(decoding: errorData, as: UTF8.self)
            )
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// Writes `content` to `relativePath`, creating directories on the way.
    public func write(_ relativePath: String, _ content: String) throws {
        try write(relativePath, Data(content.utf8))
    }

    /// Writes raw bytes to `relativePath`, creating directories on the way.
    public func write(_ relativePath: String, _ content: Data) throws {
        let url = root.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try content.write(to: url)
    }

    /// Stages everything and commits it; returns the new commit's sha.
    @discardableResult
    public func commit(_ message: String, date: String = "2024-03-01T12:00:00Z") throws -> String {
        try git(["add", "-A"])
        try git(["commit", "-q", "-m", message], date: date)
        return try git(["rev-parse", "HEAD"])
    }
}

/// A git command of a fixture failed.
public struct FixtureError: Error, CustomStringConvertible {
    /// The command and its error output.
    public let message: String
    /// The message.
    public var description: String { message }
}
