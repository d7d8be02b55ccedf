import DevFlowDiagnostics
import Foundation

/// What every fuzz target checks besides "does not crash": each diagnostic's spans (its own and its labels') lie
/// inside the input, with start ≤ end and line and column at least 1; the diagnostics come sorted for output; and
/// the same input gives the same diagnostics twice. A broken invariant stops the process (libFuzzer keeps the input).
public enum Invariants {
    /// Checks `diagnostics` of `source`, and that `again` (a second run on the same bytes) gave the same.
    public static func check(_ diagnostics: [Diagnostic], again: [Diagnostic], source: SourceFile, what: String) {
        for diagnostic in diagnostics {
            for span in [diagnostic.span] + diagnostic.labels.map(\.span)
                + diagnostic.fixIts.flatMap({
                    $0.edits.map(\.span)
                })
            {
                guard span.start.offset >= 0, span.start.offset <= span.end.offset,
                    span.end.offset <= source.bytes.count, span.start.line >= 1, span.start.column >= 1
                else {
                    fail(
                        "\(what): span \(span) of \(diagnostic.id.code) '\(diagnostic.message)' is outside the input "
                            + "(\(source.bytes.count) bytes)")
                }
            }
        }
        if diagnostics != Diagnostic.sortedForOutput(diagnostics) { fail("\(what): diagnostics are not sorted") }
        if diagnostics != again { fail("\(what): the same input gave different diagnostics") }
    }

    /// Stops with a message on standard error (libFuzzer reports the crash and writes the input).
    public static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("invariant broken: \(message)\n".utf8))
        abort()
    }

    /// The replay tool a target becomes outside a fuzzing build: runs `body` on each file named on the command line
    /// (a corpus, or crash inputs kept as regression cases) and prints how many it ran.
    public static func replay(_ body: ([UInt8]) -> Void) {
        var count = 0
        for path in CommandLine.arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                fail("no such file: \(path)")
            }
            let files =
                isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                body(Array(data))
                count += 1
            }
        }
        print("replayed \(count) input\(count == 1 ? "" : "s")")
    }
}

#if DEVFLOW_FUZZ
    /// libFuzzer's driver, for the entry point SwiftPM links an executable with (`<module>_main`).
    @_silgen_name("LLVMFuzzerRunDriver")
    func llvmFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// Starts libFuzzer on `callback` with the process's arguments.
    public func runFuzzer(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt {
        var count = argc
        var arguments = argv
        return llvmFuzzerRunDriver(&count, &arguments, callback)
    }
#endif
