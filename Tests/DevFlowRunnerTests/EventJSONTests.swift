import DevFlowGraph
import DevFlowRunner
import Foundation
import Testing

@testable import DevFlowRunCommands

/// `--events json`: the events written straight into text are byte for byte what `JSONValue` gives for the same
/// object (sorted keys, compact, the same number format and escaping).
@Suite struct EventJSONTests {
    static func reference(_ object: [String: JSONValue]) -> String { JSONValue.object(object).compactJSON }

    @Test func directEventsMatchTheirJSONValueForm() {
        let node = "build \"x\"\n\u{1}é"
        #expect(
            ConsoleObserver.json(.attemptStarted(node: node, attempt: 3))
                == Self.reference(["event": .string("attempt_started"), "node": .string(node), "attempt": .number(3)]))
        let full = RunEvent.attemptFinished(
            node: node, attempt: 2, outcome: "failed", exitCode: 3, signal: 15, seconds: 0.125, retryIn: 1.5,
            reason: "exit 3 \\ retryable")
        #expect(
            ConsoleObserver.json(full)
                == Self.reference([
                    "event": .string("attempt_finished"), "node": .string(node), "attempt": .number(2),
                    "outcome": .string("failed"), "seconds": .number(0.125), "exit_code": .number(3),
                    "signal": .number(15), "retry_in": .number(1.5), "reason": .string("exit 3 \\ retryable"),
                ]))
        let bare = RunEvent.attemptFinished(
            node: "t", attempt: 1, outcome: "succeeded", exitCode: nil, signal: nil, seconds: 2, retryIn: nil,
            reason: nil)
        #expect(
            ConsoleObserver.json(bare)
                == Self.reference([
                    "event": .string("attempt_finished"), "node": .string("t"), "attempt": .number(1),
                    "outcome": .string("succeeded"), "seconds": .number(2),
                ]))
        for reason in [nil, "skipped: paths"] as [String?] {
            var object: [String: JSONValue] = [
                "event": .string("node_finished"), "node": .string(node), "status": .string("skipped"),
            ]
            if let reason { object["reason"] = .string(reason) }
            #expect(
                ConsoleObserver.json(.nodeFinished(node: node, status: .skipped, reason: reason))
                    == Self.reference(object))
        }
    }
}
