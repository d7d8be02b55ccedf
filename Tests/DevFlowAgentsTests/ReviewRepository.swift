import DevFlowAgents
import DevFlowGit
import DevFlowGraph
import DevFlowTestSupport
import Foundation

extension ReviewRepository {
    /// A request for `inputs` on the pull request `feature` → `main`.
    func request(_ inputs: [String: JSONValue]) -> AgentRequest {
        let workspace = path
        return AgentRequest(
            inputs: inputs, workspace: workspace,
            changes: { try AgentScope.changes(in: workspace, comparison: .pullRequest(head: "HEAD", target: "main")) })
    }

}

/// "file:line rule" of each finding, for compact expectations.
func summary(_ findings: [Finding]) -> [String] { findings.map { "\($0.file):\($0.line) \($0.rule)" } }

extension JSONValue: ExpressibleByStringLiteral {
    /// String literals as `.string` inputs in tests.
    public init(stringLiteral value: String) { self = .string(value) }
}
