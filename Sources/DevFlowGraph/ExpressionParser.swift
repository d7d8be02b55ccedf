/// A syntax error in an expression, with the offending range and what was expected.
public struct ExpressionSyntaxError: Error, Hashable, Sendable {
    /// Lower-case message.
    public var message: String
    /// UTF-8 range in the expression text.
    public var range: Range<Int>
}

/// Lexer and recursive-descent parser for the expression language (`Grammar/expressions.ebnf`).
public struct ExpressionParser {
    enum Token: Equatable {
        case identifier(String)
        case number(Double)
        case string(String)
        case punctuation(String)
        case end
    }

    /// Nesting deeper than this is a syntax error, which keeps the parser's recursion bounded.
    public static let maximumDepth = 64

    private let bytes: [UInt8]
    private var tokens: [(token: Token, range: Range<Int>)] = []
    private var position = 0
    private var depth = 0

    /// Parses `text` (without the `${{ }}` delimiters).
    public static func parse(_ text: String) -> Result<Expression, ExpressionSyntaxError> {
        var parser = ExpressionParser(bytes: Array(text.utf8))
        do {
            try parser.tokenize()
            let expression = try parser.parseBinary(minimumPrecedence: 1)
            if case .end = parser.current.token {
                return .success(expression)
            }
            throw ExpressionSyntaxError(
                message: "unexpected \(parser.describe(parser.current.token)) after a complete expression",
                range: parser.current.range)
        } catch let error as ExpressionSyntaxError {
            return .failure(error)
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private var current: (token: Token, range: Range<Int>) { tokens[position] }

    private func describe(_ token: Token) -> String {
        switch token {
        case .identifier(let name): "'\(name)'"
        case .number(let value): "number \(JSONValue.format(value))"
        case .string: "string"
        case .punctuation(let symbol): "'\(symbol)'"
        case .end: "end of expression"
        }
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
    }

    private static func isIdentifierBody(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private mutating func tokenize() throws {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let start = index
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                index += 1
            } else if Self.isIdentifierStart(byte) {
                while index < bytes.count, Self.isIdentifierBody(bytes[index]) { index += 1 }
                tokens.append((.identifier(String(decoding: bytes[start..<index], as: UTF8.self)), start..<index))
            } else if Self.isDigit(byte) {
                while index < bytes.count, Self.isDigit(bytes[index]) || bytes[index] == 0x2E { index += 1 }
                if index < bytes.count, bytes[index] == 0x65 || bytes[index] == 0x45 {
                    index += 1
                    if index < bytes.count, bytes[index] == 0x2B || bytes[index] == 0x2D { index += 1 }
                    while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
                }
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                guard let value = Double(text) else {
                    throw ExpressionSyntaxError(message: "invalid number '\(text)'", range: start..<index)
                }
                tokens.append((.number(value), start..<index))
            } else if byte == 0x27 {
                index += 1
                var value: [UInt8] = []
                var closed = false
                while index < bytes.count {
                    if bytes[index] == 0x27 {
                        if index + 1 < bytes.count, bytes[index + 1] == 0x27 {
                            value.append(0x27)
                            index += 2
                            continue
                        }
                        index += 1
                        closed = true
                        break
                    }
                    value.append(bytes[index])
                    index += 1
                }
                guard closed else {
                    throw ExpressionSyntaxError(
                        message: "string literal is never closed; strings use single quotes, with '' for a quote",
                        range: start..<bytes.count)
                }
                tokens.append((.string(String(decoding: value, as: UTF8.self)), start..<index))
            } else if byte == 0x22 {
                var end = index + 1
                while end < bytes.count, bytes[end] != 0x22 { end += 1 }
                throw ExpressionSyntaxError(
                    message: "strings in expressions use single quotes, not double quotes",
                    range: start..<min(bytes.count, end + 1))
            } else {
                let two = index + 1 < bytes.count ? String(decoding: bytes[index...index + 1], as: UTF8.self) : ""
                if ["==", "!=", "<=", ">=", "&&", "||"].contains(two) {
                    tokens.append((.punctuation(two), start..<start + 2))
                    index += 2
                } else if "()[].,!<>-".utf8.contains(byte) {
                    tokens.append((.punctuation(String(UnicodeScalar(byte))), start..<start + 1))
                    index += 1
                } else if byte == 0x3D || byte == 0x26 || byte == 0x7C {
                    let symbol = String(UnicodeScalar(byte))
                    throw ExpressionSyntaxError(
                        message: "unexpected '\(symbol)'; did you mean '\(symbol)\(symbol)'?", range: start..<start + 1)
                } else {
                    var end = index + 1
                    while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
                    let text = String(decoding: bytes[start..<end], as: UTF8.self)
                    throw ExpressionSyntaxError(message: "unexpected character '\(text)'", range: start..<end)
                }
            }
        }
        tokens.append((.end, bytes.count..<bytes.count))
    }

    private mutating func advance() -> (token: Token, range: Range<Int>) {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private mutating func expect(_ symbol: String, closing opener: Range<Int>? = nil) throws -> Range<Int> {
        if case .punctuation(let found) = current.token, found == symbol { return advance().range }
        var message = "expected '\(symbol)' but found \(describe(current.token))"
        if let opener, symbol == ")" || symbol == "]" {
            message =
                "expected '\(symbol)' to close the bracket at offset \(opener.lowerBound) but found \(describe(current.token))"
        }
        throw ExpressionSyntaxError(message: message, range: current.range)
    }

    private mutating func parseBinary(minimumPrecedence: Int) throws -> Expression {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maximumDepth {
            throw ExpressionSyntaxError(
                message: "expression nests deeper than \(Self.maximumDepth) levels", range: current.range)
        }
        var lhs = try parseUnary()
        while case .punctuation(let symbol) = current.token, let op = Expression.BinaryOperator(rawValue: symbol),
            op.precedence >= minimumPrecedence
        {
            _ = advance()
            let rhs = try parseBinary(minimumPrecedence: op.precedence + 1)
            lhs = Expression(.binary(op, lhs, rhs), range: lhs.range.lowerBound..<rhs.range.upperBound)
        }
        return lhs
    }

    private mutating func parseUnary() throws -> Expression {
        if case .punctuation(let symbol) = current.token, symbol == "!" || symbol == "-" {
            let start = advance().range.lowerBound
            depth += 1
            defer { depth -= 1 }
            if depth > Self.maximumDepth {
                throw ExpressionSyntaxError(
                    message: "expression nests deeper than \(Self.maximumDepth) levels", range: current.range)
            }
            let operand = try parseUnary()
            let range = start..<operand.range.upperBound
            return Expression(symbol == "!" ? .not(operand) : .negate(operand), range: range)
        }
        return try parsePostfix(try parsePrimary())
    }

    private mutating func parsePrimary() throws -> Expression {
        let (token, range) = advance()
        switch token {
        case .number(let value): return Expression(.literal(.number(value)), range: range)
        case .string(let value): return Expression(.literal(.string(value)), range: range)
        case .identifier(let name):
            switch name {
            case "true": return Expression(.literal(.bool(true)), range: range)
            case "false": return Expression(.literal(.bool(false)), range: range)
            case "null": return Expression(.literal(.null), range: range)
            default: break
            }
            if case .punctuation("(") = current.token {
                let open = advance().range
                var arguments: [Expression] = []
                if case .punctuation(")") = current.token {
                } else {
                    while true {
                        arguments.append(try parseBinary(minimumPrecedence: 1))
                        if case .punctuation(",") = current.token {
                            _ = advance()
                            continue
                        }
                        break
                    }
                }
                let close = try expect(")", closing: open)
                return Expression(
                    .call(name: name, nameRange: range, arguments: arguments),
                    range: range.lowerBound..<close.upperBound)
            }
            return Expression(.context(name), range: range)
        case .punctuation("("):
            let inner = try parseBinary(minimumPrecedence: 1)
            let close = try expect(")", closing: range)
            var grouped = inner
            grouped.range = range.lowerBound..<close.upperBound
            return grouped
        case .end:
            throw ExpressionSyntaxError(message: "expected a value but the expression ended", range: range)
        default:
            throw ExpressionSyntaxError(message: "expected a value but found \(describe(token))", range: range)
        }
    }

    private mutating func parsePostfix(_ base: Expression) throws -> Expression {
        var expression = base
        while case .punctuation(let symbol) = current.token {
            if symbol == "." {
                _ = advance()
                let (token, range) = advance()
                guard case .identifier(let name) = token else {
                    throw ExpressionSyntaxError(
                        message: "expected a property name after '.' but found \(describe(token))", range: range)
                }
                expression = Expression(
                    .property(expression, name: name, nameRange: range),
                    range: expression.range.lowerBound..<range.upperBound)
            } else if symbol == "[" {
                let open = advance().range
                let index = try parseBinary(minimumPrecedence: 1)
                let close = try expect("]", closing: open)
                expression = Expression(
                    .index(expression, index), range: expression.range.lowerBound..<close.upperBound)
            } else {
                break
            }
        }
        return expression
    }
}
