import Foundation

/// Where a position sits in a pipeline being edited, found from indentation alone (the text may not parse).
///
/// Paths use the grammar's segments: keys, and `[]` for a list item.
struct CursorContext: Sendable, Equatable {
    /// What is being written at the position.
    enum Kind: Sendable, Equatable {
        /// A key of the mapping at `path`; `siblings` are the keys it already has.
        case key(siblings: [String])
        /// The value of the key that ends `path`; `listed` are the values already in a flow list (`[a, b, `).
        case value(listed: [String])
        /// An item of the list at `path` (a block list, `- `).
        case listItem
        /// Inside a `${{ }}` expression (or an `if:`), with the expression text before the position.
        case expression(String)
        /// Inside text (a block scalar, a comment) where nothing is completed.
        case text
    }

    /// What is being written.
    var kind: Kind
    /// The path of the mapping, value or list.
    var path: [String]
    /// The byte column where the word being written starts.
    var wordStart: Int
    /// The word before the position.
    var word: String

    /// The context at byte `column` of zero-based `line`.
    static func at(line: Int, column: Int, in document: TextDocument) -> CursorContext {
        let text = document.line(line)
        let column = min(column, text.count)
        let prefix = Array(text[..<column])
        let shape = LineShape(prefix)
        let fullShape = LineShape(text)
        let wordStart = Self.wordStart(prefix)
        let word = String(decoding: prefix[wordStart...], as: UTF8.self)
        let structure = DocumentStructure(document: document)

        if let expression = Self.expressionText(prefix, shape: fullShape) {
            let path = structure.mappingPath(line: line, shape: fullShape) + (fullShape.key.map { [$0] } ?? [])
            let start = Self.chainStart(prefix)
            return CursorContext(
                kind: .expression(expression), path: path, wordStart: start,
                word: String(decoding: prefix[start...], as: UTF8.self))
        }
        if structure.isInsideBlockScalar(line: line, indent: fullShape.isBlank ? column : fullShape.indent) {
            return CursorContext(kind: .text, path: [], wordStart: wordStart, word: word)
        }
        if prefix.contains(UInt8(ascii: "#")), Self.inComment(prefix) {
            return CursorContext(kind: .text, path: [], wordStart: wordStart, word: word)
        }
        if let key = shape.key, let colonEnd = shape.colonEnd {
            let path = structure.mappingPath(line: line, shape: shape) + [key]
            let value = String(decoding: prefix[colonEnd...], as: UTF8.self)
            guard let flow = FlowContext.read(value) else {
                return CursorContext(kind: .value(listed: []), path: path, wordStart: wordStart, word: word)
            }
            switch flow.position {
            case .key(let siblings):
                return CursorContext(
                    kind: .key(siblings: siblings), path: path + flow.path, wordStart: wordStart, word: word)
            case .value(let inner):
                return CursorContext(
                    kind: .value(listed: []), path: path + flow.path + [inner], wordStart: wordStart, word: word)
            case .item(let listed):
                return CursorContext(
                    kind: .value(listed: listed), path: path + flow.path, wordStart: wordStart, word: word)
            }
        }
        if !shape.dashes.isEmpty, shape.contentColumn == column || wordStart == shape.contentColumn {
            // `- wo|`: an item of a list; a list of mappings also takes a key here.
            let listPath = structure.mappingPath(line: line, shape: shape).dropLast()
            let itemPath = Array(listPath) + ["[]"]
            if let itemNode = GrammarSchema.shared.node(at: itemPath), !itemNode.properties.isEmpty {
                let siblings = structure.siblingKeys(line: line, column: shape.contentColumn, itemStart: true)
                return CursorContext(kind: .key(siblings: siblings), path: itemPath, wordStart: wordStart, word: word)
            }
            return CursorContext(kind: .listItem, path: Array(listPath), wordStart: wordStart, word: word)
        }
        if shape.dashes.isEmpty, wordStart == shape.indent || shape.isBlank {
            let indent = shape.isBlank ? column : shape.indent
            let path = structure.enclosingPath(line: line, column: indent, inListItem: false)
            let siblings = structure.siblingKeys(line: line, column: indent, itemStart: false)
            return CursorContext(kind: .key(siblings: siblings), path: path, wordStart: wordStart, word: word)
        }
        return CursorContext(kind: .text, path: [], wordStart: wordStart, word: word)
    }

    /// Where the word before the end of `prefix` starts: names, ids and globs.
    static func wordStart(_ prefix: [UInt8]) -> Int {
        var index = prefix.count
        while index > 0, isWordByte(prefix[index - 1]) { index -= 1 }
        return index
    }

    /// Where the property chain before the end of `prefix` starts (`steps.build.outputs.ve`).
    static func chainStart(_ prefix: [UInt8]) -> Int {
        var index = prefix.count
        while index > 0, isWordByte(prefix[index - 1]) || prefix[index - 1] == UInt8(ascii: ".") { index -= 1 }
        return index
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte >= 0x80
    }

    /// The expression text before the position when it is inside an unclosed `${{`, or in the value of `if:`.
    static func expressionText(_ prefix: [UInt8], shape: LineShape) -> String? {
        let text = String(decoding: prefix, as: UTF8.self)
        if let open = text.range(of: "${{", options: .backwards) {
            let after = text[open.upperBound...]
            if !after.contains("}}") { return String(after) }
        }
        if shape.key == "if", let colonEnd = shape.colonEnd, prefix.count >= colonEnd {
            return String(decoding: prefix[colonEnd...], as: UTF8.self)
        }
        return nil
    }

    /// Whether the end of `prefix` is in a comment (a `#` after a space, outside quotes).
    static func inComment(_ prefix: [UInt8]) -> Bool {
        var quote: UInt8?
        for (index, byte) in prefix.enumerated() {
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: "#"), index == 0 || prefix[index - 1] == UInt8(ascii: " ") {
                return true
            }
        }
        return false
    }

}
