import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Random and mutated YAML never crashes or hangs the compiler: every input gets diagnostics or a graph, quickly,
/// with spans inside the file and memory bounded.
@Suite struct FuzzTests {
    /// SplitMix64: deterministic, so a failure can be replayed from its seed.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
    }

    static let seeds: [[UInt8]] = (Repository.files(under: "pipelines").map { "pipelines/\($0)" } + [".devflow.yml"])
        .compactMap {
            FileManager.default.contents(atPath: Repository.path($0)).map(Array.init)
        }

    static let tokens: [[UInt8]] = [
        ":", "- ", "[", "]", "{", "}", "&a ", "*a", "'", "\"", "\t", "\n", "# ", "!!str ", "%YAML 1.2\n", "|\n", ">-\n",
        "${{", "}}", "<<: *a\n", "---\n", "? ", "\u{0}", "\u{FEFF}", "\\", "\r", "  ", "yes", "0755", "1.10",
    ].map { Array($0.utf8) }

    static func mutate(_ input: [UInt8], _ random: inout Random) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + random.below(6)) {
            let position = random.below(bytes.count + 1)
            switch random.below(6) {
            case 0: bytes = Array(bytes.prefix(position))  // truncate
            case 1:
                // Flip a byte; this may break UTF-8.
                if position < bytes.count { bytes[position] = UInt8(truncatingIfNeeded: random.next()) }
            case 2: bytes.insert(contentsOf: tokens[random.below(tokens.count)], at: position)
            case 3:
                if position < bytes.count {
                    bytes.removeSubrange(position..<min(bytes.count, position + 1 + random.below(40)))
                }
            case 4:
                let start = random.below(bytes.count + 1)
                let chunk = bytes[start..<min(bytes.count, start + random.below(200))]
                bytes.insert(contentsOf: chunk, at: position)
            default:
                let line =
                    Array(String(repeating: " ", count: random.below(12)).utf8) + tokens[random.below(tokens.count)] + [
                        10
                    ]
                bytes.insert(contentsOf: line, at: position)
            }
        }
        return bytes
    }

    /// Compiles and checks the invariants; returns the time taken.
    @discardableResult
    static func compileChecked(_ bytes: [UInt8], label: String) -> Swift.Duration {
        let clock = ContinuousClock()
        var compilation: Compilation?
        let elapsed = clock.measure { compilation = Compiler.compile(SourceFile(path: "fuzz.yml", bytes: bytes)) }
        guard let compilation else { return elapsed }
        #expect(
            compilation.hasErrors == (compilation.graph == nil) || compilation.pipeline == nil,
            "\(label): errors and graph disagree")
        for diagnostic in compilation.diagnostics {
            #expect(
                diagnostic.span.start.offset <= bytes.count && diagnostic.span.end.offset <= bytes.count,
                "\(label): span outside the file")
            #expect(diagnostic.span.start.offset <= diagnostic.span.end.offset, "\(label): reversed span")
            #expect(!diagnostic.message.isEmpty)
        }
        #expect(elapsed < .seconds(5), "\(label) took \(elapsed)")
        return elapsed
    }

    @Test(arguments: 0..<8)
    func mutatedPipelines(_ batch: Int) {
        var random = Random(state: 0xDEF1_0000 + UInt64(batch))
        for round in 0..<250 {
            let seed = Self.seeds[random.below(Self.seeds.count)]
            Self.compileChecked(Self.mutate(seed, &random), label: "batch \(batch) round \(round)")
        }
    }

    @Test func randomBytes() {
        var random = Random(state: 42)
        for round in 0..<300 {
            let bytes = (0..<random.below(2000)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            Self.compileChecked(bytes, label: "random \(round)")
        }
    }

    @Test func truncatedAtEveryLine() throws {
        let seed = try #require(Self.seeds.first)
        let newlines = seed.indices.filter { seed[$0] == 10 }
        for end in newlines { Self.compileChecked(Array(seed[..<end]), label: "truncated at \(end)") }
    }

    @Test func deepNestingIsRefusedWithADiagnostic() {
        for opener in ["[", "{a: ", "- "] {
            let text = "version: 1\nsteps: " + String(repeating: opener, count: 100_000)
            let compilation = Compiler.compile(SourceFile(path: "deep.yml", text: text))
            #expect(compilation.diagnostics.contains { $0.id.name == "input-limit" || $0.id.name == "yaml-syntax" })
        }
        let blockNesting = (0..<2000).map { String(repeating: " ", count: $0) + "a:\n" }.joined()
        let compilation = Compiler.compile(SourceFile(path: "deep.yml", text: blockNesting))
        #expect(compilation.diagnostics.contains { $0.id.name == "input-limit" })
    }

    @Test func aliasBombIsRefusedWithBoundedWork() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<12 {
            text +=
                "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
                + "]\n"
        }
        let elapsed = Self.compileChecked(Array(text.utf8), label: "alias bomb")
        let compilation = Compiler.compile(SourceFile(path: "bomb.yml", text: text))
        #expect(
            compilation.diagnostics.contains { $0.id.name == "input-limit" && $0.message.contains("aliases expand") })
        #expect(elapsed < .seconds(2))
    }

    @Test func tenMegabyteScalar() {
        let text =
            "version: 1\nname: big\non: push\nsteps:\n  a:\n    run: \""
            + String(repeating: "x", count: 10 * 1024 * 1024) + "\"\n"
        let compilation = Compiler.compile(SourceFile(path: "big.yml", text: text))
        #expect(compilation.diagnostics.isEmpty)
        #expect(compilation.graph?.nodes.first?.id == "a")
    }

    @Test func invalidUTF8AndControlCharacters() {
        for bytes: [UInt8] in [
            Array("version: 1\nname: \u{FFFD}".utf8) + [0xC3, 0x28],
            Array("version: 1\nname: x".utf8) + [0xFF, 0xFE, 0x0A],
            Array("version: 1\n".utf8) + [0x00] + Array("name: x\n".utf8),
            [0xEF, 0xBB, 0xBF] + Array("version: 1\n".utf8),
            [], Array("# only a comment\n".utf8), Array("---\n...\n".utf8),
        ] {
            let compilation = Compiler.compile(SourceFile(path: "bytes.yml", bytes: bytes))
            #expect(!compilation.diagnostics.isEmpty)
            #expect(compilation.graph == nil)
        }
    }

    @Test func memoryStaysBounded() {
        #if canImport(Glibc)
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            // ru_maxrss is in KiB; a compiler that expanded the alias bomb would need tens of GiB.
            #expect(usage.ru_maxrss < 4 * 1024 * 1024, "peak RSS \(usage.ru_maxrss) KiB")
        #endif
    }
}
