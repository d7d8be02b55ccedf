import DevFlowCompiler
import DevFlowFuzzSupport
import DevFlowGraph
import Foundation

/// Bytes → a manual run's request body, read as the API reads it (`JSONDecoder` into `JSONValue`), its `inputs`
/// checked against a pipeline's `on.manual.inputs` (`ManualInputCheck`, the words of `POST /api/v1/repos/{repo}/runs`
/// and `devflow trigger`). Invariants: the same problems twice, sorted by input with no input named twice per rule,
/// every message non-empty and on one line; and DevFlow's own JSON writer round-trips what was read.
let declared: [String: Triggers.ManualInput] = [
    "environment": .init(
        type: "choice", description: "where to deploy", required: true, defaultValue: nil,
        options: ["staging", "production"]),
    "dry_run": .init(type: "boolean", description: nil, required: false, defaultValue: .bool(true), options: []),
    "replicas": .init(type: "number", description: nil, required: false, defaultValue: nil, options: []),
    "note": .init(type: "string", description: nil, required: false, defaultValue: nil, options: []),
]

func fuzzManualInputs(_ bytes: [UInt8]) {
    guard let body = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else { return }
    let written = body.compactJSON
    guard let again = try? JSONDecoder().decode(JSONValue.self, from: Data(written.utf8)) else {
        Invariants.fail("manual inputs: DevFlow's JSON of a parsed body does not parse: \(written.prefix(200))")
    }
    if again.compactJSON != written { Invariants.fail("manual inputs: the JSON writer does not round-trip") }
    guard case .object(let object) = body else { return }
    var inputs: [String: JSONValue] = [:]
    if case .object(let given) = object["inputs"] { inputs = given }
    for table in [declared, [:]] as [[String: Triggers.ManualInput]] {
        let first = ManualInputCheck.problems(inputs, pipeline: "deploy", declared: table)
        let second = ManualInputCheck.problems(inputs, pipeline: "deploy", declared: table)
        if first != second { Invariants.fail("manual inputs: the same inputs gave different problems") }
        for problem in first where problem.message.isEmpty || problem.message.contains("\n") {
            Invariants.fail("manual inputs: a message is empty or spans lines: \(problem.message.prefix(200))")
        }
        let unknown = first.filter { $0.rule == "unknown-key" }.compactMap(\.input)
        if unknown != unknown.sorted() || Set(unknown).count != unknown.count {
            Invariants.fail("manual inputs: unknown inputs are not reported once each, sorted")
        }
        for problem in first where problem.input.map({ inputs[$0] == nil && table[$0] == nil }) ?? false {
            Invariants.fail("manual inputs: a problem names an input that is neither given nor declared")
        }
    }
}

#if DEVFLOW_FUZZ
    /// One input from libFuzzer.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        fuzzManualInputs(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    /// The entry point SwiftPM links the executable with: libFuzzer's driver.
    @_cdecl("fuzz_manual_inputs_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runFuzzer(argc, argv, fuzzOne)
    }
#else
    @main struct Replay {
        static func main() { Invariants.replay(fuzzManualInputs) }
    }
#endif
