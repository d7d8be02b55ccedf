import DevFlowDiagnostics
import DevFlowSyntax

/// A pipeline as written, typed and positioned: what the checks read and lowering consumes.
public struct PipelineDecl: Sendable {
    /// `version:`
    public var version: Located<Int>?
    /// `name:`
    public var name: Located<String>?
    /// `on:`
    public var triggers: TriggersDecl?
    /// The span of the `on` key, if present.
    public var triggersKeySpan: SourceSpan?
    /// Pipeline-level `env:`.
    public var env: [EnvEntry] = []
    /// `secrets:`
    public var secrets: [Located<String>] = []
    /// `defaults:`
    public var defaults = DefaultsDecl()
    /// `policies.retry`, in source order.
    public var retryPolicies: [RetryPolicyDecl] = []
    /// `policies.circuit_breakers`, in source order.
    public var breakers: [BreakerDecl] = []
    /// `agents:`, in source order.
    public var agents: [AgentDecl] = []
    /// `concurrency:`
    public var concurrency: ConcurrencyDecl?
    /// `runs_on:` the labels a worker must have to run this pipeline.
    public var runsOn: [Located<String>] = []
    /// `steps:`, in source order.
    public var steps: [StepDecl] = []
    /// Every string that may hold `${{ }}`, with where it sits.
    public var expressionSites: [ExpressionSite] = []
    /// The whole document's span.
    public var span: SourceSpan
}

/// One `NAME: value` of an `env:` mapping.
public struct EnvEntry: Sendable {
    /// The variable name.
    public var name: Located<String>
    /// Its value as text.
    public var value: Located<String>
}

/// `on:`
public struct TriggersDecl: Sendable {
    /// `push:`
    public var push: PushDecl?
    /// `pull_request:`
    public var pullRequest: PullRequestDecl?
    /// `schedule:` crons.
    public var schedule: [Located<String>] = []
    /// `hook:` names.
    public var hooks: [Located<String>] = []
    /// `manual:` inputs, or nil when not manual.
    public var manual: [ManualInputDecl]?
    /// Span of the `on:` value.
    public var span: SourceSpan
}

/// `on.push`
public struct PushDecl: Sendable {
    /// Branch globs.
    public var branches: [Located<String>] = []
    /// Ignored branch globs.
    public var branchesIgnore: [Located<String>] = []
    /// Tag globs.
    public var tags: [Located<String>] = []
    /// Path globs.
    public var paths: [Located<String>] = []
}

/// `on.pull_request`
public struct PullRequestDecl: Sendable {
    /// Target branch globs.
    public var branches: [Located<String>] = []
    /// Path globs.
    public var paths: [Located<String>] = []
    /// Activity types.
    public var types: [Located<String>] = []
}

/// One `on.manual.inputs` entry.
public struct ManualInputDecl: Sendable {
    /// Input id.
    public var id: Located<String>
    /// `string`, `boolean`, `number` or `choice`.
    public var type: Located<String>?
    /// Help text.
    public var description: String?
    /// `required:`
    public var required: Bool = false
    /// `default:` node, typed during decoding.
    public var defaultValue: Located<String>?
    /// `options:` of a choice.
    public var options: [Located<String>] = []
}

/// `defaults:`
public struct DefaultsDecl: Sendable {
    /// Timeout in milliseconds.
    public var timeout: Located<Int>?
    /// A retry policy reference or inline policy.
    public var retry: RetryReference?
    /// Default shell.
    public var shell: Located<String>?
    /// Default working directory.
    public var workingDirectory: Located<String>?
}

/// A step's or the defaults' `retry:`: a name, or an inline policy.
public enum RetryReference: Sendable {
    /// `retry: transient`
    case named(Located<String>)
    /// `retry: {attempts: 3}`
    case inline(RetryPolicyDecl)
}

/// A retry policy as written.
public struct RetryPolicyDecl: Sendable {
    /// Its name (nil inline).
    public var name: Located<String>?
    /// `attempts:`
    public var attempts: Located<Int>?
    /// `backoff.initial` in ms.
    public var initial: Located<Int>?
    /// `backoff.factor`.
    public var factor: Located<Double>?
    /// `backoff.max` in ms.
    public var maximum: Located<Int>?
    /// `backoff.jitter`.
    public var jitter: Located<String>?
    /// `on:` conditions.
    public var retryOn: [Located<String>] = []
    /// `deadline:` in ms.
    public var deadline: Located<Int>?
    /// The policy's span.
    public var span: SourceSpan
}

/// A circuit breaker as written.
public struct BreakerDecl: Sendable {
    /// Its name.
    public var name: Located<String>
    /// `failure_rate:` percent.
    public var failureRate: Located<Int>?
    /// `minimum_calls:`
    public var minimumCalls: Located<Int>?
    /// `window.calls`
    public var windowCalls: Located<Int>?
    /// `window.duration` in ms.
    public var windowDuration: Located<Int>?
    /// `open_for:` in ms.
    public var openFor: Located<Int>?
    /// `half_open_calls:`
    public var halfOpenCalls: Located<Int>?
    /// `when_open:`
    public var whenOpen: Located<String>?
}

/// An entry of `agents:`.
public struct AgentDecl: Sendable {
    /// Its id.
    public var id: Located<String>
    /// `uses:` built-in name.
    public var uses: Located<String>?
    /// `command:` executable.
    public var command: Located<String>?
    /// `with:` inputs.
    public var with: YAMLNode?
    /// `circuit_breaker:` name.
    public var circuitBreaker: Located<String>?
    /// `timeout:` in ms.
    public var timeout: Located<Int>?
}

/// `concurrency:`
public struct ConcurrencyDecl: Sendable {
    /// The group template.
    public var group: Located<String>?
    /// `cancel_in_progress:`
    public var cancelInProgress: Bool = false
}
