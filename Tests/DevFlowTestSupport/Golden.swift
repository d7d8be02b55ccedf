import Foundation

/// Golden files: compare output with a checked-in file, or re-record it with `RECORD_SNAPSHOTS=1`.
public enum Golden {
    /// True when `RECORD_SNAPSHOTS=1` is set.
    public static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" }

    /// Compares `actual` with the file at `path`; returns a description of the difference, or nil when equal.
    /// When recording, writes the file (atomically) and returns nil.
    public static func mismatch(_ actual: String, path: String) -> String? {
        if recording {
            try? FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            do {
                try actual.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                return "could not record \(path): \(error)"
            }
            return nil
        }
        guard let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
            return "golden file \(path) is missing; run the tests with RECORD_SNAPSHOTS=1 to create it"
        }
        guard expected != actual else { return nil }
        return "output differs from \(path) (re-record with RECORD_SNAPSHOTS=1 if the change is intended):\n"
            + diff(expected: expected, actual: actual)
    }

    /// A compact line diff: the first differing lines with their numbers.
    public static func diff(expected: String, actual: String) -> String {
        let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for index in 0..<max(old.count, new.count) where out.count < 24 {
            let a = index < old.count ? String(old[index]) : "<none>"
            let b = index < new.count ? String(new[index]) : "<none>"
            if a != b { out.append("line \(index + 1):\n  - \(a)\n  + \(b)") }
        }
        return out.joined(separator: "\n")
    }
}

/// Locations in the repository, found from this file's path.
public enum Repository {
    /// The repository root.
    public static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `root/relative`.
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// Files under `relative` with one of `extensions`, sorted, as paths relative to `relative`.
    public static func files(under relative: String, extensions: [String] = ["yml", "yaml"]) -> [String] {
        let base = path(relative)
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return [] }
        var found: [String] = []
        while let entry = enumerator.nextObject() as? String {
            if extensions.contains((entry as NSString).pathExtension) { found.append(entry) }
        }
        return found.sorted()
    }

    /// The full path of an executable on PATH, if any.
    public static func executable(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a program and returns its exit status and combined output.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], input: Data? = nil, directory: String? = nil,
        environment: [String: String] = [:]
    ) -> (status: Int32, output: String) {
        let process = Process()
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let stdin = Pipe()
        process.standardInput = stdin
        do { try process.run() } catch { return (-1, "could not start \(executable): \(error)") }
        let writer = Thread {
            if let input { stdin.fileHandleForWriting.write(input) }
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
