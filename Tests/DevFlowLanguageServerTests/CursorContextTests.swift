import Testing

@testable import DevFlowLanguageServer

@Suite struct CursorContextTests {
    func context(_ text: String) -> CursorContext {
        let (clean, line, character) = cursor(in: text)
        let document = TextDocument(uri: "u", version: 1, text: clean)
        let offset = document.offset(of: LSPPosition(line: line, character: character), encoding: .utf16)
        let (byteLine, column) = document.lineAndColumn(of: offset)
        return CursorContext.at(line: byteLine, column: column, in: document)
    }

    @Test func keysInNestedMappingsAndListItems() {
        let step = context("steps:\n  build:\n    run: make\n    ti|\n")
        #expect(step.path == ["steps", "build"])
        #expect(step.kind == .key(siblings: ["run"]))
        let item = context("steps:\n  t:\n    matrix:\n      os: [a]\n      include:\n        - os: a\n          ex|\n")
        #expect(item.path == ["steps", "t", "matrix", "include", "[]"])
        #expect(item.kind == .key(siblings: ["os"]))
        // A list whose dashes sit at its key's own indentation.
        let flush = context("steps:\n  t:\n    needs:\n    - a\n    - |\n")
        #expect(flush.path == ["steps", "t", "needs"])
        #expect(flush.kind == .listItem)
    }

    @Test func valuesInFlowCollections() {
        let need = context("steps:\n  t: {run: x, needs: [a, |]}\n")
        #expect(need.path == ["steps", "t", "needs"])
        #expect(need.kind == .value(listed: ["a"]))
        let key = context("policies:\n  retry:\n    r: {attempts: 3, backoff: {initial: 1s, fa|}}\n")
        #expect(key.path == ["policies", "retry", "r", "backoff"])
        #expect(key.kind == .key(siblings: ["initial"]))
        let value = context("on: {push: {branches: [main]}, pull_request: {types: [op|\n")
        #expect(value.path == ["on", "pull_request", "types"])
        #expect(value.kind == .value(listed: []))
    }

    @Test func quotedKeysCommentsAndDocumentMarkersAreRead() {
        let shape = LineShape(Array(#"  "on": {push: {}} # trigger"#.utf8))
        #expect(shape.key == "on")
        #expect(shape.keyRange == 2..<6)
        #expect(shape.value == "{push: {}}")
        #expect(LineShape(Array("---".utf8)).isBlank)
        #expect(LineShape(Array("  # only a comment".utf8)).isBlank)
        #expect(LineShape(Array("  run: echo a:b".utf8)).key == "run")
        #expect(LineShape(Array("  - a: 1".utf8)).dashes == [2])
        let rooted = context("---\nversion: 1\n|\n")
        #expect(rooted.path.isEmpty)
        #expect(rooted.kind == .key(siblings: ["version"]))
    }

    @Test func expressionsAreFoundInRunTextAndInConditions() {
        let run = context("steps:\n  a:\n    run: echo ${{ steps.b.outputs.| }}\n")
        #expect(run.kind == .expression(" steps.b.outputs."))
        #expect(run.word == "steps.b.outputs.")
        #expect(run.path == ["steps", "a", "run"])
        let closed = context("steps:\n  a:\n    run: echo ${{ x }} and |\n")
        #expect(closed.kind == .value(listed: []))
        let condition = context("steps:\n  a:\n    if: git.|\n")
        #expect(condition.kind == .expression(" git."))
        let script = context("steps:\n  a:\n    run: >\n      make && ${{ git.| }}\n")
        #expect(script.word == "git.")
    }
}
