import Foundation
import Testing

@testable import DevFlowAgents

@Suite("SecurityGuardian throughput")
struct SecurityGuardianThroughputTests {
    @Test("scans ordinary source quickly (reports MB/s; bound is loose for debug builds)")
    func throughput() {
        var lines: [(number: Int, text: String)] = []
        var bytes = 0
        let sample =
            GuardianCatalogue.all.flatMap { rule in
                (rule.examples.triggering + rule.examples.nonTriggering).enumerated().map {
                    GuardianExamples.expand($0.element, seed: UInt64($0.offset + 1))
                }
            } + [
                "    let value = try container.decode(String.self, forKey: .name)",
                "    for (index, item) in items.enumerated() where item.isEnabled {",
                "        result.append(Finding(rule: rule, severity: .low, file: path, line: index))",
                "def handler(event, context): return {\"statusCode\": 200, \"body\": json.dumps(event)}",
                "import { useState, useEffect } from 'react'; // select the update token from props",
            ]
        var n = 0
        while bytes < 2_000_000 {
            let text = sample[n % sample.count]
            n += 1
            lines.append((number: n, text: text))
            bytes += text.utf8.count + 1
        }
        let guardian = SecurityGuardian()
        let clock = ContinuousClock()
        var count = 0
        let elapsed = clock.measure { count = guardian.scan(file: "big", lines: lines).count }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "security-guardian: \(bytes) bytes, \(count) findings, \(String(format: "%.2f", Double(bytes) / 1e6 / seconds)) MB/s"
        )
        #expect(count > 0)
        #expect(seconds < 60)
    }
}
