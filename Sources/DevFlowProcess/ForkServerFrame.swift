#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One message between a ``ForkServerClient`` and its ``ForkServer`` over their Unix socket: a kind and a list of strings, framed as a
/// 4-byte little-endian length, the kind byte, then the strings, each followed by a NUL. Paths, arguments and
/// environment entries cannot contain NUL, so no escaping is needed.
struct ForkServerFrame: Equatable {
    /// What a frame asks or says.
    enum Kind: UInt8 {
        /// Client → server: run one call (fields: see ``ForkServerCall/fields``).
        case call = 1
        /// Client → server: stop the running call with SIGTERM, then SIGKILL after its grace.
        case cancelGraceful = 2
        /// Client → server: stop the running call with SIGKILL now.
        case cancelImmediate = 3
        /// Server → client: the call's process started (fields: its pid).
        case started = 10
        /// Server → client: the call's process ended (fields: exit code, signal, timed out, cancelled; `-` for none).
        case ended = 11
        /// Server → client: the call was not started (fields: why, in one sentence).
        case refused = 12
    }

    /// The largest frame either side accepts (a call carries one step's environment).
    static let maximumBytes = 16 << 20

    var kind: Kind
    var fields: [String]

    /// The frame's bytes on the wire.
    var encoded: [UInt8] {
        var payload: [UInt8] = [kind.rawValue]
        for field in fields {
            payload += field.utf8.map { $0 == 0 ? 0x3F : $0 }  // a NUL cannot be sent: "?" in its place
            payload.append(0)
        }
        let count = UInt32(payload.count)
        return [UInt8(count & 0xFF), UInt8((count >> 8) & 0xFF), UInt8((count >> 16) & 0xFF), UInt8(count >> 24)]
            + payload
    }

    /// The frame in `payload` (the bytes after the length), or nil when its kind is unknown or it is cut short.
    init?(payload: ArraySlice<UInt8>) {
        guard let first = payload.first, let kind = Kind(rawValue: first) else { return nil }
        self.kind = kind
        var fields: [String] = []
        var start = payload.index(after: payload.startIndex)
        while start < payload.endIndex {
            guard let end = payload[start...].firstIndex(of: 0) else { return nil }
            fields.append(String(decoding: payload[start..<end], as: UTF8.self))
            start = payload.index(after: end)
        }
        self.fields = fields
    }

    init(_ kind: Kind, _ fields: [String] = []) {
        self.kind = kind
        self.fields = fields
    }

    /// Writes the whole frame to the socket `fd` (retrying short writes and EINTR); false when the other end is
    /// gone (never SIGPIPE: the runner must outlive a dead server).
    func deliver(to fd: Int32) -> Bool {
        let bytes = encoded
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }
}

/// Reads frames from a descriptor, keeping what arrived beyond the current frame for the next one.
struct ForkServerFrameReader {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) { self.fd = fd }

    /// What a read came to.
    enum Read: Equatable {
        case frame(ForkServerFrame)
        /// The other end closed the descriptor (or it failed).
        case closed
        /// The bytes are not a frame this side understands.
        case malformed
        /// The deadline passed before a whole frame arrived.
        case expired
    }

    /// A whole frame already buffered, without reading.
    mutating func buffered() -> Read? {
        guard buffer.count >= 4 else { return nil }
        let length = Int(buffer[0]) | Int(buffer[1]) << 8 | Int(buffer[2]) << 16 | Int(buffer[3]) << 24
        guard length > 0, length <= ForkServerFrame.maximumBytes else { return .malformed }
        guard buffer.count >= 4 + length else { return nil }
        let frame = ForkServerFrame(payload: buffer[4..<(4 + length)])
        buffer.removeFirst(4 + length)
        return frame.map(Read.frame) ?? .malformed
    }

    /// Reads once from the descriptor (blocking unless it is non-blocking); false at end of file or on an error.
    mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer += chunk[..<count]
                return true
            }
            if count < 0 && errno == EINTR { continue }
            return false
        }
    }

    /// The next frame, reading (and blocking) until it is whole, or until `deadline` (monotonic nanoseconds).
    mutating func next(deadline: Int64? = nil) -> Read {
        while true {
            if let ready = buffered() { return ready }
            if let deadline {
                let left = deadline - SystemCalls.monotonicNanoseconds()
                if left <= 0 { return .expired }
                var pending = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&pending, 1, Int32(min((left + 999_999) / 1_000_000, 60_000)))
                if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            }
            guard fill() else { return .closed }
        }
    }
}
