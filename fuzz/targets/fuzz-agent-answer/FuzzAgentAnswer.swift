import DevFlowAgents
import DevFlowFuzzSupport
import DevFlowStepIO
import Foundation

/// Bytes → a command agent's answer on stdout (`AgentAnswer.read`, then findings and outputs as the runner takes
/// them). Invariants: the same result twice; a refusal is one non-empty line; an accepted answer speaks this
/// protocol version, its findings become regions that start at line 0 or later and column 1 or later and do not end
/// before they start, and encoded again it reads back the same.
func fuzzAgentAnswer(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    let first = AgentAnswer.read(text)
    if first != AgentAnswer.read(text) { Invariants.fail("agent answer: not deterministic") }
    switch first {
    case .failure(let error):
        if error.message.isEmpty || error.message.contains(where: { $0.isNewline }) {
            Invariants.fail("agent answer: the refusal is empty or spans lines: \(error.message.prefix(300))")
        }
    case .success(let answer):
        if answer.version != AgentAnswer.version { Invariants.fail("agent answer: version \(answer.version) accepted") }
        for finding in (answer.findings ?? []).map(Finding.init(reported:)) {
            guard finding.line >= 0, finding.column >= 1, finding.endLine >= finding.line, finding.endColumn >= 1
            else {
                Invariants.fail(
                    "agent answer: an impossible region was accepted: \(finding.line):\(finding.column)-"
                        + "\(finding.endLine):\(finding.endColumn)")
            }
        }
        _ = OutputsFile.check(answer.outputs ?? [:], kind: .outputs, source: "agent outputs")
        guard let encoded = try? JSONEncoder().encode(answer) else {
            Invariants.fail("agent answer: an accepted answer does not encode")
        }
        guard case .success(let again) = AgentAnswer.read(String(decoding: encoded, as: UTF8.self)), again == answer
        else { Invariants.fail("agent answer: an accepted answer encoded again does not read back the same") }
    }
}

#if DEVFLOW_FUZZ
    /// One input from libFuzzer.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        fuzzAgentAnswer(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    /// The entry point SwiftPM links the executable with: libFuzzer's driver.
    @_cdecl("fuzz_agent_answer_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runFuzzer(argc, argv, fuzzOne)
    }
#else
    @main struct Replay {
        static func main() { Invariants.replay(fuzzAgentAnswer) }
    }
#endif
