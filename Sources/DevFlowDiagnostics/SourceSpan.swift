/// A position in a source file: 1-based line and column (columns count Unicode scalars), and a 0-based byte offset.
public struct SourcePosition: Hashable, Comparable, Codable, Sendable {
    /// 1-based line number.
    public var line: Int
    /// 1-based column, counted in Unicode scalars.
    public var column: Int
    /// 0-based offset of the position in the file's UTF-8 bytes.
    public var offset: Int

    /// Creates a position.
    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// Orders positions by their byte offset.
    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool { lhs.offset < rhs.offset }
}

/// A half-open range `[start, end)` of a source file.
public struct SourceSpan: Hashable, Codable, Sendable {
    /// The file path as the user named it (repository-relative where possible).
    public var file: String
    /// The first position covered.
    public var start: SourcePosition
    /// The position just past the last one covered.
    public var end: SourcePosition

    /// Creates a span.
    public init(file: String, start: SourcePosition, end: SourcePosition) {
        self.file = file
        self.start = start
        self.end = end
    }

    /// An empty span at the start of `file`, for findings about a file as a whole.
    public static func fileStart(_ file: String) -> SourceSpan {
        let origin = SourcePosition(line: 1, column: 1, offset: 0)
        return SourceSpan(file: file, start: origin, end: origin)
    }

    /// The smallest span covering both `self` and `other` (which must be in the same file).
    public func union(_ other: SourceSpan) -> SourceSpan {
        SourceSpan(file: file, start: min(start, other.start), end: max(end, other.end))
    }
}
