import DevFlowGraph
import Foundation
import Testing

@testable import DevFlowLanguageServer

/// An edit runs shellcheck again only on the scripts it changed: the server keeps shellcheck's findings per script.
@Suite struct ShellCheckCacheTests {
    @Test func anEditChecksOnlyTheScriptsItChanged() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lsp-sc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A stand-in shellcheck: counts its calls, reads the script, reports one finding on its first line.
        let counter = directory.appendingPathComponent("calls").path
        let fake = directory.appendingPathComponent("shellcheck").path
        try """
        #!/bin/sh
        echo x >> '\(counter)'
        cat > /dev/null
        echo '{"comments":[{"line":1,"column":1,"endLine":1,"endColumn":2,"level":"warning","code":2086,"message":"Double quote."}]}'
        """.write(toFile: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake)
        func calls() -> Int {
            ((try? String(contentsOfFile: counter, encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        let client = TestClient(shellcheck: fake)
        let text = "version: 1\nname: x\non: {push: {}}\nsteps:\n  a: {run: echo a}\n  b: {run: echo b}\n"
        client.open(uri, text)
        client.advance(0)
        #expect(calls() == 2)
        #expect(client.published(uri)?["diagnostics"]?.items?.count == 2)
        // Editing the name: no script changed, no call.
        client.notify(
            "textDocument/didChange",
            .object([
                "textDocument": .object(["uri": .string(uri), "version": .int(2)]),
                "contentChanges": .array([
                    .object(["text": .string(text.replacingOccurrences(of: "name: x", with: "name: y"))])
                ]),
            ]))
        client.advance(1_000)
        #expect(calls() == 2)
        #expect(client.published(uri)?["diagnostics"]?.items?.count == 2)
        // Editing one script: one call.
        client.notify(
            "textDocument/didChange",
            .object([
                "textDocument": .object(["uri": .string(uri), "version": .int(3)]),
                "contentChanges": .array([
                    .object(["text": .string(text.replacingOccurrences(of: "echo b", with: "echo c"))])
                ]),
            ]))
        client.advance(1_000)
        #expect(calls() == 3)
        // The client can turn shellcheck off.
        let quiet = TestClient(shellcheck: fake, initializationOptions: ["shellcheck": .bool(false)])
        quiet.open(uri, text.replacingOccurrences(of: "echo a", with: "echo z"))
        quiet.advance(0)
        #expect(calls() == 3)
        #expect(quiet.published(uri)?["diagnostics"] == .array([]))
    }
}
