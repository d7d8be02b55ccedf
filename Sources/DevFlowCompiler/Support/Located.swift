import DevFlowDiagnostics

/// A value with the span it was written at.
public struct Located<Value: Sendable>: Sendable {
    /// The value.
    public var value: Value
    /// Where it is written.
    public var span: SourceSpan

    /// Creates a located value.
    public init(_ value: Value, at span: SourceSpan) {
        self.value = value
        self.span = span
    }
}
