import DevFlowGraph
import Testing

@testable import DevFlowLanguageServer

@Suite struct FramingTests {
    @Test func messagesSplitAcrossReadsAndJoinedInOneReadAreBothFound() throws {
        let one = MessageFramer.frame(.object(["a": .int(1)]))
        let two = MessageFramer.frame(.object(["b": .string("é")]))
        var framer = MessageFramer()
        framer.append(one.prefix(7))
        #expect(try framer.next() == nil)
        framer.append(one.dropFirst(7) + two)
        #expect(try framer.next() == Array(#"{"a":1}"#.utf8))
        #expect(try framer.next() == Array(#"{"b":"é"}"#.utf8))
        #expect(try framer.next() == nil)
    }

    @Test func headerNamesAreCaseInsensitiveAndOtherHeadersAreAllowed() throws {
        var framer = MessageFramer()
        framer.append(
            Array("content-type: application/vscode-jsonrpc; charset=utf-8\r\nCONTENT-LENGTH: 2\r\n\r\n{}".utf8))
        #expect(try framer.next() == Array("{}".utf8))
    }

    @Test func aFrameWithoutALengthOrWithABadOneIsAProblemThatSaysSo() {
        var missing = MessageFramer()
        missing.append(Array("Content-Type: x\r\n\r\n{}".utf8))
        #expect(throws: MessageFramer.Problem(description: "a message without a Content-Length header")) {
            try missing.next()
        }
        var bad = MessageFramer()
        bad.append(Array("Content-Length: -3\r\n\r\n".utf8))
        #expect(throws: MessageFramer.Problem(description: "Content-Length '-3' is not a byte count")) {
            try bad.next()
        }
        var huge = MessageFramer()
        huge.append(Array("Content-Length: 999999999999\r\n\r\n".utf8))
        #expect(throws: MessageFramer.Problem.self) { try huge.next() }
    }
}

@Suite struct LifecycleTests {
    @Test func requestsBeforeInitializeAreRefusedWithTheProtocolsCode() {
        let server = LanguageServer(shellcheck: nil)
        let out = server.handle(
            Array(#"{"jsonrpc":"2.0","id":7,"method":"textDocument/hover","params":{}}"#.utf8), now: 0)
        #expect(out.first?["id"] == .int(7))
        #expect(out.first?["error"]?["code"] == .int(-32002))
    }

    @Test func initializeNegotiatesUTF8WhenTheClientOffersIt() {
        let client = TestClient(encodings: ["utf-8", "utf-16"])
        #expect(client.server.encoding == .utf8)
        let plain = TestClient(encodings: [])
        #expect(plain.server.encoding == .utf16)
    }

    @Test func theCapabilitiesNameEveryFeature() {
        let server = LanguageServer(shellcheck: nil)
        let out = server.handle(
            Array(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#.utf8), now: 0)
        let capabilities = out.first?["result"]?["capabilities"]
        #expect(capabilities?["positionEncoding"]?.text == "utf-16")
        #expect(capabilities?["textDocumentSync"]?["change"] == .int(2))
        for feature in [
            "hoverProvider", "definitionProvider", "documentSymbolProvider", "referencesProvider", "renameProvider",
        ] {
            #expect(capabilities?[feature] == .bool(true), "\(feature)")
        }
        #expect(capabilities?["completionProvider"]?["triggerCharacters"]?.items?.contains(.string(".")) == true)
        #expect(capabilities?["codeActionProvider"]?["codeActionKinds"]?.items?.count == 2)
        #expect(out.first?["result"]?["serverInfo"]?["name"]?.text == "devflow")
    }

    @Test func badMessagesGetTheRightErrorAndTheServerGoesOn() {
        let client = TestClient()
        #expect(client.sendRaw("{not json").first?["error"]?["code"] == .int(-32700))
        #expect(client.sendRaw("[1]").first?["error"]?["code"] == .int(-32600))
        #expect(
            client.sendRaw(#"{"jsonrpc":"2.0","id":{"x":1},"method":"a"}"#).first?["error"]?["code"] == .int(-32600))
        let unknown = client.request("textDocument/formatting", .object([:]))
        #expect(unknown["error"]?["code"] == .int(-32601))
        #expect(unknown["error"]?["message"]?.text == "'textDocument/formatting' is not supported")
        let closed = client.at("textDocument/hover", "file:///nowhere.yml", line: 0, character: 0)
        #expect(closed == .null)
        let notOpen = client.request(
            "textDocument/hover",
            .object([
                "textDocument": .object(["uri": .string("file:///nowhere.yml")]),
                "position": .object(["line": .int(0), "character": .int(0)]),
            ]))
        #expect(notOpen["error"]?["code"] == .int(-32602))
        #expect(notOpen["error"]?["message"]?.text?.contains("send textDocument/didOpen first") == true)
        let badPosition = client.request(
            "textDocument/hover",
            .object(["textDocument": .object(["uri": .string("file:///nowhere.yml")])]))
        #expect(badPosition["error"]?["code"] == .int(-32602))
        // Still answering.
        #expect(client.request("shutdown", .null)["result"] == .null)
    }

    @Test func shutdownThenExitIsCodeZeroAndExitAloneIsOne() {
        let client = TestClient()
        #expect(client.request("shutdown", .null)["error"] == nil)
        #expect(client.request("textDocument/hover", .object([:]))["error"]?["code"] == .int(-32600))
        client.notify("exit", .null)
        #expect(client.server.exitCode == 0)
        let abrupt = TestClient()
        abrupt.notify("exit", .null)
        #expect(abrupt.server.exitCode == 1)
    }
}

@Suite struct TextDocumentTests {
    @Test func positionsCountTheNegotiatedUnits() {
        let document = TextDocument(uri: "u", version: 1, text: "a: é😀x\nb: 1\n")
        // 'x' is after "a: " (3), é (2 bytes, 1 UTF-16 unit), 😀 (4 bytes, 2 UTF-16 units, 1 scalar).
        let x = 3 + 2 + 4
        #expect(document.offset(of: LSPPosition(line: 0, character: 6), encoding: .utf16) == x)
        #expect(document.offset(of: LSPPosition(line: 0, character: 9), encoding: .utf8) == x)
        #expect(document.offset(of: LSPPosition(line: 0, character: 5), encoding: .utf32) == x)
        #expect(document.position(of: x, encoding: .utf16) == LSPPosition(line: 0, character: 6))
        #expect(document.position(of: x, encoding: .utf32) == LSPPosition(line: 0, character: 5))
        // Inside a surrogate pair: never splits the scalar.
        #expect(document.offset(of: LSPPosition(line: 0, character: 5), encoding: .utf16) == 5)
    }

    @Test func aCharacterPastTheLineEndIsTheLineEndAndCRLFIsNeverSplit() {
        let document = TextDocument(uri: "u", version: 1, text: "ab\r\ncd")
        #expect(document.offset(of: LSPPosition(line: 0, character: 40), encoding: .utf16) == 2)
        #expect(document.offset(of: LSPPosition(line: 1, character: 1), encoding: .utf16) == 5)
        #expect(document.offset(of: LSPPosition(line: 9, character: 0), encoding: .utf16) == 6)
    }

    @Test func incrementalChangesGiveTheSameTextAsAFullReplacement() {
        var document = TextDocument(uri: "u", version: 1, text: "steps:\n  a:\n    run: make\n")
        document.apply(
            text: "build", range: (LSPPosition(line: 1, character: 2), LSPPosition(line: 1, character: 3)),
            encoding: .utf16)
        document.apply(
            text: "\n    needs: [x]", range: (LSPPosition(line: 2, character: 13), LSPPosition(line: 2, character: 13)),
            encoding: .utf16)
        #expect(String(decoding: document.bytes, as: UTF8.self) == "steps:\n  build:\n    run: make\n    needs: [x]\n")
        document.apply(text: "x", range: nil, encoding: .utf16)
        #expect(document.bytes == Array("x".utf8))
        #expect(document.lineCount == 1)
    }
}
