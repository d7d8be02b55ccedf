/// A file's bytes with a line index, for mapping line/column to offsets and printing source lines.
public struct SourceFile: Sendable {
    /// The path shown to users.
    public let path: String
    /// The raw bytes, exactly as read.
    public let bytes: [UInt8]
    /// Byte offset at which each line starts (index 0 is line 1).
    public let lineStarts: [Int]
    /// The interned path, for making spans without a lookup.
    public let fileID: FileID

    /// Indexes `bytes`.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.fileID = FileID(path)
        self.bytes = bytes
        var starts = [0]
        starts.reserveCapacity(bytes.count / 24 + 1)
        bytes.withUnsafeBufferPointer { buffer in
            for index in 0..<buffer.count where buffer[index] == UInt8(ascii: "\n") {
                starts.append(index + 1)
            }
        }
        self.lineStarts = starts
    }

    /// Convenience for tests and stdin.
    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    /// The number of lines (a trailing newline does not start a new line).
    public var lineCount: Int {
        if let last = lineStarts.last, last == bytes.count, lineStarts.count > 1 { return lineStarts.count - 1 }
        return lineStarts.count
    }

    /// The byte range of 1-based `line`, without its line terminator.
    public func byteRange(ofLine line: Int) -> Range<Int> {
        guard line >= 1, line <= lineStarts.count else { return bytes.count..<bytes.count }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return start..<max(start, end)
    }

    /// The text of 1-based `line` (invalid UTF-8 repaired), without its terminator.
    public func text(ofLine line: Int) -> String {
        String(decoding: bytes[byteRange(ofLine: line)], as: UTF8.self)
    }

    /// The position of 1-based `line` and 1-based scalar `column`, with its byte offset.
    public func position(line: Int, column: Int) -> SourcePosition {
        let range = byteRange(ofLine: line)
        var offset = range.lowerBound
        var remaining = column - 1
        while remaining > 0, offset < bytes.count {
            let byte = bytes[offset]
            offset += byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            remaining -= 1
        }
        return SourcePosition(line: line, column: column, offset: min(offset, bytes.count))
    }

    /// The 0-based index of the line that holds byte `offset` (clamped to the file).
    public func lineIndex(containing offset: Int) -> Int {
        let clamped = max(0, min(offset, bytes.count))
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= clamped { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// The position of byte `offset`.
    public func position(atOffset offset: Int) -> SourcePosition {
        let clamped = max(0, min(offset, bytes.count))
        let low = lineIndex(containing: clamped)
        var column = 1
        var index = lineStarts[low]
        while index < clamped {
            let byte = bytes[index]
            index += byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            column += 1
        }
        return SourcePosition(line: low + 1, column: column, offset: clamped)
    }

    /// A span from byte offsets.
    public func span(from start: Int, to end: Int) -> SourceSpan {
        SourceSpan(fileID: fileID, start: position(atOffset: start), end: position(atOffset: end))
    }

    /// The text covered by `span` (invalid UTF-8 repaired).
    public func text(of span: SourceSpan) -> String {
        let start = max(0, min(span.start.offset, bytes.count))
        let end = max(start, min(span.end.offset, bytes.count))
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
