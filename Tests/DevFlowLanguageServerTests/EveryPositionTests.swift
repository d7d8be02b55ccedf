import DevFlowGraph
import DevFlowTestSupport
import Foundation
import Testing

@testable import DevFlowLanguageServer

/// Every request at every third position of every pipeline in the repository, and of those pipelines cut short at every
/// line (as they are while being typed): each answers with a result, never an error, and never crashes.
@Suite struct EveryPositionTests {
    static let files = ([".devflow.yml"] + Repository.files(under: "pipelines").map { "pipelines/" + $0 }).map {
        Repository.path($0)
    }

    @Test(arguments: files)
    func everyPositionAnswers(_ path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let client = opened(text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (line, content) in lines.enumerated() {
            for character in stride(from: 0, through: content.utf16.count + 1, by: 3) {
                for method in ["textDocument/completion", "textDocument/hover", "textDocument/definition"] {
                    let response = client.request(
                        method,
                        .object([
                            "textDocument": .object(["uri": .string(uri)]),
                            "position": .object(["line": .int(line), "character": .int(character)]),
                        ]))
                    #expect(response["error"] == nil, "\(method) at \(line):\(character) of \(path)")
                }
            }
        }
    }

    @Test(arguments: files)
    func aPipelineCutShortAtEveryLineStillAnswers(_ path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let client = opened(text)
        // Every third line keeps the debug-build suite quick; the cuts still land in every kind of line.
        for cut in stride(from: 0, to: lines.count, by: 3) {
            let partial = lines[0..<cut].joined(separator: "\n") + "\n" + lines[cut].prefix(lines[cut].count / 2)
            client.notify(
                "textDocument/didChange",
                .object([
                    "textDocument": .object(["uri": .string(uri), "version": .int(cut + 2)]),
                    "contentChanges": .array([.object(["text": .string(partial)])]),
                ]))
            let end = (line: cut, character: lines[cut].prefix(lines[cut].count / 2).utf16.count)
            for method in ["textDocument/completion", "textDocument/hover", "textDocument/codeAction"] {
                let position = JSONValue.object(["line": .int(end.line), "character": .int(end.character)])
                let response = client.request(
                    method,
                    .object([
                        "textDocument": .object(["uri": .string(uri)]), "position": position,
                        "range": .object(["start": position, "end": position]),
                        "context": .object(["diagnostics": .array([])]),
                    ]))
                #expect(response["error"] == nil, "\(method) at the end of \(cut) lines of \(path)")
            }
            client.advance(1_000)
            #expect(client.published(uri)?["version"] == .int(cut + 2))
        }
    }
}
