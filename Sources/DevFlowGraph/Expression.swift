/// A parsed `${{ … }}` expression. Ranges are UTF-8 offsets into the expression's text.
public struct Expression: Hashable, Sendable {
    /// Binary operators, lowest precedence first.
    public enum BinaryOperator: String, Hashable, Sendable, CaseIterable {
        /// `||`
        case or = "||"
        /// `&&`
        case and = "&&"
        /// `==`
        case equal = "=="
        /// `!=`
        case notEqual = "!="
        /// `<`
        case less = "<"
        /// `<=`
        case lessOrEqual = "<="
        /// `>`
        case greater = ">"
        /// `>=`
        case greaterOrEqual = ">="

        /// Binding strength: higher binds tighter.
        public var precedence: Int {
            switch self {
            case .or: 1
            case .and: 2
            case .equal, .notEqual: 3
            case .less, .lessOrEqual, .greater, .greaterOrEqual: 4
            }
        }
    }

    /// The shape of an expression node.
    public indirect enum Kind: Hashable, Sendable {
        /// A literal value.
        case literal(JSONValue)
        /// A context name at the root of a property path (`git`, `steps`…).
        case context(String)
        /// `base.name`; `nameRange` is where the name is written.
        case property(Expression, name: String, nameRange: Range<Int>)
        /// `base[index]`
        case index(Expression, Expression)
        /// `name(arguments…)`
        case call(name: String, nameRange: Range<Int>, arguments: [Expression])
        /// `!operand`
        case not(Expression)
        /// `-operand`
        case negate(Expression)
        /// `lhs op rhs`
        case binary(BinaryOperator, Expression, Expression)
    }

    /// The node's shape.
    public var kind: Kind
    /// Where the node is written in the expression text.
    public var range: Range<Int>

    /// Creates a node.
    public init(_ kind: Kind, range: Range<Int>) {
        self.kind = kind
        self.range = range
    }

    /// The property path from a context (`steps.build.outputs.version` → ["steps", "build", "outputs", "version"]),
    /// with literal string indexes folded in; nil if the expression is not such a path.
    public var propertyPath: [String]? {
        switch kind {
        case .context(let name): return [name]
        case .property(let base, let name, _): return base.propertyPath.map { $0 + [name] }
        case .index(let base, let index):
            if case .literal(.string(let key)) = index.kind { return base.propertyPath.map { $0 + [key] } }
            return nil
        default: return nil
        }
    }

    /// Visits this node and every descendant, parents first.
    public func walk(_ visit: (Expression) -> Void) {
        visit(self)
        switch kind {
        case .literal, .context: break
        case .property(let base, _, _): base.walk(visit)
        case .index(let base, let index):
            base.walk(visit)
            index.walk(visit)
        case .call(_, _, let arguments): arguments.forEach { $0.walk(visit) }
        case .not(let operand), .negate(let operand): operand.walk(visit)
        case .binary(_, let lhs, let rhs):
            lhs.walk(visit)
            rhs.walk(visit)
        }
    }

    /// The expression in normal form: single spaces around operators, single-quoted strings, minimal parentheses.
    public var normalized: String { print(parentPrecedence: 0) }

    private func print(parentPrecedence: Int) -> String {
        switch kind {
        case .literal(let value):
            if case .string(let text) = value { return "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
            return value.compactJSON
        case .context(let name): return name
        case .property(let base, let name, _): return base.print(parentPrecedence: 9) + "." + name
        case .index(let base, let index):
            return base.print(parentPrecedence: 9) + "[" + index.print(parentPrecedence: 0) + "]"
        case .call(let name, _, let arguments):
            return name + "(" + arguments.map { $0.print(parentPrecedence: 0) }.joined(separator: ", ") + ")"
        case .not(let operand): return "!" + operand.print(parentPrecedence: 8)
        case .negate(let operand): return "-" + operand.print(parentPrecedence: 8)
        case .binary(let op, let lhs, let rhs):
            let text =
                lhs.print(parentPrecedence: op.precedence) + " " + op.rawValue + " "
                + rhs.print(parentPrecedence: op.precedence + 1)
            return op.precedence < parentPrecedence ? "(" + text + ")" : text
        }
    }
}
