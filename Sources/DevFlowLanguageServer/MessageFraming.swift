import DevFlowGraph
import Foundation

/// Splits a byte stream into JSON-RPC messages framed by `Content-Length` headers (the base protocol of LSP).
public struct MessageFramer: Sendable {
    /// A frame that cannot be read; the stream cannot be trusted after it, so the server stops.
    public struct Problem: Error, Sendable, CustomStringConvertible, Equatable {
        /// What was wrong with the frame.
        public var description: String
    }

    /// The largest message body accepted (a whole document is sent on open; 64 MiB is far beyond any pipeline).
    public static let maximumBodyBytes = 64 * 1024 * 1024
    /// The largest header block accepted.
    static let maximumHeaderBytes = 8 * 1024

    private var buffer: [UInt8] = []
    private var start = 0

    /// Creates an empty framer.
    public init() {}

    /// Appends bytes read from the stream.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message body, nil when more bytes are needed, or a problem with the framing.
    public mutating func next() throws(Problem) -> [UInt8]? {
        guard let headerEnd = find([13, 10, 13, 10], from: start) else {
            if buffer.count - start > Self.maximumHeaderBytes {
                throw Problem(description: "a header block longer than \(Self.maximumHeaderBytes) bytes")
            }
            return nil
        }
        let header = String(decoding: buffer[start..<headerEnd], as: UTF8.self)
        var length: Int?
        for line in header.split(separator: "\r\n", omittingEmptySubsequences: false) {
            guard let colon = line.firstIndex(of: ":") else {
                throw Problem(description: "a header line without ':': '\(line.prefix(80))'")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" {
                guard let parsed = Int(value), parsed >= 0 else {
                    throw Problem(description: "Content-Length '\(value.prefix(40))' is not a byte count")
                }
                guard parsed <= Self.maximumBodyBytes else {
                    throw Problem(
                        description: "a message of \(parsed) bytes, over the limit of \(Self.maximumBodyBytes)")
                }
                length = parsed
            }
        }
        guard let length else { throw Problem(description: "a message without a Content-Length header") }
        let bodyStart = headerEnd + 4
        guard buffer.count - bodyStart >= length else { return nil }
        let body = Array(buffer[bodyStart..<bodyStart + length])
        start = bodyStart + length
        if start > 1 << 20 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        return body
    }

    private func find(_ needle: [UInt8], from: Int) -> Int? {
        guard buffer.count - from >= needle.count else { return nil }
        var index = from
        while index + needle.count <= buffer.count {
            if buffer[index] == needle[0], buffer[index + 1] == needle[1], buffer[index + 2] == needle[2],
                buffer[index + 3] == needle[3]
            {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Frames one message body for the stream.
    public static func frame(_ message: JSONValue) -> [UInt8] {
        let body = Array(message.compactJSON.utf8)
        return Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
    }
}
