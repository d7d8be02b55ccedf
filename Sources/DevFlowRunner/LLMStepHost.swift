/// Runs `uses: llm` steps for `BuiltInAgentHost`: DevFlowLLMHost's `LLMAgentHost`, which the CLI and the server inject,
/// so that the runner itself links no HTTP client.
public protocol LLMStepHost: Sendable {
    /// Runs one attempt of an llm step.
    func run(_ invocation: StepInvocation) async -> AttemptOutcome
}
