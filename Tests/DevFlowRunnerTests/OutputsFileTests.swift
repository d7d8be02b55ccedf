import DevFlowGraph
import Foundation
import Testing

@testable import DevFlowRunner
@testable import DevFlowStepIO

/// The rules of `$DEVFLOW_OUTPUT` and `$DEVFLOW_ENV`, one test per rule, on bytes alone.
@Suite struct OutputsFileTests {
    static func parse(_ text: String, kind: OutputsFile.Kind = .outputs) -> Result<[String: String], OutputsFileError> {
        OutputsFile.parse(Array(text.utf8), kind: kind)
    }

    static func values(_ text: String, kind: OutputsFile.Kind = .outputs) throws -> [String: String] {
        try parse(text, kind: kind).get()
    }

    static func error(_ text: String, kind: OutputsFile.Kind = .outputs) throws -> OutputsFileError {
        guard case .failure(let error) = parse(text, kind: kind) else {
            Issue.record("'\(text.prefix(80))' was accepted")
            throw CancellationError()
        }
        return error
    }

    static let plain = SecretMasker(secrets: [])

    @Test func nameValueLinesWithTheLastOneWinningAndEmptyLinesIgnored() throws {
        let text = "version=1.2.3\n\nempty=\nformula=a=b<<c\nversion=1.2.4\n\n"
        #expect(try Self.values(text) == ["version": "1.2.4", "empty": "", "formula": "a=b<<c"])
        #expect(try Self.values("") == [:])
        #expect(try Self.values("last=no newline") == ["last": "no newline"])
    }

    @Test func multiLineValuesEndAtTheExactDelimiterLine() throws {
        let text = "notes<<EOF\nfirst line\n\n  indented = 2\nEOF\nafter=1\nblank<<END\nEND\ntwo<<X\n\n\nX"
        #expect(
            try Self.values(text) == [
                "notes": "first line\n\n  indented = 2", "after": "1", "blank": "", "two": "\n",
            ])
        // `<<` before any `=` opens a value whose delimiter may hold `=`.
        #expect(try Self.values("a<<x=y\nvalue\nx=y\n") == ["a": "value"])
    }

    @Test func crlfLineEndsAreReadAsNewlines() throws {
        let text = "a=1\r\nnotes<<EOF\r\none\r\ntwo\r\nEOF\r\n\r\nb=2\r\n"
        #expect(try Self.values(text) == ["a": "1", "notes": "one\ntwo", "b": "2"])
    }

    @Test func aMissingClosingDelimiterIsAnErrorAtTheOpeningLine() throws {
        let error = try Self.error("a=1\nnotes<<EOF\none\ntwo\n")
        #expect(error.problem == .missingDelimiter(name: "notes", delimiter: "EOF"))
        #expect(error.line == 2)
        #expect(
            error.message(masking: Self.plain)
                == "$DEVFLOW_OUTPUT line 2: 'notes<<EOF': no line 'EOF' closes the value of 'notes' before the end of the file"
        )
        #expect(try Self.error("notes<<\nx\n").problem == .emptyDelimiter)
    }

    @Test func aValueLineThatContainsTheDelimiterIsAnError() throws {
        // The closing line indented by a YAML block, and a delimiter that also occurs in the text.
        let indented = try Self.error("notes<<EOF\none\n  EOF\n")
        #expect(indented.problem == .delimiterInValue(name: "notes", delimiter: "EOF", opened: 1))
        #expect(indented.line == 3)
        #expect(indented.text == "  EOF")
        #expect(
            indented.message(masking: Self.plain).hasPrefix(
                "$DEVFLOW_OUTPUT line 3: '  EOF': the value of 'notes' (from line 1) contains its delimiter 'EOF'"))
        #expect(try Self.error("log<<END\nSENDING\nEND\n").line == 2)
    }

    @Test func theDelimiterSearchIsExactAndLinear() throws {
        for (needle, haystack, expected) in [
            ("aab", "aaab", true), ("abab", "abaabab", true), ("abc", "ababd", false), ("EOF", "EO", false),
            ("x", "x", true), ("aaa", "aabaa", false),
        ] {
            #expect(
                SubstringSearch(Array(needle.utf8)[...]).occurs(in: Array(haystack.utf8)[...]) == expected,
                "'\(needle)' in '\(haystack)'")
        }
        // A 400 KiB delimiter against a 1000 KiB line of its near-misses: quadratic search would take hours.
        let delimiter = String(repeating: "a", count: 400 << 10) + "b"
        let text = "v<<\(delimiter)\n" + String(repeating: "a", count: 1000 << 10) + "\n\(delimiter)\n"
        #expect(try Self.values(text)["v"]?.count == 1000 << 10)
    }

    /// A deterministic generator (SplitMix64), so that a failure replays.
    struct Seeded {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    @Test func writtenValuesReadBackAndArbitraryBytesNeverCrash() throws {
        var random = Seeded(state: 13)
        // No \r: a value line ending in \r reads as a CRLF line end (tested above).
        let alphabet = Array("ab=<<\t -_EOFé\u{0}x".unicodeScalars)
        for _ in 0..<300 {
            var expected: [String: String] = [:]
            var file = ""
            for index in 0..<(1 + random.next(5)) {
                let name = "n\(index)_\(random.next(1000))"
                let lines = (0..<random.next(4)).map { _ in
                    String(
                        String.UnicodeScalarView(
                            (0..<random.next(12)).map { _ in alphabet[random.next(alphabet.count)] }))
                }
                if lines.count <= 1 {
                    file += "\(name)=\(lines.first ?? "")\n"
                } else {
                    let delimiter = "END_\(random.next(1_000_000))_Z"
                    file += "\(name)<<\(delimiter)\n" + lines.map { $0 + "\n" }.joined() + delimiter + "\n"
                }
                expected[name] = lines.joined(separator: "\n")
            }
            #expect(try Self.values(file) == expected, "\(file)")
            // The same bytes shuffled: any answer, never a crash.
            var bytes = Array(file.utf8)
            for _ in 0..<bytes.count { bytes.swapAt(random.next(bytes.count), random.next(bytes.count)) }
            _ = OutputsFile.parse(bytes, kind: .outputs)
            _ = OutputsFile.parse(bytes, kind: .environment)
        }
    }

    @Test func invalidNamesAreRejectedWithTheCompilersRule() throws {
        let dotted = try Self.error("ok=1\nmy.key=2\n")
        #expect(dotted.problem == .invalidOutputName("my.key", .badCharacter(".")))
        #expect(
            dotted.message(masking: Self.plain)
                == "$DEVFLOW_OUTPUT line 2: 'my.key=2': output name 'my.key' contains '.'; names use letters, digits, '_' and '-'"
        )
        // Found by fuzz-outputs-file (fuzz/regressions/fuzz-outputs-file/carriage-return-in-name): the character
        // was quoted raw, so a carriage return broke the message's line.
        #expect(
            try Self.error("ope\rn<<DELIM\n").message(masking: Self.plain)
                == "$DEVFLOW_OUTPUT line 1: 'ope\\rn<<DELIM': output name 'ope\\rn' contains '\\r'; names use letters, digits, '_' and '-'"
        )
        #expect(try Self.error("9lives=1").problem == .invalidOutputName("9lives", .badStart))
        #expect(try Self.error("=1").problem == .emptyName)
        #expect(try Self.error("<<EOF\nx\nEOF").problem == .emptyName)
        let long = String(repeating: "a", count: 65)
        #expect(try Self.error("\(long)=1").problem == .invalidOutputName(long, .tooLong(65)))
        #expect(try Self.values("unit-tests_2=ok\n_x=1") == ["unit-tests_2": "ok", "_x": "1"])
    }

    @Test func aMalformedLineIsQuotedWithItsNumberAndSecretsMasked() throws {
        let error = try Self.error("a=1\n\necho token s3cr3t-value leaked\n")
        #expect(error.problem == .notAnAssignment)
        #expect(error.line == 3)
        let message = error.message(masking: SecretMasker(secrets: ["s3cr3t-value"]))
        #expect(
            message
                == "$DEVFLOW_OUTPUT line 3: 'echo token *** leaked': expected 'name=value', or 'name<<DELIMITER' and the value's lines up to a line 'DELIMITER'"
        )
        // A long line is shortened after masking, so a secret that crosses the cut is still hidden.
        let secret = "abcdefghij-secret"
        let long = try Self.error(String(repeating: "x", count: 110) + secret + String(repeating: "y", count: 50))
        let shown = long.message(masking: SecretMasker(secrets: [secret]))
        #expect(!shown.contains("abcdefghij") && shown.contains("***") && shown.contains("…"))
        #expect(try Self.error("tab\there").message(masking: Self.plain).contains("'tab\\there'"))
    }

    @Test func aValueLargerThanOneMebibyteIsAnErrorNamingItAndItsSize() throws {
        let limit = OutputLimits.outputs.valueBytes
        #expect(try Self.values("big=" + String(repeating: "x", count: limit))["big"]?.utf8.count == limit)
        let error = try Self.error("small=1\nbig=" + String(repeating: "x", count: limit + 1) + "\n")
        #expect(error.problem == .valueTooLarge(name: "big", bytes: limit + 1))
        #expect(error.line == 2)
        let message = error.message(masking: Self.plain)
        #expect(message.contains("output 'big' is 1.0 MiB (1048577 bytes); one output may hold at most 1 MiB"))
        #expect(message.count < 600, "the message quotes a shortened line, not the value")
        let multiLine = try Self.error("notes<<EOF\n" + String(repeating: "y", count: limit) + "\nmore\nEOF\n")
        #expect(multiLine.problem == .valueTooLarge(name: "notes", bytes: limit + 5))
    }

    @Test func outputsTotallingMoreThanOneMebibyteAreAnError() throws {
        let part = String(repeating: "z", count: 400 << 10)
        let error = try Self.error("a=\(part)\nb=\(part)\nc=\(part)x\nd=1\n")
        #expect(
            error.problem
                == .totalTooLarge(
                    bytes: 3 * (400 << 10) + 2,
                    largest: [
                        .init(name: "c", bytes: (400 << 10) + 1), .init(name: "a", bytes: 400 << 10),
                        .init(name: "b", bytes: 400 << 10),
                    ]))
        #expect(error.line == nil)
        #expect(
            error.message(masking: Self.plain).hasPrefix(
                "$DEVFLOW_OUTPUT: the step's outputs total 1.2 MiB (1228802 bytes); a step may publish at most 1 MiB (largest: 'c' 400.0 KiB, 'a' 400 KiB, 'b' 400 KiB)"
            ))
        // A name written again replaces its value: only the last one counts.
        #expect(try Self.values("a=\(part)\na=\(part)\na=\(part)\n")["a"]?.count == part.count)
    }

    @Test func aFileLargerThanItsLimitIsAnErrorWithItsSize() throws {
        let bytes = [UInt8](repeating: 0x0A, count: OutputLimits.outputs.fileBytes + 1)
        guard case .failure(let error) = OutputsFile.parse(bytes, kind: .outputs) else {
            Issue.record("a file over the limit was accepted")
            return
        }
        #expect(error.problem == .fileTooLarge(bytes: (2 << 20) + 1))
        #expect(
            error.message(masking: Self.plain).hasPrefix(
                "$DEVFLOW_OUTPUT: the file is 2.0 MiB (2097153 bytes); it may hold at most 2 MiB"))
    }

    @Test func theReaderReadsAtMostOneByteOverTheLimitAndReportsTheFilesSize() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("outputs-\(UUID().uuidString)").path
        let size = 5 << 20
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x41, count: size)))
        guard case .failure(let error) = StepProcess.read(path, kind: .outputs) else {
            Issue.record("a 5 MiB outputs file was accepted")
            return
        }
        #expect(error.problem == .fileTooLarge(bytes: size))
        #expect(!FileManager.default.fileExists(atPath: path), "the file is removed once read")
        #expect(try StepProcess.read(path, kind: .outputs).get() == [:], "no file: no outputs")
        // A FIFO (nobody writing) or a directory at the path is an error, never a hang or nothing.
        #expect(mkfifo(path, 0o600) == 0)
        guard case .failure(let fifo) = StepProcess.read(path, kind: .outputs) else {
            Issue.record("a FIFO was read as outputs")
            return
        }
        #expect(fifo.problem == .notARegularFile)
        #expect(
            fifo.message(masking: Self.plain)
                == "$DEVFLOW_OUTPUT: not a regular file; append lines to it (>> \"$DEVFLOW_OUTPUT\")")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        defer { rmdir(path) }
        guard case .failure(let directory) = StepProcess.read(path, kind: .outputs) else {
            Issue.record("a directory was read as outputs")
            return
        }
        #expect(directory.problem == .notARegularFile)
    }

    @Test func agentOutputsAreHeldToTheSameLimitsInTheSameWords() throws {
        let limit = OutputLimits.outputs.valueBytes
        let big = try #require(
            OutputsFile.check(
                ["report": String(repeating: "r", count: limit + 1)], kind: .outputs, source: "agent 'review' outputs"))
        #expect(
            big.message(masking: Self.plain).hasPrefix(
                "agent 'review' outputs: output 'report' is 1.0 MiB (1048577 bytes); one output may hold at most 1 MiB")
        )
        let half = String(repeating: "h", count: limit / 2 + 1)
        let total = try #require(OutputsFile.check(["a": half, "b": half], kind: .outputs, source: "x"))
        #expect(
            total.problem
                == .totalTooLarge(
                    bytes: 2 * half.count,
                    largest: [.init(name: "a", bytes: half.count), .init(name: "b", bytes: half.count)]))
        #expect(
            OutputsFile.check(["x y": "1"], kind: .outputs, source: "x")?.problem
                == .invalidOutputName("x y", .badCharacter(" ")))
        #expect(OutputsFile.check(["findings": "3"], kind: .outputs, source: "x") == nil)
    }

    @Test func environmentFilesTakeVariableNamesAndRefuseReservedOnes() throws {
        #expect(
            try Self.values("GREETING=hi\nMulti<<EOF\na\nb\nEOF\n", kind: .environment) == [
                "GREETING": "hi", "Multi": "a\nb",
            ])
        let reserved = try Self.error("OK=1\nPATH=/tmp/evil:/usr/bin\n", kind: .environment)
        #expect(reserved.problem == .reservedVariable("PATH"))
        #expect(
            reserved.message(masking: Self.plain).hasPrefix(
                "$DEVFLOW_ENV line 2: 'PATH=/tmp/evil:/usr/bin': 'PATH' is reserved: a step cannot set DEVFLOW_*, PATH")
        )
        for name in ["DEVFLOW_STEP", "LD_PRELOAD", "DYLD_INSERT_LIBRARIES", "BASH_ENV", "IFS"] {
            #expect(try Self.error("\(name)=x", kind: .environment).problem == .reservedVariable(name))
        }
        #expect(try Self.error("unit-tests=1", kind: .environment).problem == .invalidVariableName("unit-tests"))
        #expect(
            try Self.error("V=" + String(repeating: "v", count: (64 << 10) + 1), kind: .environment).problem
                == .valueTooLarge(name: "V", bytes: (64 << 10) + 1))
    }
}
