import DevFlowDiagnostics
import DevFlowGraph

/// How LSP positions count characters in a line: negotiated at `initialize` (LSP 3.17), UTF-16 by default.
public enum PositionEncoding: String, Sendable {
    /// Bytes of UTF-8.
    case utf8 = "utf-8"
    /// UTF-16 code units (the default of the protocol).
    case utf16 = "utf-16"
    /// Unicode scalars.
    case utf32 = "utf-32"

    /// The units a scalar whose UTF-8 form starts with `lead` takes.
    func units(lead: UInt8, length: Int) -> Int {
        switch self {
        case .utf8: length
        case .utf16: length == 4 ? 2 : 1
        case .utf32: 1
        }
    }
}

/// A zero-based line and character of a document, in the negotiated encoding.
public struct LSPPosition: Sendable, Equatable {
    /// The line.
    public var line: Int
    /// The character offset in the line.
    public var character: Int

    /// Creates a position.
    public init(line: Int, character: Int) {
        self.line = line
        self.character = character
    }

    /// Reads `{"line", "character"}`.
    init?(_ value: JSONValue?) {
        guard let line = value?["line"]?.integer, let character = value?["character"]?.integer, line >= 0,
            character >= 0
        else { return nil }
        self.init(line: line, character: character)
    }

    var json: JSONValue { .object(["line": .int(line), "character": .int(character)]) }
}

/// An open document: its text as bytes, its version, and the mapping between byte offsets and LSP positions.
public struct TextDocument: Sendable {
    /// The document's URI as the client sent it.
    public let uri: String
    /// The version the client gave the latest change.
    public var version: Int
    /// The text and its line index.
    private(set) var source: SourceFile

    /// The text, as UTF-8 bytes.
    public var bytes: [UInt8] { source.bytes }
    var lineStarts: [Int] { source.lineStarts }

    /// Creates a document.
    public init(uri: String, version: Int, text: String) {
        self.uri = uri
        self.version = version
        self.source = SourceFile(path: uri, text: text)
    }

    /// The byte offset of `position`; a character past the line's end means the end of the line, a line past the
    /// last means the end of the document (as the protocol asks).
    public func offset(of position: LSPPosition, encoding: PositionEncoding) -> Int {
        guard position.line < lineStarts.count else { return bytes.count }
        var offset = lineStarts[position.line]
        var lineEnd = position.line + 1 < lineStarts.count ? lineStarts[position.line + 1] - 1 : bytes.count
        // A position after a CR of CR LF is the end of the line: never split the pair.
        if lineEnd > offset, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
        var remaining = position.character
        while remaining > 0, offset < lineEnd {
            let length = Self.scalarLength(bytes[offset])
            let units = encoding.units(lead: bytes[offset], length: length)
            if units > remaining { break }
            remaining -= units
            offset += length
        }
        return min(offset, lineEnd)
    }

    /// The LSP position of byte `offset`.
    public func position(of offset: Int, encoding: PositionEncoding) -> LSPPosition {
        let clamped = max(0, min(offset, bytes.count))
        let low = source.lineIndex(containing: clamped)
        var character = 0
        var index = lineStarts[low]
        while index < clamped {
            let length = Self.scalarLength(bytes[index])
            character += encoding.units(lead: bytes[index], length: length)
            index += length
        }
        return LSPPosition(line: low, character: character)
    }

    static func scalarLength(_ lead: UInt8) -> Int {
        lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
    }

    /// The LSP range of a span of this document.
    func range(of span: SourceSpan, encoding: PositionEncoding) -> JSONValue {
        range(from: span.start.offset, to: span.end.offset, encoding: encoding)
    }

    /// The LSP range between two byte offsets.
    func range(from start: Int, to end: Int, encoding: PositionEncoding) -> JSONValue {
        .object([
            "start": position(of: start, encoding: encoding).json, "end": position(of: end, encoding: encoding).json,
        ])
    }

    /// Applies one change of `textDocument/didChange`: a range and its new text, or (no range) the whole text.
    public mutating func apply(text: String, range: (start: LSPPosition, end: LSPPosition)?, encoding: PositionEncoding)
    {
        guard let range else {
            source = SourceFile(path: uri, text: text)
            return
        }
        let start = offset(of: range.start, encoding: encoding)
        let end = max(start, offset(of: range.end, encoding: encoding))
        var bytes = source.bytes
        bytes.replaceSubrange(start..<end, with: Array(text.utf8))
        source = SourceFile(path: uri, bytes: bytes)
    }

    /// The text of zero-based `line`, without its line end.
    func line(_ line: Int) -> [UInt8] {
        guard line >= 0, line < lineStarts.count else { return [] }
        return Array(bytes[source.byteRange(ofLine: line + 1)])
    }

    /// The number of lines.
    var lineCount: Int { lineStarts.count }

    /// The zero-based line and the byte column of an offset.
    func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        let position = position(of: offset, encoding: .utf8)
        return (position.line, position.character)
    }

    /// The byte offset of a zero-based line and byte column.
    func offset(line: Int, column: Int) -> Int {
        guard line < lineStarts.count else { return bytes.count }
        return min(lineStarts[line] + column, bytes.count)
    }
}
