import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowFuzzSupport

/// Bytes → the expression lexer, parser and type checker, through the compiler's front door: the input is written
/// into the places expressions go (a `${{ }}` in a script, a whole `if:`, an env value, a concurrency group), as a
/// YAML double-quoted scalar so that any byte sequence reaches the expression code.
func fuzzExpressions(_ bytes: [UInt8]) {
    var escaped: [UInt8] = []
    for byte in bytes {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): escaped += [UInt8(ascii: "\\"), byte]
        case 0x0A: escaped += Array("\\n".utf8)
        case 0x00..<0x20, 0x7F: escaped += Array(String(format: "\\x%02x", byte).utf8)
        default: escaped.append(byte)
        }
    }
    let text = String(decoding: escaped, as: UTF8.self)
    let pipeline = """
        version: 1
        name: fuzz
        on: {push: {branches: [main]}, manual: {inputs: {who: {type: string, default: x}}}}
        concurrency: {group: "g-${{ \(text) }}"}
        env: {A: "${{ \(text) }}"}
        steps:
          one:
            run: echo "value=1" >> "$DEVFLOW_OUTPUT"
            outputs: [value]
          two:
            needs: [one]
            if: "\(text)"
            run: "echo ${{ \(text) }}"
        """
    let source = SourceFile(path: "fuzz.yml", text: pipeline)
    let first = Compiler.compile(source)
    let second = Compiler.compile(source)
    Invariants.check(first.diagnostics, again: second.diagnostics, source: source, what: "expressions")
}

#if DEVFLOW_FUZZ
    /// One input from libFuzzer.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        fuzzExpressions(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    /// The entry point SwiftPM links the executable with: libFuzzer's driver.
    @_cdecl("fuzz_expressions_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runFuzzer(argc, argv, fuzzOne)
    }
#else
    @main struct Replay {
        static func main() { Invariants.replay(fuzzExpressions) }
    }
#endif
