import DevFlowDiagnostics

/// How a scalar was written, so the compiler can type it by the schema instead of guessing.
public enum ScalarStyle: String, Sendable, Codable {
    /// `value`
    case plain
    /// `'value'`
    case singleQuoted
    /// `"value"`
    case doubleQuoted
    /// `|` block
    case literal
    /// `>` block
    case folded

    /// True for quoted and block styles, whose text is always a string.
    public var isQuotedOrBlock: Bool { self != .plain }
}

/// A scalar's text and style.
public struct YAMLScalar: Sendable {
    /// The value after YAML unescaping and folding.
    public var value: String
    /// How it was written.
    public var style: ScalarStyle
    /// The explicit tag, if any (`!!str`).
    public var tag: String?

    /// True for a plain `~`, `null`, `Null`, `NULL` or empty plain scalar.
    public var isNull: Bool {
        style == .plain && tag == nil
            && (value.isEmpty || value == "~" || value == "null" || value == "Null" || value == "NULL")
    }
}

/// One `key: value` entry of a mapping.
public struct YAMLPair: Sendable {
    /// The key node (a scalar in every valid pipeline).
    public var key: YAMLNode
    /// The value node.
    public var value: YAMLNode
}

/// A node of the positioned YAML tree: every node knows its span, anchor and, if reached through an alias, the alias.
/// Nodes are immutable and shared (an alias shares the anchored node's children), so copying one is a single retain.
public final class YAMLNode: Sendable {
    /// The node's content.
    public enum Content: Sendable {
        /// A scalar.
        case scalar(YAMLScalar)
        /// A mapping, in source order, duplicates kept.
        case mapping([YAMLPair])
        /// A sequence.
        case sequence([YAMLNode])
    }

    /// The content.
    public let content: Content
    /// Where the node is written (for an alias, where the anchored node is written).
    public let span: SourceSpan
    /// The anchor defined on this node (`&name`), if any.
    public let anchor: String?
    /// Where this copy was referenced by an alias (`*name`), if it was.
    public let aliasSpan: SourceSpan?
    /// Nodes in this subtree with aliases expanded; bounds the work a compiler does on alias bombs.
    public let weight: Int

    /// Creates a node.
    public init(content: Content, span: SourceSpan, anchor: String?, aliasSpan: SourceSpan?, weight: Int) {
        self.content = content
        self.span = span
        self.anchor = anchor
        self.aliasSpan = aliasSpan
        self.weight = weight
    }

    /// The same node as reached through an alias written at `aliasSpan`.
    public func aliased(at aliasSpan: SourceSpan) -> YAMLNode {
        YAMLNode(content: content, span: span, anchor: anchor, aliasSpan: aliasSpan, weight: weight)
    }

    /// The scalar, if this is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    /// The pairs, if this is a mapping.
    public var pairs: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The items, if this is a sequence.
    public var items: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The span users should see for this occurrence: the alias if it came through one.
    public var usageSpan: SourceSpan { aliasSpan ?? span }

    /// `scalar`, `mapping` or `sequence`, for messages.
    public var kindName: String {
        switch content {
        case .scalar(let scalar): scalar.isNull ? "null" : "scalar"
        case .mapping: "mapping"
        case .sequence: "sequence"
        }
    }
}

/// The result of parsing one file.
public struct YAMLDocument: Sendable {
    /// The source file.
    public var source: SourceFile
    /// The root node; nil when the file is empty or could not be parsed.
    public var root: YAMLNode?
    /// Syntax errors, duplicate keys and limit violations, in source order.
    public var diagnostics: [Diagnostic]
    /// True when libyaml reported a syntax error (the tree is then incomplete).
    public var hasSyntaxError: Bool
}
