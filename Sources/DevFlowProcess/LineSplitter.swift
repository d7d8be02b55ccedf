#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Splits one stream's bytes into lines on `\n`, in bounded memory.
///
/// A line of L bytes (newline excluded) is emitted as ⌈L / limit⌉ chunks of `limit` bytes except the last
/// (an empty line is one empty chunk); only the last chunk is marked complete. At most `limit` bytes are ever
/// held between reads. Lines that lie wholly inside one read are emitted as slices of the caller's buffer,
/// without copying.
struct LineSplitter {
    let stream: OutputStream
    let limit: Int
    /// The start of the current line, when it began in an earlier read. Never more than `limit` bytes.
    private(set) var pending: [UInt8] = []

    init(stream: OutputStream, limit: Int) {
        self.stream = stream
        self.limit = max(1, limit)
    }

    /// Feeds `buffer[0..<count]`.
    mutating func feed(_ buffer: [UInt8], count: Int, emit: (OutputLine) -> Void) {
        precondition(count <= buffer.count)
        var start = 0
        while start < count {
            let newline: Int? = buffer.withUnsafeBufferPointer { base in
                guard let found = memchr(base.baseAddress! + start, 0x0A, count - start) else { return nil }
                return UnsafeRawPointer(found) - UnsafeRawPointer(base.baseAddress!)
            }
            let end = newline ?? count
            var segmentStart = start
            if pending.isEmpty {
                while end - segmentStart > limit {
                    emit(
                        OutputLine(
                            stream: stream, bytes: buffer[segmentStart..<segmentStart + limit], isComplete: false))
                    segmentStart += limit
                }
                if newline != nil {
                    emit(OutputLine(stream: stream, bytes: buffer[segmentStart..<end], isComplete: true))
                } else {
                    pending.append(contentsOf: buffer[segmentStart..<end])
                }
            } else {
                while pending.count + (end - segmentStart) > limit {
                    let take = limit - pending.count
                    pending.append(contentsOf: buffer[segmentStart..<segmentStart + take])
                    segmentStart += take
                    emit(OutputLine(stream: stream, bytes: pending[...], isComplete: false))
                    pending.removeAll(keepingCapacity: true)
                }
                pending.append(contentsOf: buffer[segmentStart..<end])
                if newline != nil {
                    emit(OutputLine(stream: stream, bytes: pending[...], isComplete: true))
                    pending.removeAll(keepingCapacity: true)
                }
            }
            start = newline.map { $0 + 1 } ?? count
        }
    }

    /// End of file: emits a last line that had no newline.
    mutating func finish(emit: (OutputLine) -> Void) {
        guard !pending.isEmpty else { return }
        emit(OutputLine(stream: stream, bytes: pending[...], isComplete: true))
        pending = []
    }
}
