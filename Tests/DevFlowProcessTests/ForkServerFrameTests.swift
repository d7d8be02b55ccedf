import Testing

@testable import DevFlowProcess

#if canImport(Glibc)
    import Glibc
#endif

/// The fork server's wire format: frames survive the trip whole, a call's fields come back as the same call, and
/// a reader waits for a frame cut across reads and refuses bytes that are not one.
@Suite struct ForkServerFrameTests {
    static let call = ForkServerCall(
        arguments: ["/tmp/ctx.json", "", "two words"],
        environment: ["A": "1", "EQUALS": "x=y=z", "MULTI": "line one\nline two", "EMPTY": ""],
        workingDirectory: "/tmp/work dir", stdoutPath: "/tmp/o", stderrPath: "/tmp/e", memoryLimit: 256 << 20,
        timeout: .milliseconds(1500), killGrace: .milliseconds(250))

    @Test("a call's frame decodes to the same call, with and without a directory, limit and timeout")
    func callRoundTrip() throws {
        var bare = Self.call
        bare.workingDirectory = nil
        bare.memoryLimit = nil
        bare.timeout = nil
        bare.environment = [:]
        bare.arguments = []
        for call in [Self.call, bare] {
            let bytes = ForkServerFrame(.call, call.fields).encoded
            let frame = try #require(ForkServerFrame(payload: bytes[4...]))
            #expect(frame.kind == .call)
            #expect(ForkServerCall(fields: frame.fields) == call)
        }
    }

    @Test("a frame split across reads is read whole; two in one read are both read")
    func reader() throws {
        let first = ForkServerFrame(.started, ["4242"]).encoded
        let second = ForkServerFrame(.ended, ["0", "-", "0", "1"]).encoded
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        var reader = ForkServerFrameReader(fd: fds[0])
        let cut = first.count - 3
        _ = first[..<cut].withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        let filled = reader.fill()
        let early = reader.buffered()
        #expect(filled && early == nil)
        _ = (Array(first[cut...]) + second).withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        let reads = [reader.next(), reader.next(), reader.next()]
        #expect(
            reads == [
                .frame(ForkServerFrame(.started, ["4242"])), .frame(ForkServerFrame(.ended, ["0", "-", "0", "1"])),
                .closed,
            ])
    }

    @Test("an unknown kind, a field without its NUL and an impossible length are malformed")
    func malformed() throws {
        #expect(ForkServerFrame(payload: [99, 0x41, 0][...]) == nil)
        #expect(ForkServerFrame(payload: [ForkServerFrame.Kind.started.rawValue, 0x41][...]) == nil)
        #expect(ForkServerCall(fields: ["", "o", "e", "-", "-", "1", "5", "only one"]) == nil)
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let huge: [UInt8] = [0xFF, 0xFF, 0xFF, 0x7F, 1]
        _ = huge.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        var reader = ForkServerFrameReader(fd: fds[0])
        let read = reader.next()
        #expect(read == .malformed)
    }

    @Test("a NUL inside a field cannot cut the frame: it is sent as '?'")
    func nulInField() throws {
        let bytes = ForkServerFrame(.refused, ["a\u{0}b"]).encoded
        #expect(ForkServerFrame(payload: bytes[4...])?.fields == ["a?b"])
    }
}
