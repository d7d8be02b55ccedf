import DevFlowFuzzSupport
import DevFlowStepIO

/// Bytes → a step's `$DEVFLOW_OUTPUT` and `$DEVFLOW_ENV` (`OutputsFile.parse`, what the runner reads after every
/// hook step and agent). Invariants: the same result twice; what is accepted has valid names and fits the limits (the
/// check applied to agents' outputs agrees); written back as a file, it reads back the same; what is refused names a
/// line of the input and says why on one line.
func fuzzOutputsFile(_ bytes: [UInt8]) {
    var lineCount = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count
    if bytes.last == 0x0A { lineCount -= 1 }
    for kind in [OutputsFile.Kind.outputs, .environment] {
        let first = OutputsFile.parse(bytes, kind: kind)
        if first != OutputsFile.parse(bytes, kind: kind) { Invariants.fail("\(kind.variable): not deterministic") }
        switch first {
        case .success(let values):
            if let problem = OutputsFile.check(values, kind: kind, source: kind.variable) {
                Invariants.fail("\(kind.variable): accepted values fail the check: \(describe(problem))")
            }
            guard let written = file(of: values) else { continue }
            guard case .success(let again) = OutputsFile.parse(written, kind: kind), again == values else {
                Invariants.fail("\(kind.variable): the accepted values written back do not read back the same")
            }
        case .failure(let error):
            if let line = error.line, !(1...max(lineCount, 1)).contains(line) {
                Invariants.fail("\(kind.variable): the error names line \(line) of \(lineCount)")
            }
            let message = describe(error)
            if message.isEmpty || message.contains("\n") || message.contains("\r") {
                Invariants.fail("\(kind.variable): the message is empty or spans lines: \(message.prefix(300))")
            }
        }
    }
}

func describe(_ error: OutputsFileError) -> String { error.message(masking: SecretMasker(secrets: [])) }

/// `values` as a file in the syntax the parser reads (a heredoc for each value, with a delimiter found in none), or
/// nil when a value cannot be written (a line of it ends in `\r`, which the reader takes for a line end).
func file(of values: [String: String]) -> [UInt8]? {
    // Bytes, as the reader compares them: a String's own `contains` compares characters, and "EOF" followed by a
    // combining mark is not "EOF" to it.
    var delimiter = "EOF"
    while values.values.contains(where: { occurs(Array(delimiter.utf8), in: Array($0.utf8)) }) { delimiter += "_" }
    var out = ""
    for (name, value) in values.sorted(by: { $0.key < $1.key }) {
        if value.hasSuffix("\r") || value.contains("\r\n") { return nil }
        out += "\(name)<<\(delimiter)\n\(value)\n\(delimiter)\n"
    }
    return Array(out.utf8)
}

/// Whether `needle` occurs in `haystack`, byte for byte.
func occurs(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
    guard needle.count <= haystack.count else { return false }
    return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
}

#if DEVFLOW_FUZZ
    /// One input from libFuzzer.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        fuzzOutputsFile(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    /// The entry point SwiftPM links the executable with: libFuzzer's driver.
    @_cdecl("fuzz_outputs_file_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runFuzzer(argc, argv, fuzzOne)
    }
#else
    @main struct Replay {
        static func main() { Invariants.replay(fuzzOutputsFile) }
    }
#endif
