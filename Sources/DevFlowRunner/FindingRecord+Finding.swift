import DevFlowAgents
import DevFlowStore

extension FindingRecord {
    /// The stored form of an agent's finding in attempt `attempt` of `node`, its text passed through `mask`
    /// (declared secrets never reach the store).
    public init(
        _ finding: Finding, runId: Int64, nodeId: String, attempt: Int, mask: (String) -> String = { $0 }
    ) {
        self.init(
            runId: runId, nodeId: nodeId, attempt: attempt, rule: finding.rule, severity: finding.severity.rawValue,
            file: finding.file, line: finding.line, column: finding.column, endLine: finding.endLine,
            endColumn: finding.endColumn, message: mask(finding.message), fix: finding.fix.map(mask))
    }
}
