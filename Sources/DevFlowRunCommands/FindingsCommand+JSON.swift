import DevFlowGraph
import DevFlowStore

extension FindingsCommand {
    /// The findings as pretty JSON with sorted keys, the layout `JSONEncoder` gives with `.prettyPrinted`,
    /// `.sortedKeys` and `.withoutEscapingSlashes`, written directly: a style-enforcer run on a large tree
    /// reports thousands of findings, each with its fix, and the encoder took a quarter of such a run.
    static func json(_ findings: [FindingRecord]) -> String {
        guard !findings.isEmpty else { return "[\n\n]\n" }
        var out: [UInt8] = [0x5B, 0x0A]  // "[\n"
        out.reserveCapacity(findings.count * 400)
        for (index, finding) in findings.enumerated() {
            out += Self.objectStart
            // Keys in byte order, as .sortedKeys writes them; absent optionals are left out, as encodeIfPresent does.
            field(.attempt, finding.attempt, into: &out)
            field(.column, finding.column, into: &out)
            field(.endColumn, finding.endColumn, into: &out)
            field(.endLine, finding.endLine, into: &out)
            field(.file, finding.file, into: &out)
            if let fix = finding.fix { field(.fix, fix, into: &out) }
            if let id = finding.id { field(.id, Int(id), into: &out) }
            field(.line, finding.line, into: &out)
            field(.message, finding.message, into: &out)
            field(.nodeId, finding.nodeId, into: &out)
            field(.rule, finding.rule, into: &out)
            field(.runId, Int(finding.runId), into: &out)
            field(.severity, finding.severity, into: &out)
            out.removeLast(2)  // the last field's ",\n"
            out += index == findings.count - 1 ? Self.lastObjectEnd : Self.objectEnd
        }
        out += [0x5D, 0x0A]  // "]\n"
        return String(decoding: out, as: UTF8.self)
    }

    /// `FindingRecord`'s coding keys (their case names), in the order `.sortedKeys` writes them.
    private enum Key: Int, CaseIterable {
        case attempt, column, endColumn, endLine, file, fix, id, line, message, nodeId, rule, runId, severity
    }

    /// `    "key" : ` of each key, by its position in `Key.allCases`.
    private static let prefixes: [[UInt8]] = Key.allCases.map { Array("    \"\($0)\" : ".utf8) }
    private static let objectStart = Array("  {\n".utf8)
    private static let objectEnd = Array("\n  },\n".utf8)
    private static let lastObjectEnd = Array("\n  }\n".utf8)

    private static func prefix(_ key: Key) -> [UInt8] { prefixes[key.rawValue] }

    private static func field(_ key: Key, _ value: Int, into out: inout [UInt8]) {
        out += prefix(key)
        out += String(value).utf8
        out += [0x2C, 0x0A]
    }

    private static func field(_ key: Key, _ value: String, into out: inout [UInt8]) {
        out += prefix(key)
        JSONValue.writeQuoted(value, into: &out)
        out += [0x2C, 0x0A]
    }
}
