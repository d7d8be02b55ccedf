import DevFlowDiagnostics
import DevFlowSyntax
import Testing

/// The positioned tree: spans on every node, raw scalar styles, every duplicate key, anchors and aliases, limits.
@Suite struct YAMLParserTests {
    static func parse(_ text: String) -> YAMLDocument { YAMLParser.parse(SourceFile(path: "t.yml", text: text)) }

    @Test func scalarsKeepTheirStyleAndExactSpans() throws {
        let document = Self.parse("a: on\nb: 'yes'\nc: \"1.10\"\nd: |\n  line\ne: 0755\n")
        let pairs = try #require(document.root?.pairs)
        #expect(pairs.map { $0.value.scalar?.value } == ["on", "yes", "1.10", "line\n", "0755"])
        #expect(pairs.map { $0.value.scalar?.style } == [.plain, .singleQuoted, .doubleQuoted, .literal, .plain])
        let on = pairs[0].value.span
        #expect((on.start.line, on.start.column, on.end.line, on.end.column) == (1, 4, 1, 6))
        #expect((on.start.offset, on.end.offset) == (3, 5))
        let quoted = pairs[2].value.span
        #expect((quoted.start.column, quoted.end.column) == (4, 10))
    }

    @Test func columnsCountUnicodeScalarsAndOffsetsCountBytes() throws {
        let document = Self.parse("name: \"héllo\"\nx: y\n")
        let pairs = try #require(document.root?.pairs)
        #expect(pairs[0].value.span.end.column == 14)
        #expect(pairs[0].value.span.end.offset == 14)
        #expect(pairs[1].key.span.start.offset == 15)
    }

    @Test func everyDuplicateKeyIsReportedWithTheFirstDefinition() {
        let document = Self.parse("a: 1\nb: 2\na: 3\na: 4\nc: {x: 1, x: 2}\n")
        let duplicates = document.diagnostics.filter { $0.id.name == "duplicate-key" }
        #expect(duplicates.count == 3)
        #expect(duplicates.map(\.span.start.line) == [3, 4, 5])
        #expect(duplicates.map { $0.labels.first?.span.start.line } == [1, 1, 5])
        #expect(duplicates[2].span.start.column == 11)
    }

    @Test func anchorsAliasesAndMergeKeys() throws {
        let document = Self.parse("base: &base {run: make, timeout: 5m}\nstep:\n  <<: *base\n  timeout: 9m\n")
        #expect(document.diagnostics.isEmpty)
        let step = try #require(document.root?.pairs?[1].value.pairs)
        #expect(step.map { $0.key.scalar?.value } == ["run", "timeout"])
        #expect(step.first { $0.key.scalar?.value == "timeout" }?.value.scalar?.value == "9m")
        let run = try #require(step.first { $0.key.scalar?.value == "run" })
        #expect(run.value.span.start.line == 1)
        #expect(document.root?.pairs?[0].value.anchor == "base")
    }

    @Test func aliasUsageKeepsWhereTheAliasIsWritten() throws {
        let document = Self.parse("a: &x hello\nb: *x\n")
        let alias = try #require(document.root?.pairs?[1].value)
        #expect(alias.scalar?.value == "hello")
        #expect(alias.span.start.line == 1)
        #expect(alias.aliasSpan?.start.line == 2)
        #expect(alias.usageSpan.start.column == 4)
    }

    @Test func unknownAliasSyntaxErrorsAndSecondDocuments() {
        #expect(
            Self.parse("a: *nope\n").diagnostics.first?.message == "alias '*nope' refers to no anchor defined before it"
        )
        let syntax = Self.parse("a: \"open\nb: 1\n")
        #expect(syntax.hasSyntaxError)
        #expect(syntax.diagnostics.first?.id.name == "yaml-syntax")
        #expect(
            Self.parse("a: 1\n---\nb: 2\n").diagnostics.first?.message
                == "a pipeline file holds one YAML document, found a second")
    }

    @Test func invalidUTF8IsASyntaxErrorAtItsOffset() {
        let document = YAMLParser.parse(SourceFile(path: "t.yml", bytes: Array("a: b\nc: ".utf8) + [0xFF, 0x0A]))
        #expect(document.hasSyntaxError)
        #expect(document.diagnostics.first?.span.start.line == 2)
        #expect(document.diagnostics.first?.message.contains("0xff") == true)
    }
}
