import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowFuzzSupport

/// Bytes → the whole compiler (YAML front end, decoding, checks, lowering): spans inside the input, diagnostics
/// sorted, the same output twice (the graph's canonical JSON too).
func fuzzCompiler(_ bytes: [UInt8]) {
    let source = SourceFile(path: "fuzz.yml", bytes: bytes)
    let first = Compiler.compile(source)
    let second = Compiler.compile(source)
    Invariants.check(first.diagnostics, again: second.diagnostics, source: source, what: "compiler")
    if first.graph?.canonicalJSON() != second.graph?.canonicalJSON() {
        Invariants.fail("compiler: the same input gave different graphs")
    }
}

#if DEVFLOW_FUZZ
    /// One input from libFuzzer.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        fuzzCompiler(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    /// The entry point SwiftPM links the executable with: libFuzzer's driver.
    @_cdecl("fuzz_compiler_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runFuzzer(argc, argv, fuzzOne)
    }
#else
    @main struct Replay {
        static func main() { Invariants.replay(fuzzCompiler) }
    }
#endif
