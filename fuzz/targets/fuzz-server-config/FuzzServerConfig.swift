import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowFuzzSupport

/// Bytes → the server configuration reader (`devflow serve --check`): spans inside the input, diagnostics sorted,
/// the same output twice.
func fuzzServerConfig(_ bytes: [UInt8]) {
    let source = SourceFile(path: "devflow-server.yml", bytes: bytes)
    let first = ServerConfigurationDecoder.decode(source)
    let second = ServerConfigurationDecoder.decode(source)
    Invariants.check(
        Diagnostic.sortedForOutput(first.diagnostics), again: Diagnostic.sortedForOutput(second.diagnostics),
        source: source, what: "server configuration")
    if first.diagnostics != second.diagnostics { Invariants.fail("server configuration: not deterministic") }
}

#if DEVFLOW_FUZZ
    /// One input from libFuzzer.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        fuzzServerConfig(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    /// The entry point SwiftPM links the executable with: libFuzzer's driver.
    @_cdecl("fuzz_server_config_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runFuzzer(argc, argv, fuzzOne)
    }
#else
    @main struct Replay {
        static func main() { Invariants.replay(fuzzServerConfig) }
    }
#endif
