import DevFlowGit
import DevFlowGraph
import DevFlowLint
import Foundation

/// `devflow hooks install|uninstall|run`: the git hooks a pipeline's `on.hook` names, written into the repository's
/// hooks directory (`core.hooksPath` respected), a foreign hook kept (chained with `--force`, refused without), and
/// what a hook runs: the pipeline on the staged files (pre-commit) or the pushed range (pre-push).
public enum HookCommands {
    /// The line that marks a hook DevFlow wrote (and may replace or remove).
    static let marker = "# devflow-hooks: managed"
    /// The suffix a foreign hook is kept under when DevFlow chains it.
    static let chainedSuffix = ".devflow-chained"
    /// Hooks git feeds on standard input: the input is kept so a chained hook and DevFlow both read it.
    static let readsInput: Set<String> = ["pre-push", "post-rewrite", "reference-transaction"]

    static func fail(_ message: String, _ code: Int32) -> Int32 {
        FileHandle.standardError.write(Data("devflow: \(message)\n".utf8))
        return code
    }

    static func say(_ message: String) { FileHandle.standardOutput.write(Data((message + "\n").utf8)) }

    /// The repository and its hooks directory.
    static func repository(in directory: String) -> Result<(GitRepository, String), HookProblem> {
        do {
            let repository = try GitRepository(path: directory)
            guard repository.workdir != nil else {
                return .failure(HookProblem("a bare repository has no hooks to run"))
            }
            return .success((repository, try repository.hooksDirectory()))
        } catch {
            return .failure(HookProblem("'\(directory)' is not in a git repository (\(error))"))
        }
    }

    /// `devflow hooks install [--force]`: 0 written, 1 refused, 2 usage.
    public static func install(file: String, force: Bool, directory: String) -> Int32 {
        let graph: ExecutionGraph
        switch PipelineCommands.compile(file, workingDirectory: directory) {
        case .failure(let outcome):
            FileHandle.standardError.write(Data(outcome.errors.utf8))
            return outcome.exitCode.rawValue
        case .success(let compiled): graph = compiled
        }
        let hooks = graph.triggers.hooks
        guard !hooks.isEmpty else {
            return fail(
                "\(file) has no 'on.hook', so there is no hook to install; add e.g. 'on: {hook: [pre-commit]}'", 2)
        }
        let (repository, hooksDirectory): (GitRepository, String)
        switch Self.repository(in: directory) {
        case .failure(let problem): return fail(problem.message, 2)
        case .success(let found): (repository, hooksDirectory) = found
        }
        let root = repository.workdir.map(GitRepository.trimSlash) ?? directory
        let absoluteFile = PathName.normalize(file.hasPrefix("/") ? file : directory + "/" + file)
        let pipeline =
            absoluteFile.hasPrefix(root + "/") ? String(absoluteFile.dropFirst(root.count + 1)) : absoluteFile
        let manager = FileManager.default
        let foreign = hooks.filter { name in
            let path = "\(hooksDirectory)/\(name)"
            return manager.fileExists(atPath: path) && !isManaged(path)
        }
        if !foreign.isEmpty, !force {
            for name in foreign {
                FileHandle.standardError.write(
                    Data(
                        ("devflow: \(hooksDirectory)/\(name) is a hook of its own, left as it is; run 'devflow hooks "
                            + "install --force' to keep it and run it before DevFlow's (it moves to \(name)"
                            + "\(chainedSuffix)), or remove it\n").utf8))
            }
            return 1
        }
        do {
            try manager.createDirectory(atPath: hooksDirectory, withIntermediateDirectories: true)
            for name in foreign {
                let chained = "\(hooksDirectory)/\(name)\(chainedSuffix)"
                if manager.fileExists(atPath: chained) { try manager.removeItem(atPath: chained) }
                try manager.moveItem(atPath: "\(hooksDirectory)/\(name)", toPath: chained)
            }
            for name in hooks {
                try writeExecutable(
                    script(hook: name, pipeline: pipeline, devflow: executablePath()), to: "\(hooksDirectory)/\(name)")
            }
            // Hooks this pipeline no longer names go, and what they chained comes back.
            for name in (try? manager.contentsOfDirectory(atPath: hooksDirectory)) ?? []
            where !hooks.contains(name) && !name.hasSuffix(chainedSuffix) && isManaged("\(hooksDirectory)/\(name)") {
                try remove(name, in: hooksDirectory)
            }
        } catch {
            return fail("cannot write the hooks into \(hooksDirectory): \(error)", 1)
        }
        for name in hooks {
            say(
                "installed \(name) in \(hooksDirectory)"
                    + (foreign.contains(name) ? " (runs your \(name)\(chainedSuffix) first)" : ""))
        }
        return 0
    }

    /// `devflow hooks uninstall`: removes DevFlow's hooks and puts chained ones back.
    public static func uninstall(directory: String) -> Int32 {
        let hooksDirectory: String
        switch Self.repository(in: directory) {
        case .failure(let problem): return fail(problem.message, 2)
        case .success(let found): hooksDirectory = found.1
        }
        var removed: [String] = []
        do {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: hooksDirectory)) ?? []
            where !name.hasSuffix(chainedSuffix) && isManaged("\(hooksDirectory)/\(name)") {
                try remove(name, in: hooksDirectory)
                removed.append(name)
            }
        } catch {
            return fail("cannot remove the hooks from \(hooksDirectory): \(error)", 1)
        }
        say(
            removed.isEmpty
                ? "no DevFlow hooks in \(hooksDirectory)" : "removed \(removed.sorted().joined(separator: ", "))")
        return 0
    }

    /// Removes DevFlow's hook `name` and restores the foreign one it chained, if any.
    static func remove(_ name: String, in hooksDirectory: String) throws {
        let manager = FileManager.default
        try manager.removeItem(atPath: "\(hooksDirectory)/\(name)")
        let chained = "\(hooksDirectory)/\(name)\(chainedSuffix)"
        if manager.fileExists(atPath: chained) {
            try manager.moveItem(atPath: chained, toPath: "\(hooksDirectory)/\(name)")
        }
    }

    static func isManaged(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 512)) ?? Data()
        return String(decoding: head, as: UTF8.self).contains(marker)
    }

    /// The hook script: the chained hook first (with the same input), then `devflow hooks run`.
    static func script(hook: String, pipeline: String, devflow: String) -> String {
        let run = "\(quote(devflow)) hooks run \(quote(hook)) --file \(quote(pipeline)) -- \"$@\""
        let chained = "chained=\"$0\(chainedSuffix)\""
        let body: String
        if readsInput.contains(hook) {
            body = """
                input=$(cat)
                \(chained)
                if [ -x "$chained" ]; then printf '%s\\n' "$input" | "$chained" "$@" || exit $?; fi
                printf '%s\\n' "$input" | exec \(run)
                """
        } else {
            body = """
                \(chained)
                if [ -x "$chained" ]; then "$chained" "$@" || exit $?; fi
                exec \(run)
                """
        }
        return "#!/bin/sh\n\(marker): written by 'devflow hooks install', removed by 'devflow hooks uninstall'\n"
            + body + "\n"
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// This executable's absolute path (what the hook calls).
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return count > 0 ? String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "devflow"
    }

    /// Writes an executable file through a temporary file and a rename.
    static func writeExecutable(_ text: String, to path: String) throws {
        let temporary = path + ".devflow-new"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        guard chmod(temporary, 0o755) == 0, rename(temporary, path) == 0 else {
            let message = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw HookProblem(message)
        }
    }
}

/// Why a hook command cannot go on.
struct HookProblem: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
