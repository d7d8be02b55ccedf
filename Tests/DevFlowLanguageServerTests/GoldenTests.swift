import DevFlowGraph
import DevFlowTestSupport
import Testing

@testable import DevFlowLanguageServer

/// What an editor shows a user, as golden files: hovers and completion lists at chosen places of the demo pipeline.
@Suite struct LanguageServerGoldenTests {
    /// Places to look, as (what, the text before which the cursor sits, bytes after its start).
    static let places: [(String, String, Int)] = [
        ("hover on the step key outputs", "outputs: [version]", 2),
        ("hover on 'retry'", "retry: transient", 1), ("hover on 'matrix'", "matrix:", 1),
        ("hover on a need", "test]", 1), ("hover on an agent reference", "guard\n", 1),
    ]

    @Test func hoversAreGolden() {
        let client = opened(pipeline)
        var out = ""
        for (what, needle, plus) in Self.places {
            let (_, line, character) = cursor(in: pipeline.replacingOccurrences(of: needle, with: "|" + needle))
            let hover = client.at("textDocument/hover", uri, line: line, character: character + plus)
            out += "## \(what) (\(line):\(character + plus))\n\n\(hover["contents"]?["value"]?.text ?? "(none)")\n\n"
        }
        let mismatch = Golden.mismatch(
            out, path: Repository.path("Tests/DevFlowLanguageServerTests/Snapshots/hovers.md"))
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test func completionListsAreGolden() {
        let cases: [(String, String)] = [
            ("a step's keys", pipeline.replacingOccurrences(of: "    run: make\n", with: "    run: make\n    |\n")),
            (
                "an expression's roots in 'run'",
                pipeline.replacingOccurrences(of: "run: make test", with: "run: ${{ | }}")
            ),
            ("a retry policy's keys", pipeline.replacingOccurrences(of: "{attempts: 3}", with: "{attempts: 3, |}")),
            ("event", pipeline.replacingOccurrences(of: "run: make test", with: "run: ${{ event.| }}")),
        ]
        var out = ""
        for (what, text) in cases {
            let (clean, line, character) = cursor(in: text)
            let client = opened(clean)
            let items =
                client.at("textDocument/completion", uri, line: line, character: character)["items"]?.items ?? []
            out += "## \(what)\n\n"
            for item in items {
                out += "- \(item["label"]?.text ?? "") (kind \(item["kind"]?.integer ?? 0))"
                if let detail = item["detail"]?.text { out += ": \(detail)" }
                out += "\n"
            }
            out += "\n"
        }
        let mismatch = Golden.mismatch(
            out, path: Repository.path("Tests/DevFlowLanguageServerTests/Snapshots/completions.md"))
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }
}
