import DevFlowGit
import DevFlowGraph
import Foundation

extension HookCommands {
    /// `devflow hooks run NAME`: what the installed hook runs. The pipeline runs as a `hook` event from the
    /// repository's root with `paths:` decided by the hook's changes: pre-commit by the staged paths, and its steps
    /// see the staged content (when files have edits that are not staged, the steps run in a copy of the index, so
    /// the unstaged edits neither count nor get touched); pre-push by the pushed range git gives on standard input.
    /// Runs are recorded in the repository's `.devflow/devflow.sqlite`. Exit: the run's.
    public static func run(
        hook: String, file: String, output: String?, directory: String, input: () -> String
    ) async -> Int32 {
        let repository: GitRepository
        switch Self.repository(in: directory) {
        case .failure(let problem): return fail(problem.message, 2)
        case .success(let found): repository = found.0
        }
        let root = repository.workdir.map(GitRepository.trimSlash) ?? directory
        var options = RunCommands.RunOptions(
            file: file, event: "hook", branch: nil, changed: nil, jobs: 2, steps: [], resume: nil, force: false,
            failFast: false, database: RunCommands.defaultDatabase(in: root), events: nil, inputs: [])
        options.hook = hook
        options.output = output
        options.branch = try? repository.head().branch
        var workspace = root
        var copy: String?
        defer { if let copy { try? FileManager.default.removeItem(atPath: copy) } }
        switch hook {
        case "pre-commit":
            options.changed = (try? repository.stagedChanges()).map(paths)
            if (try? repository.hasUnstagedChanges()) == true {
                let staged = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "devflow-staged-\(UUID().uuidString)"
                ).path
                do {
                    try repository.checkoutIndex(into: staged)
                } catch {
                    return fail("cannot copy the staged files to run the hook on them: \(error)", 1)
                }
                FileHandle.standardError.write(
                    Data("devflow: some edits are not staged; the steps run on the staged files (a copy)\n".utf8))
                copy = staged
                workspace = staged
            }
        case "pre-push":
            switch pushedPaths(input(), in: repository) {
            case .success(let changed): options.changed = changed
            case .failure(let problem): FileHandle.standardError.write(Data("devflow: \(problem.message)\n".utf8))
            }
        default: break
        }
        return await RunCommands.run(options, isTerminal: isatty(STDOUT_FILENO) == 1, directory: workspace)
    }

    static func paths(_ changes: [GitChange]) -> [String] {
        changes.flatMap { change in [change.path.string] + (change.oldPath.map { [$0.string] } ?? []) }
    }

    /// The paths the pushed commits change, from pre-push's input lines `<local ref> <local sha> <remote ref>
    /// <remote sha>`: a branch the remote has is compared from its sha; a new one by its head commit's own changes;
    /// a deletion pushes nothing.
    static func pushedPaths(_ input: String, in repository: GitRepository) -> Result<[String], HookProblem> {
        let zero = String(repeating: "0", count: 40)
        var changed: Set<String> = []
        for line in input.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 4, fields[1] != zero else { continue }
            let before = fields[3] == zero ? "" : fields[3]
            do {
                changed.formUnion(paths(try repository.changedPaths(from: before, to: fields[1])))
            } catch {
                return .failure(
                    HookProblem(
                        "cannot tell what the push of \(fields[0]) changes (\(error)); 'paths:' are decided by the "
                            + "commits the upstream lacks"))
            }
        }
        return .success(changed.sorted())
    }
}
