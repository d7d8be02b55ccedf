import DevFlowGraph
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a `LanguageServer` over a pair of file descriptors (standard input and output for `devflow lsp`): reads
/// framed messages, waits for the next debounce deadline with `poll`, and writes every answer whole.
public enum StdioTransport {
    /// Serves until the client sends `exit` or closes the input; returns the exit code.
    public static func serve(_ server: LanguageServer, input: Int32 = 0, output: Int32 = 1) -> Int32 {
        var framer = MessageFramer()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            send(server.due(now: now()), to: output)
            let timeout = server.nextDeadline.map { Int32(clamping: Int64($0) - Int64(now())) }.map { max(0, $0) }
            var descriptor = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, timeout ?? -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return 1
            }
            if ready == 0 { continue }
            let count = read(input, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            // The client went away without `exit`: the protocol's code for that is 1.
            if count <= 0 { return server.exitCode ?? 1 }
            framer.append(buffer[0..<count])
            do throws(MessageFramer.Problem) {
                while let body = try framer.next() {
                    send(server.handle(body, now: now()), to: output)
                    if let code = server.exitCode { return code }
                    // A document just opened is due at once: publish before reading on.
                    send(server.due(now: now()), to: output)
                }
            } catch {
                FileHandle.standardError.write(Data("devflow lsp: unreadable message: \(error.description)\n".utf8))
                return 1
            }
        }
    }

    /// Milliseconds of the monotonic clock.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1000 + UInt64(time.tv_nsec) / 1_000_000
    }

    static func send(_ messages: [JSONValue], to output: Int32) {
        for message in messages {
            let bytes = MessageFramer.frame(message)
            var written = 0
            while written < bytes.count {
                let result = bytes[written...].withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
                if result < 0 {
                    if errno == EINTR { continue }
                    return
                }
                written += result
            }
        }
    }
}
