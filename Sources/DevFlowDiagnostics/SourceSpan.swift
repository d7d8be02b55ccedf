import Foundation

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
///
/// The file is kept as a small interned id, so a span is plain data: copying one (and there is one on every node,
/// key and value of a pipeline) costs no reference counting. `file` gives the path back.
public struct SourceSpan: Hashable, Codable, Sendable {
    /// The interned file path.
    public var fileID: FileID
    /// The first position covered.
    public var start: SourcePosition
    /// The position just past the last one covered.
    public var end: SourcePosition

    /// The file path as the user named it (repository-relative where possible).
    public var file: String {
        get { fileID.path }
        set { fileID = FileID(newValue) }
    }

    /// Creates a span.
    public init(file: String, start: SourcePosition, end: SourcePosition) {
        self.init(fileID: FileID(file), start: start, end: end)
    }

    /// Creates a span in an already interned file.
    public init(fileID: FileID, start: SourcePosition, end: SourcePosition) {
        self.fileID = fileID
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
        SourceSpan(fileID: fileID, start: min(start, other.start), end: max(end, other.end))
    }

    private enum CodingKeys: String, CodingKey { case file, start, end }

    /// Decodes `{"file", "start", "end"}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            file: try container.decode(String.self, forKey: .file),
            start: try container.decode(SourcePosition.self, forKey: .start),
            end: try container.decode(SourcePosition.self, forKey: .end))
    }

    /// Encodes `{"file", "start", "end"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(start, forKey: .start)
        try container.encode(end, forKey: .end)
    }
}

/// An interned file path: equal paths get equal ids for the life of the process.
public struct FileID: Hashable, Sendable {
    let index: UInt32

    /// Interns `path`.
    public init(_ path: String) { index = FilePathTable.shared.intern(path) }

    /// The path.
    public var path: String { FilePathTable.shared.path(index) }
}

/// The process-wide, append-only table behind `FileID`.
final class FilePathTable: @unchecked Sendable {
    static let shared = FilePathTable()
    private let lock = NSLock()
    private var paths: [String] = []
    private var indexes: [String: UInt32] = [:]

    func intern(_ path: String) -> UInt32 {
        lock.lock()
        defer { lock.unlock() }
        if let index = indexes[path] { return index }
        let index = UInt32(paths.count)
        paths.append(path)
        indexes[path] = index
        return index
    }

    func path(_ index: UInt32) -> String {
        lock.lock()
        defer { lock.unlock() }
        return paths[Int(index)]
    }
}
