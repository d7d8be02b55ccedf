import DevFlowGraph
import Foundation
import Testing

@testable import DevFlowLanguageServer

let pipeline = """
    version: 1
    name: demo
    on:
      push: {branches: [main]}
      manual:
        inputs:
          target: {type: string}
    secrets: [DEPLOY_TOKEN]
    env:
      GLOBAL: one
    agents:
      guard: {uses: security-guardian}
    policies:
      retry:
        transient: {attempts: 3}
      circuit_breakers:
        registry: {failure_rate: 50%, open_for: 1m}
    steps:
      build:
        name: Build it
        run: make
        outputs: [version]
        env:
          LOCAL: two
      test:
        needs: [build]
        run: make test
        matrix:
          os: [linux, macos]
          include:
            - os: linux
              extra: yes
      scan:
        needs: [test]
        agent: guard
        retry: transient
        circuit_breaker: registry

    """

let uri = "file:///work/demo/.devflow.yml"

/// A client with `text` open, its diagnostics published.
func opened(_ text: String, encodings: [String] = ["utf-16"], root: String? = nil) -> TestClient {
    let client = TestClient(root: root, encodings: encodings)
    client.open(uri, text)
    client.advance(0)
    return client
}

/// Completion labels at the `|` of `text`.
func complete(_ text: String) -> [String] {
    let (clean, line, character) = cursor(in: text)
    let client = TestClient()
    client.open(uri, pipeline)
    client.advance(0)
    client.notify(
        "textDocument/didChange",
        .object([
            "textDocument": .object(["uri": .string(uri), "version": .int(2)]),
            "contentChanges": .array([.object(["text": .string(clean)])]),
        ]))
    return client.completions(uri, line: line, character: character)
}

@Suite struct DiagnosticsTests {
    @Test func openingPublishesAtOnceAndChangesAreDebounced() throws {
        let client = opened("version: 1\nname: x\non: {push: {}}\nsteps:\n  a: {run: make, needs: [b]}\n")
        let first = try #require(client.published(uri))
        #expect(first["version"] == .int(1))
        let diagnostic = try #require(first["diagnostics"]?.items?.first)
        #expect(diagnostic["code"]?.text == "DF007")
        #expect(diagnostic["source"]?.text == "devflow")
        #expect(diagnostic["severity"] == .int(1))
        #expect(diagnostic["range"]?["start"] == .object(["line": .int(4), "character": .int(25)]))
        #expect(diagnostic["codeDescription"]?["href"]?.text?.hasSuffix("#df007-unknown-need") == true)

        let before = client.notifications.count
        client.notify(
            "textDocument/didChange",
            .object([
                "textDocument": .object(["uri": .string(uri), "version": .int(2)]),
                "contentChanges": .array([
                    .object([
                        "range": .object([
                            "start": .object(["line": .int(4), "character": .int(25)]),
                            "end": .object(["line": .int(4), "character": .int(26)]),
                        ]),
                        "text": .string("a2"),
                    ])
                ]),
            ]))
        client.advance(199)
        #expect(client.notifications.count == before)
        client.advance(1)
        let second = try #require(client.published(uri))
        #expect(second["version"] == .int(2))
        #expect(second["diagnostics"]?.items?.first?["message"]?.text?.contains("'a2'") == true)
    }

    @Test func labelsBecomeRelatedInformationAndNotesJoinTheMessage() throws {
        let client = opened(
            "version: 1\nname: x\non: {push: {}}\nsteps:\n  a: {run: make, needs: [b]}\n  b: {run: make, needs: [a]}\n")
        let cycle = try #require(
            client.published(uri)?["diagnostics"]?.items?.first { $0["code"]?.text == "DF009" })
        let related = try #require(cycle["relatedInformation"]?.items)
        #expect(!related.isEmpty)
        #expect(related.allSatisfy { $0["location"]?["uri"]?.text == uri })
    }

    @Test func aSyntaxErrorIsADiagnosticAndClosingClearsThem() throws {
        let client = opened("version: 1\nname: [x\n")
        #expect(client.published(uri)?["diagnostics"]?.items?.first?["code"]?.text == "DF001")
        client.notify("textDocument/didClose", .object(["textDocument": .object(["uri": .string(uri)])]))
        #expect(client.published(uri)?["diagnostics"] == .array([]))
    }

    @Test func theWorkspacesLintConfigurationApplies() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lsp-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "rules:\n  unknown-need: off\n".write(
            toFile: "\(root)/.devflow-lint.yml", atomically: true, encoding: .utf8)
        let client = TestClient(root: root)
        let file = "file://\(root)/.devflow.yml"
        client.open(file, "version: 1\nname: x\non: {push: {}}\nsteps:\n  a: {run: make, needs: [b]}\n")
        client.advance(0)
        #expect(client.published(file)?["diagnostics"] == .array([]))
        // A broken configuration is reported, and the defaults are used.
        try "rules: [\n".write(toFile: "\(root)/.devflow-lint.yml", atomically: true, encoding: .utf8)
        client.notify(
            "workspace/didChangeWatchedFiles",
            .object([
                "changes": .array([.object(["uri": .string("file://\(root)/.devflow-lint.yml"), "type": .int(2)])])
            ]))
        #expect(client.notifications.last?["method"]?.text == "window/showMessage")
        client.advance(0)
        #expect(client.published(file)?["diagnostics"]?.items?.first?["code"]?.text == "DF007")
    }
}

@Suite struct CompletionTests {
    @Test func topLevelKeysLeaveOutThoseWritten() {
        let labels = complete(pipeline.replacingOccurrences(of: "secrets: [DEPLOY_TOKEN]\n", with: "|\n"))
        #expect(labels.contains("secrets"))
        #expect(labels.contains("concurrency"))
        #expect(!labels.contains("steps"))
        #expect(!labels.contains("version"))
    }

    @Test func aStepsKeysComeFromTheGrammarWithTheirDocumentation() throws {
        let (text, line, character) = cursor(
            in: pipeline.replacingOccurrences(of: "    run: make\n", with: "    run: make\n    ti|\n"))
        let client = opened(text)
        let items = try #require(
            client.at("textDocument/completion", uri, line: line, character: character)["items"]?.items)
        let timeout = try #require(items.first { $0["label"]?.text == "timeout" })
        #expect(timeout["kind"] == .int(10))
        #expect(timeout["documentation"]?["value"]?.text?.isEmpty == false)
        #expect(timeout["textEdit"]?["newText"]?.text == "timeout: ")
        #expect(timeout["textEdit"]?["range"]?["start"] == .object(["line": .int(line), "character": .int(4)]))
        #expect(!items.contains { $0["label"]?.text == "run" })
    }

    @Test func needsOffersTheOtherSteps() {
        #expect(
            complete(pipeline.replacingOccurrences(of: "    needs: [test]\n", with: "    needs: [test, |]\n")) == [
                "build"
            ])
        let block = complete(pipeline.replacingOccurrences(of: "    needs: [test]\n", with: "    needs:\n      - |\n"))
        #expect(block == ["build", "test"])
    }

    @Test func agentRetryAndBreakerOfferWhatThePipelineDeclares() {
        let agents = complete(pipeline.replacingOccurrences(of: "    agent: guard\n", with: "    agent: |\n"))
        #expect(agents.first == "guard")
        #expect(agents.contains("style-enforcer"))
        #expect(
            complete(pipeline.replacingOccurrences(of: "    retry: transient\n", with: "    retry: |\n")) == [
                "transient", "none",
            ])
        #expect(
            complete(
                pipeline.replacingOccurrences(of: "    circuit_breaker: registry\n", with: "    circuit_breaker: r|\n"))
                == ["registry"])
    }

    @Test func closedSetsOfTheGrammarAreOffered() {
        let whenOpen = complete(pipeline.replacingOccurrences(of: "open_for: 1m}", with: "open_for: 1m, when_open: |}"))
        #expect(!whenOpen.isEmpty)
        let uses = complete(pipeline.replacingOccurrences(of: "{uses: security-guardian}", with: "\n    uses: |"))
        #expect(uses.contains("llm"))
        let boolean = complete(
            pipeline.replacingOccurrences(
                of: "    run: make test\n", with: "    run: make test\n    continue_on_error: |\n"))
        #expect(boolean == ["true", "false"])
    }

    @Test func matrixValuesAreOfferedInIncludeAndExclude() {
        let values = complete(pipeline.replacingOccurrences(of: "        - os: linux\n", with: "        - os: |\n"))
        #expect(values == ["linux", "macos"])
    }

    @Test func expressionsOfferContextsFunctionsAndProperties() {
        let roots = complete(pipeline.replacingOccurrences(of: "run: make test", with: "run: echo ${{ | }}"))
        #expect(roots.contains("steps"))
        #expect(roots.contains("format"))
        #expect(!roots.contains("success"), "status functions are for 'if:' only")
        let conditions = complete(
            pipeline.replacingOccurrences(of: "    run: make test\n", with: "    run: make test\n    if: |\n"))
        #expect(conditions.contains("success"))
        #expect(
            complete(pipeline.replacingOccurrences(of: "run: make test", with: "run: echo ${{ git.br| }}")) == [
                "base_branch", "branch",
            ])
        let pullRequest = complete(
            pipeline.replacingOccurrences(of: "run: make test", with: "run: echo ${{ event.pull_request.| }}"))
        #expect(pullRequest.contains("head_branch"))
    }

    @Test func stepsInExpressionsAreTheAncestorsAndTheirOutputs() {
        let scan = { (expression: String) in
            complete(
                pipeline.replacingOccurrences(
                    of: "    agent: guard\n", with: "    agent: guard\n    if: \(expression)\n"))
        }
        #expect(scan("steps.|") == ["build", "test"])
        #expect(scan("steps.build.|") == ["outputs", "outcome", "conclusion"])
        #expect(scan("steps.build.outputs.|") == ["version"])
        let inBuild = complete(pipeline.replacingOccurrences(of: "run: make\n", with: "run: echo ${{ steps.| }}\n"))
        #expect(inBuild.isEmpty, "build has no ancestors")
        let names = complete(
            pipeline.replacingOccurrences(of: "run: make\n", with: "run: echo ${{ env.| }} ${{ secrets.D }}\n"))
        #expect(names == ["LOCAL", "GLOBAL"])
        #expect(
            complete(pipeline.replacingOccurrences(of: "run: make\n", with: "run: echo ${{ secrets.| }}\n")) == [
                "DEPLOY_TOKEN"
            ])
        #expect(
            complete(pipeline.replacingOccurrences(of: "run: make\n", with: "run: echo ${{ inputs.| }}\n")) == [
                "target"
            ])
        #expect(
            complete(pipeline.replacingOccurrences(of: "run: make test", with: "run: echo ${{ matrix.| }}")) == [
                "os", "extra",
            ])
    }

    @Test func nothingIsOfferedInsideAScriptOrAComment() {
        #expect(
            complete(pipeline.replacingOccurrences(of: "    run: make test\n", with: "    run: >\n      make te|\n"))
                .isEmpty)
        #expect(complete(pipeline.replacingOccurrences(of: "name: demo", with: "name: demo # a nam|")).isEmpty)
    }
}

@Suite struct NavigationTests {
    func position(of needle: String, in text: String, plus: Int = 0) -> (Int, Int) {
        let (_, line, character) = cursor(in: text.replacingOccurrences(of: needle, with: "|" + needle))
        return (line, character + plus)
    }

    @Test func hoverOnAKeyShowsTheGrammarsDocumentation() throws {
        let client = opened(pipeline)
        let (line, character) = position(of: "circuit_breaker: registry", in: pipeline, plus: 2)
        let hover = client.at("textDocument/hover", uri, line: line, character: character)
        let text = try #require(hover["contents"]?["value"]?.text)
        #expect(text.hasPrefix("**`circuit_breaker`** · `steps.scan.circuit_breaker`"))
        #expect(hover["range"]?["start"] == .object(["line": .int(line), "character": .int(4)]))
    }

    @Test func hoverOnAReferenceDescribesWhatItNames() throws {
        let client = opened(pipeline)
        let (line, character) = position(of: "build]", in: pipeline, plus: 1)
        let text = try #require(
            client.at("textDocument/hover", uri, line: line, character: character)["contents"]?["value"]?.text)
        #expect(text.contains("**step `build`**: Build it"))
        #expect(text.contains("outputs `version`"))
    }

    @Test func hoverOnADiagnosticExplainsItsRule() throws {
        let text = pipeline.replacingOccurrences(of: "needs: [test]", with: "needs: [tset]")
        let client = opened(text)
        let (line, character) = position(of: "tset", in: text, plus: 1)
        let value = try #require(
            client.at("textDocument/hover", uri, line: line, character: character)["contents"]?["value"]?.text)
        #expect(value.contains("**DF007 unknown-need** (error)"))
    }

    @Test func definitionsOfStepsAgentsPoliciesBreakersAndOutputs() throws {
        let client = opened(pipeline)
        func definition(_ needle: String, plus: Int = 1) -> JSONValue? {
            let (line, character) = position(of: needle, in: pipeline, plus: plus)
            return client.at("textDocument/definition", uri, line: line, character: character)["range"]?["start"]
        }
        #expect(definition("build]") == .object(["line": .int(18), "character": .int(2)]))
        #expect(definition("guard\n") == .object(["line": .int(11), "character": .int(2)]))
        #expect(definition("transient\n") == .object(["line": .int(14), "character": .int(4)]))
        #expect(definition("registry\n") == .object(["line": .int(16), "character": .int(4)]))
        let withOutput = pipeline.replacingOccurrences(
            of: "    agent: guard\n", with: "    agent: guard\n    if: steps.build.outputs.version == '1'\n")
        let second = opened(withOutput)
        let (line, character) = position(of: "version ==", in: withOutput, plus: 2)
        #expect(
            second.at("textDocument/definition", uri, line: line, character: character)["range"]?["start"]
                == .object(["line": .int(21), "character": .int(14)]))
        let (stepLine, stepCharacter) = position(of: "build.outputs.version ==", in: withOutput, plus: 1)
        #expect(
            second.at("textDocument/definition", uri, line: stepLine, character: stepCharacter)["range"]?["start"]
                == .object(["line": .int(18), "character": .int(2)]))
    }

    @Test func symbolsAreTheAgentsPoliciesAndSteps() throws {
        let client = opened(pipeline)
        let symbols = try #require(
            client.request("textDocument/documentSymbol", .object(["textDocument": .object(["uri": .string(uri)])]))[
                "result"]?.items)
        #expect(symbols.compactMap { $0["name"]?.text } == ["agents", "policies", "steps"])
        let steps = try #require(symbols.last?["children"]?.items)
        #expect(steps.compactMap { $0["name"]?.text } == ["build", "test", "scan"])
        #expect(steps.first?["detail"]?.text == "Build it")
    }
}

@Suite struct CodeActionTests {
    @Test func fixItsAreQuickFixesAndTheSafeOnesOneFixAll() throws {
        let text =
            "version: 1\nname: fix\non: {push: {branches: [main]}}\nsteps:\n  build:\n    run: make\n    continue_on_error: \"true\"\n    timeout: 10 minutes\n"
        let client = opened(text)
        let response = client.request(
            "textDocument/codeAction",
            .object([
                "textDocument": .object(["uri": .string(uri)]),
                "range": .object([
                    "start": .object(["line": .int(0), "character": .int(0)]),
                    "end": .object(["line": .int(8), "character": .int(0)]),
                ]),
                "context": .object(["diagnostics": .array([])]),
            ]))
        let actions = try #require(response["result"]?.items)
        let quick = actions.filter { $0["kind"]?.text == "quickfix" }
        #expect(!quick.isEmpty)
        let fixAll = try #require(actions.first { $0["kind"]?.text == "source.fixAll.devflow" })
        let edits = try #require(fixAll["edit"]?["changes"]?[uri]?.items)
        var document = TextDocument(uri: uri, version: 1, text: text)
        for edit in edits.reversed() {
            document.apply(
                text: edit["newText"]!.text!,
                range: (LSPPosition(edit["range"]?["start"])!, LSPPosition(edit["range"]?["end"])!), encoding: .utf16)
        }
        let fixed = String(decoding: document.bytes, as: UTF8.self)
        #expect(fixed.contains("continue_on_error: true\n"))
        // The fixed text lints clean of fixable findings.
        let again = opened(fixed)
        let after = again.request(
            "textDocument/codeAction",
            .object([
                "textDocument": .object(["uri": .string(uri)]),
                "range": .object([
                    "start": .object(["line": .int(0), "character": .int(0)]),
                    "end": .object(["line": .int(9), "character": .int(0)]),
                ]),
                "context": .object(["diagnostics": .array([]), "only": .array([.string("source.fixAll")])]),
            ]))
        #expect(after["result"] == .array([]))
    }
}

@Suite struct ReferencesTests {
    func position(of needle: String, in text: String, plus: Int = 1) -> (Int, Int) {
        let (_, line, character) = cursor(in: text.replacingOccurrences(of: needle, with: "|" + needle))
        return (line, character + plus)
    }

    static let withExpressions = pipeline.replacingOccurrences(
        of: "    agent: guard\n", with: "    agent: guard\n    if: steps.build.outputs.version == 'steps.build'\n"
    ).replacingOccurrences(of: "run: make test", with: "run: echo steps.build ${{ steps.build.outcome }}")

    func request(_ client: TestClient, _ method: String, at needle: String, _ extra: [String: JSONValue] = [:])
        -> JSONValue
    {
        let (line, character) = position(of: needle, in: Self.withExpressions)
        var params: [String: JSONValue] = [
            "textDocument": .object(["uri": .string(uri)]),
            "position": .object(["line": .int(line), "character": .int(character)]),
        ]
        params.merge(extra) { _, new in new }
        return client.request(method, .object(params))
    }

    @Test func aStepsReferencesAreItsNeedsAndItsUsesInExpressionsOnly() throws {
        let client = opened(Self.withExpressions)
        let found = try #require(
            request(
                client, "textDocument/references", at: "build:",
                ["context": .object(["includeDeclaration": .bool(true)])])[
                    "result"]?.items)
        let lines = found.compactMap { $0["range"]?["start"]?["line"]?.integer }
        // The declaration, `needs: [build]`, `${{ steps.build.outcome }}` and the `if:`; not the plain text
        // `echo steps.build`, and not the string literal `'steps.build'` in the `if:`.
        #expect(lines == [18, 25, 26, 35])
    }

    @Test func renamingAStepRewritesItsDeclarationNeedsAndExpressions() throws {
        let client = opened(Self.withExpressions)
        let result = request(client, "textDocument/rename", at: "build]", ["newName": .string("compile")])
        let edits = try #require(result["result"]?["changes"]?[uri]?.items)
        var document = TextDocument(uri: uri, version: 1, text: Self.withExpressions)
        let sorted = edits.sorted {
            (LSPPosition($0["range"]?["start"])!.line, LSPPosition($0["range"]?["start"])!.character)
                > (LSPPosition($1["range"]?["start"])!.line, LSPPosition($1["range"]?["start"])!.character)
        }
        for edit in sorted {
            document.apply(
                text: edit["newText"]!.text!,
                range: (LSPPosition(edit["range"]?["start"])!, LSPPosition(edit["range"]?["end"])!), encoding: .utf16)
        }
        let renamed = String(decoding: document.bytes, as: UTF8.self)
        #expect(renamed.contains("  compile:\n"))
        #expect(renamed.contains("needs: [compile]"))
        #expect(renamed.contains("${{ steps.compile.outcome }}"))
        #expect(renamed.contains("if: steps.compile.outputs.version == 'steps.build'"))
        #expect(renamed.contains("echo steps.build "), "plain text is left alone")
        // The renamed pipeline lints as clean as before.
        let again = opened(renamed)
        #expect(again.published(uri)?["diagnostics"] == opened(Self.withExpressions).published(uri)?["diagnostics"])
    }

    @Test func renamingRefusesBadNamesTakenNamesAndEmptyPlaces() {
        let client = opened(Self.withExpressions)
        let bad = request(client, "textDocument/rename", at: "build]", ["newName": .string("9 lives")])
        #expect(bad["error"]?["code"] == .int(-32602))
        #expect(bad["error"]?["message"]?.text?.contains("is not a valid step name") == true)
        let taken = request(client, "textDocument/rename", at: "build]", ["newName": .string("test")])
        #expect(taken["error"]?["message"]?.text == "a step named 'test' already exists")
        let nothing = request(client, "textDocument/rename", at: "demo", ["newName": .string("x")])
        #expect(nothing["error"]?["message"]?.text?.hasPrefix("nothing to rename here") == true)
        let policy = request(client, "textDocument/rename", at: "transient\n", ["newName": .string("flaky")])
        #expect(policy["result"]?["changes"]?[uri]?.items?.count == 2)
        let breaker = request(client, "textDocument/references", at: "registry\n")
        #expect(breaker["result"]?.items?.count == 2)
    }
}
