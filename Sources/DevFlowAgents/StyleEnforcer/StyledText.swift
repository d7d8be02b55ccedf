import Foundation

/// A file's bytes split into lines that keep their terminators (`\n`, `\r\n`, `\r` or none on the last line). Lines
/// are offsets into the one byte array: splitting costs no copy and no reference counting per line.
struct StyledText {
    /// Where one line lies in `bytes`: its content is `start..<contentEnd`, its terminator `contentEnd..<end`.
    struct Bounds: Equatable {
        var start: Int
        var contentEnd: Int
        var end: Int
    }

    /// One line as bytes, for patches and for the fixed file.
    struct Line: Equatable {
        var content: ArraySlice<UInt8>
        var terminator: ArraySlice<UInt8>
        var text: String { String(decoding: content, as: UTF8.self) }
    }

    /// The whole file, byte order mark included.
    let bytes: [UInt8]
    /// The lines after the byte order mark, in order.
    private(set) var lines: [Bounds] = []
    /// Whether the file starts with a UTF-8 byte order mark.
    let hasBOM: Bool

    init(bytes: [UInt8]) {
        self.bytes = bytes
        hasBOM = bytes.starts(with: [0xEF, 0xBB, 0xBF])
        let first = hasBOM ? 3 : 0
        var lines: [Bounds] = []
        lines.reserveCapacity(bytes.count / 40 + 1)
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let count = buffer.count
            var start = first
            while start < count {
                // The next "\n", and any "\r" before it: a bare "\r" ends a line too.
                let newline = memchr(base + start, 10, count - start).map {
                    base.distance(to: $0.assumingMemoryBound(to: UInt8.self))
                }
                let stop = newline ?? count
                if let carriage = memchr(base + start, 13, stop - start).map({
                    base.distance(to: $0.assumingMemoryBound(to: UInt8.self))
                }), carriage + 1 != newline {
                    lines.append(Bounds(start: start, contentEnd: carriage, end: carriage + 1))
                    start = carriage + 1
                    continue
                }
                guard let newline else {
                    lines.append(Bounds(start: start, contentEnd: count, end: count))
                    break
                }
                let contentEnd = newline > start && buffer[newline - 1] == 13 ? newline - 1 : newline
                lines.append(Bounds(start: start, contentEnd: contentEnd, end: newline + 1))
                start = newline + 1
            }
        }
        self.lines = lines
    }

    /// Line `index` as bytes.
    func line(_ index: Int) -> Line {
        let bounds = lines[index]
        return Line(
            content: bytes[bounds.start..<bounds.contentEnd], terminator: bytes[bounds.contentEnd..<bounds.end])
    }

    /// Whether the bytes after the byte order mark are valid UTF-8 (ASCII text is checked eight bytes at a time).
    var isValidUTF8: Bool {
        let body = bytes[(hasBOM ? 3 : 0)...]
        let ascii = body.withUnsafeBytes { raw -> Bool in
            var index = 0
            while index + 8 <= raw.count {
                if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 {
                    return false
                }
                index += 8
            }
            while index < raw.count {
                if raw[index] >= 0x80 { return false }
                index += 1
            }
            return true
        }
        return ascii || String(validating: body, as: UTF8.self) != nil
    }

    /// The file with `repairs` (by line index) in place of its lines, byte order mark kept.
    func applying(_ repairs: [Int: Line]) -> [UInt8] {
        var out: [UInt8] = hasBOM ? [0xEF, 0xBB, 0xBF] : []
        out.reserveCapacity(bytes.count + 64)
        for index in lines.indices {
            if let repair = repairs[index] {
                out += repair.content
                out += repair.terminator
            } else {
                out += bytes[lines[index].start..<lines[index].end]
            }
        }
        return out
    }
}
