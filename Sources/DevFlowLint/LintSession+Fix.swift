import DevFlowDiagnostics
import Foundation

extension LintSession {
    /// `--fix`: write the fixed files, or print what would change.
    public enum FixMode: Sendable {
        /// Apply the fixes in place (atomically, only files that change), then lint again.
        case write
        /// Print the unified diff of the fixes; change nothing.
        case diff
    }

    /// What fixing did to the linted files.
    struct FixReport {
        /// Each file's diagnostics after fixing (the same as before for a file nothing changed in).
        var results: [(SourceFile?, [Diagnostic])] = []
        /// The unified diffs (`--diff`).
        var diff = ""
        /// Messages for stderr: what was fixed, skipped, or could not be written.
        var messages: [String] = []
        /// Problems fixed and files changed.
        var fixed = 0
        var files = 0
        /// Fix-its left out because they are not safe.
        var unsafeLeft = 0
        /// A file could not be written.
        var failed = false
    }

    /// Applies the fix-its of every linted file (safe ones, or all with `unsafeFixes`) and re-lints what changed.
    func fix(_ results: [(SourceFile?, [Diagnostic])], mode: FixMode, linter: Linter) -> FixReport {
        var report = FixReport()
        for (source, diagnostics) in results {
            guard let source else {
                report.results.append((source, diagnostics))
                continue
            }
            let offered = diagnostics.flatMap(\.fixIts).filter { $0.edits.allSatisfy { $0.span.file == source.path } }
            let chosen = offered.filter { unsafeFixes || $0.isSafe }
            report.unsafeLeft += offered.count - chosen.count
            let applied = FixApplier.apply(chosen, to: source.bytes)
            for skipped in applied.skipped {
                let at = skipped.fixIt.edits.first.map {
                    "\(source.path):\($0.span.start.line):\($0.span.start.column)"
                }
                report.messages.append(
                    "skipped the fix '\(skipped.fixIt.message)' at \(at ?? source.path): it overlaps "
                        + "'\(skipped.conflictsWith.message)'; run --fix again to apply it")
            }
            guard applied.bytes != source.bytes else {
                report.results.append((source, diagnostics))
                continue
            }
            report.fixed += applied.applied.count
            report.files += 1
            switch mode {
            case .diff:
                report.diff += UnifiedDiff.render(path: source.path, original: source.bytes, edits: applied.edits)
                report.results.append((source, diagnostics))
            case .write:
                if let problem = writeAtomically(applied.bytes, to: source.path) {
                    report.messages.append(problem)
                    report.failed = true
                    report.results.append((source, diagnostics))
                    continue
                }
                let fixed = SourceFile(path: source.path, bytes: applied.bytes)
                report.results.append((fixed, linter.lint(fixed).diagnostics))
            }
        }
        let problems = "\(report.fixed) problem\(report.fixed == 1 ? "" : "s")"
        let files = "\(report.files) file\(report.files == 1 ? "" : "s")"
        report.messages.append(mode == .write ? "fixed \(problems) in \(files)" : "would fix \(problems) in \(files)")
        if report.unsafeLeft > 0 {
            report.messages.append(
                "\(report.unsafeLeft) more fix\(report.unsafeLeft == 1 ? " is" : "es are") not safe (a guess at a name "
                    + "or a new dependency): review them, or apply them with --unsafe-fixes")
        }
        return report
    }

    /// Writes `bytes` over `path` through a temporary file in the same directory and a rename, keeping the file's
    /// permissions: the file is either the old one or the new one, never half written. Returns a message on failure.
    func writeAtomically(_ bytes: [UInt8], to path: String) -> String? {
        let absolute = path.hasPrefix("/") ? path : "\(workingDirectory)/\(path)"
        let temporary = absolute + ".devflow-fix-\(getpid())"
        var status = stat()
        let mode = stat(absolute, &status) == 0 ? status.st_mode & 0o7777 : 0o644
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            return "cannot write the fixed '\(path)': \(String(cString: strerror(errno))); nothing was changed"
        }
        var written = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let count = Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += count
            }
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        if failure == 0, rename(temporary, absolute) != 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporary)
            return "cannot write the fixed '\(path)': \(String(cString: strerror(failure))); nothing was changed"
        }
        return nil
    }
}
