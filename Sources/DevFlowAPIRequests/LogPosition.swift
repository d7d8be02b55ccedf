import DevFlowGraph
import Foundation

/// Where a log stream is: after line `line` of chunk `chunk` (`Last-Event-ID: CHUNK.LINE`).
public struct LogPosition: Sendable, Equatable {
    /// The chunk of the last line sent.
    public var chunk: Int64
    /// The last line sent in that chunk (-1: none).
    public var line: Int

    /// The start of the log.
    public static let start = LogPosition(chunk: 0, line: -1)

    /// A position after `line` of `chunk`.
    public init(chunk: Int64, line: Int) {
        self.chunk = chunk
        self.line = line
    }

    /// Reads a `Last-Event-ID` (digits, a dot, digits); a 400 if it is not one this server sent.
    public init(lastEventID: String?) throws(APIError) {
        guard let lastEventID, !lastEventID.isEmpty else {
            self = .start
            return
        }
        let parts = lastEventID.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let chunk = Int64(parts[0]), let line = Int(parts[1]), line < Int.max
        else {
            throw APIError(
                .badRequest, code: "invalid_last_event_id",
                message:
                    "Last-Event-ID '\(MessageText.oneLine(lastEventID, limit: 80))' is not an id this server sent (CHUNK.LINE)"
            )
        }
        self.chunk = chunk
        self.line = line
    }
}
