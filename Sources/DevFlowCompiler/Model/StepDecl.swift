import DevFlowDiagnostics
import DevFlowSyntax

/// A step as written. A class, so checks share one copy; it is mutated only while it is decoded.
public final class StepDecl: @unchecked Sendable {
    /// Step id and where the key is written.
    public var id: Located<String>
    /// The span of the step's mapping.
    public var span: SourceSpan
    /// `name:`
    public var name: Located<String>?
    /// `run:` script.
    public var run: Located<String>?
    /// `agent:` reference.
    public var agent: Located<String>?
    /// `needs:`
    public var needs: [Located<String>] = []
    /// `if:` expression text (delimiters removed) and its span.
    public var condition: Located<String>?
    /// The `if:` value node.
    public var conditionNode: YAMLNode?
    /// `env:`
    public var env: [EnvEntry] = []
    /// The `env:` mapping node (for fix-its that add a variable).
    public var envNode: YAMLNode?
    /// `with:` inputs.
    public var with: YAMLNode?
    /// `shell:`
    public var shell: Located<String>?
    /// `working_directory:`
    public var workingDirectory: Located<String>?
    /// `matrix:`
    public var matrix: MatrixDecl?
    /// `retry:`
    public var retry: RetryReference?
    /// `timeout:` in ms.
    public var timeout: Located<Int>?
    /// `circuit_breaker:`
    public var circuitBreaker: Located<String>?
    /// `continue_on_error:`
    public var continueOnError = false
    /// `inputs:` globs.
    public var inputs: [Located<String>] = []
    /// `outputs:` names; nil when not declared (then any output name is accepted).
    public var outputs: [Located<String>]?
    /// `paths:` globs.
    public var paths: [Located<String>] = []
    /// `deployment:`
    public var deployment: Located<String>?
    /// The `run:` value node.
    public var runNode: YAMLNode?

    init(id: Located<String>, span: SourceSpan) {
        self.id = id
        self.span = span
    }
}

/// A step's `matrix:`.
public struct MatrixDecl: Sendable {
    /// One dimension and its values.
    public struct Dimension: Sendable {
        /// Its name.
        public var name: Located<String>
        /// Its values, as text with their spans.
        public var values: [Located<String>]
    }

    /// Dimensions in source order.
    public var dimensions: [Dimension] = []
    /// `include:` entries: dimension → value.
    public var include: [[(key: Located<String>, value: Located<String>)]] = []
    /// `exclude:` entries.
    public var exclude: [[(key: Located<String>, value: Located<String>)]] = []
    /// The matrix's span.
    public var span: SourceSpan
}

/// Where an expression-bearing string sits, which decides what contexts it may use.
public enum SiteKind: Hashable, Sendable {
    /// Pipeline `env:` value.
    case pipelineEnv
    /// `concurrency.group`.
    case concurrency
    /// An agent's `with:` value.
    case agentWith(agent: String)
    /// A step's `if:`.
    case condition(step: String)
    /// A step's `run:` script.
    case run(step: String)
    /// A step's `env:` value.
    case stepEnv(step: String)
    /// A step's `with:` value.
    case stepWith(step: String)
    /// A step's `name:`, `working_directory:` or `shell:`.
    case stepText(step: String)

    /// The step this site belongs to, if any.
    public var step: String? {
        switch self {
        case .condition(let step), .run(let step), .stepEnv(let step), .stepWith(let step), .stepText(let step): step
        default: nil
        }
    }
}

/// A string that may hold `${{ }}`, or (for `if:`) is an expression itself.
public struct ExpressionSite: Sendable {
    /// Where it sits.
    public var kind: SiteKind
    /// The scalar node.
    public var node: YAMLNode
    /// The key, for messages (`if`, `run`, `env.NAME`).
    public var key: String
}
