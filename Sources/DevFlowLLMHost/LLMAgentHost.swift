import DevFlowGit
import DevFlowLLM
import DevFlowRunner
import Foundation

/// Runs `uses: llm` steps: the chat-completions review agent of DevFlowLLM, injected into the runner by the CLI and
/// the server (so that `DevFlowRunner` does not link AsyncHTTPClient), with a token ledger per run so that
/// `max_tokens_per_run` is shared by every llm step of one run. The step's attempt timeout bounds the whole call;
/// cancelling the run cancels the request in flight.
public final class LLMAgentHost: LLMStepHost, @unchecked Sendable {
    private let lock = NSLock()
    private var ledgers: [Int64: TokenLedger] = [:]
    private let sleep: ChatCompletionsClient.Sleep?
    private var madeAgent: LLMReviewAgent?

    /// The agent, made on first use: its HTTP client starts event-loop threads, which a run without llm steps
    /// should not pay for.
    var agent: LLMReviewAgent {
        lock.withLock {
            if let madeAgent { return madeAgent }
            let made = LLMReviewAgent(sleep: sleep)
            madeAgent = made
            return made
        }
    }

    /// Creates the host; `sleep` waits between the client's retries (real sleeping when nil; tests inject one).
    public init(sleep: ChatCompletionsClient.Sleep? = nil) { self.sleep = sleep }

    /// The ledger of run `id`, created on first use.
    public func ledger(run id: Int64) -> TokenLedger {
        lock.withLock {
            if let ledger = ledgers[id] { return ledger }
            let ledger = TokenLedger()
            ledgers[id] = ledger
            return ledger
        }
    }

    /// Runs one attempt of an llm step.
    public func run(_ invocation: StepInvocation) async -> AttemptOutcome {
        let workspace = invocation.environment["DEVFLOW_WORKSPACE"] ?? invocation.workingDirectory
        let ledger = ledger(run: invocation.runId)
        let agent = self.agent
        let task = Task { () -> LLMReviewResult in
            await agent.run(
                inputs: invocation.agentInputs, environment: invocation.environment, workspace: workspace,
                ledger: ledger
            ) {
                try GitRepository(path: workspace).diff(
                    BuiltInAgentHost.comparison(for: invocation.environment), contextLines: 3)
            }
        }
        // The step's timeout cancels the call through a timer, not a second task that sleeps beside it.
        let deadline = TaskDeadline(seconds: invocation.timeout) { task.cancel() }
        let key = invocation.cancellation.onCancel { _ in task.cancel() }
        let result = await task.value
        invocation.cancellation.remove(key)
        deadline.disarm()
        if invocation.cancellation.isCancelled { return AttemptOutcome(kind: .cancelled, message: "cancelled") }
        if deadline.expired, result.status != "success" {
            return AttemptOutcome(kind: .timedOut, message: String(format: "%gs", invocation.timeout))
        }
        for line in result.summary.split(separator: "\n", omittingEmptySubsequences: false) {
            invocation.onLine("stderr", String(line))
        }
        if result.errorKind == "cancelled" || invocation.cancellation.isCancelled {
            return AttemptOutcome(kind: .cancelled, message: "cancelled")
        }
        var outcome = AttemptOutcome(
            kind: result.status == "success" ? .succeeded : result.status == "failure" ? .failed : .error,
            agentErrorKind: result.errorKind, outputs: result.outputs,
            message: result.status == "success" ? nil : result.summary.split(separator: "\n").first.map(String.init),
            retryAfter: result.retryAfter)
        outcome.findings = result.findings
        return outcome
    }
}
