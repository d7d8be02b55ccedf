import DevFlowCompiler
import DevFlowDiagnostics
import DevFlowGraph
import DevFlowLint
import Foundation

/// `devflow lsp`: a Language Server Protocol 3.17 server for pipelines, driven one message at a time.
///
/// It holds no thread and no clock: `handle` answers one message, and `due` publishes the diagnostics whose debounce
/// has passed, so the transport (or a test) decides when time moves.
public final class LanguageServer {
    /// Settings a client may give in `initializationOptions`.
    public struct Options: Sendable {
        /// How long after the last change a document is linted again.
        public var debounceMilliseconds: UInt64 = 200

        /// The defaults.
        public init() {}
    }

    enum Phase { case uninitialized, running, shuttingDown }

    struct Analysis {
        var version: Int
        var diagnostics: [Diagnostic]
        var facts: PipelineFacts?
    }

    var phase = Phase.uninitialized
    var options: Options
    var encoding = PositionEncoding.utf16
    var root: String?
    var configuration = LintConfiguration()
    let shellcheck: String?
    /// shellcheck's findings by script for the whole session: an edit re-checks only the scripts it changed.
    let shellcheckCache = ShellCheckRule.Cache()
    /// False when the client turned shellcheck off (`initializationOptions.shellcheck`).
    var shellcheckEnabled = true
    var documents: [String: TextDocument] = [:]
    var analyses: [String: Analysis] = [:]
    var lastFacts: [String: PipelineFacts] = [:]
    var deadlines: [String: UInt64] = [:]

    /// The exit code, once the client sent `exit` (0 after `shutdown`, 1 without it).
    public private(set) var exitCode: Int32?

    /// Creates a server; `shellcheck` is the executable for DF… shellcheck findings, nil to leave them out.
    public init(options: Options = Options(), shellcheck: String? = ShellCheckRule.locate()) {
        self.options = options
        self.shellcheck = shellcheck
    }

    /// When the next debounced lint is due, if one is pending.
    public var nextDeadline: UInt64? { deadlines.values.min() }

    /// Answers one message body: the responses and notifications to send, in order.
    public func handle(_ body: [UInt8], now: UInt64) -> [JSONValue] {
        switch RPCMessage.read(body) {
        case .failure(let error): return [error.response]
        case .success(.response): return []
        case .success(.notification(let method, let params)): return notify(method, params, now: now)
        case .success(.request(let id, let method, let params)):
            switch request(method, params) {
            case .success(let result): return [RPC.response(id: id, result: result)]
            case .failure(var error):
                error.id = id
                return [error.response]
            }
        }
    }

    /// Lints the documents whose debounce has passed and returns their `publishDiagnostics`.
    public func due(now: UInt64) -> [JSONValue] {
        let ready = deadlines.filter { $0.value <= now }.map(\.key).sorted()
        return ready.compactMap { uri in
            deadlines[uri] = nil
            return publish(uri)
        }
    }

    // MARK: Requests

    func request(_ method: String, _ params: JSONValue) -> Result<JSONValue, RPCError> {
        switch phase {
        case .uninitialized where method != "initialize":
            return .failure(RPCError(code: .serverNotInitialized, message: "send 'initialize' first"))
        case .running where method == "initialize", .shuttingDown where method == "initialize":
            return .failure(RPCError(code: .invalidRequest, message: "the server is already initialized"))
        case .shuttingDown:
            return .failure(RPCError(code: .invalidRequest, message: "the server is shutting down; send 'exit'"))
        default: break
        }
        switch method {
        case "initialize": return .success(initialize(params))
        case "shutdown":
            phase = .shuttingDown
            return .success(.null)
        case "textDocument/completion":
            return located(params).map { document, offset in
                let (line, column) = document.lineAndColumn(of: offset)
                let context = CursorContext.at(line: line, column: column, in: document)
                let completion = Completion(context: context, facts: facts(document.uri))
                return completion.json(document: document, line: line, cursorOffset: offset, encoding: encoding)
            }
        case "textDocument/hover":
            return located(params).map { document, offset in navigation(document).hover(at: offset) }
        case "textDocument/definition":
            return located(params).map { document, offset in
                navigation(document).definition(at: offset, uri: document.uri)
            }
        case "textDocument/references":
            return located(params).map { document, offset in
                references(document).locations(
                    at: offset, includeDeclaration: params["context"]?["includeDeclaration"]?.boolean ?? true)
            }
        case "textDocument/rename":
            return located(params).flatMap { document, offset in
                guard let newName = params["newName"]?.text else {
                    return .failure(RPCError(code: .invalidParams, message: "'newName' is missing"))
                }
                return references(document).rename(at: offset, to: newName)
            }
        case "textDocument/documentSymbol":
            return openDocument(params).map { navigation($0).symbols() }
        case "textDocument/codeAction":
            return openDocument(params).flatMap { document in
                guard let start = LSPPosition(params["range"]?["start"]), let end = LSPPosition(params["range"]?["end"])
                else { return .failure(RPCError(code: .invalidParams, message: "'range' needs 'start' and 'end'")) }
                let lower = document.offset(of: start, encoding: encoding)
                let range = lower..<max(lower, document.offset(of: end, encoding: encoding))
                let only = params["context"]?["only"]?.items?.compactMap(\.text)
                let json = DiagnosticsJSON(document: document, encoding: encoding)
                return .success(json.codeActions(analysis(document.uri).diagnostics, in: range, only: only))
            }
        default:
            return .failure(
                RPCError(code: .methodNotFound, message: "'\(MessageText.oneLine(method))' is not supported"))
        }
    }

    func initialize(_ params: JSONValue) -> JSONValue {
        phase = .running
        let offered = params["capabilities"]?["general"]?["positionEncodings"]?.items?.compactMap(\.text) ?? []
        encoding = offered.contains("utf-8") ? .utf8 : offered.contains("utf-32") ? .utf32 : .utf16
        if let debounce = params["initializationOptions"]?["debounceMilliseconds"]?.integer, debounce >= 0 {
            options.debounceMilliseconds = UInt64(debounce)
        }
        if params["initializationOptions"]?["shellcheck"]?.boolean == false { shellcheckEnabled = false }
        let rootURI = params["workspaceFolders"]?.items?.first?["uri"]?.text ?? params["rootUri"]?.text
        root = rootURI.flatMap(Self.path(fromURI:)) ?? params["rootPath"]?.text
        loadConfiguration()
        return .object([
            "capabilities": .object([
                "positionEncoding": .string(encoding.rawValue),
                "textDocumentSync": .object([
                    "openClose": .bool(true), "change": .int(2), "save": .object(["includeText": .bool(false)]),
                ]),
                "completionProvider": .object([
                    "triggerCharacters": .array([".", "[", ",", " "].map(JSONValue.string)),
                    "resolveProvider": .bool(false),
                ]),
                "hoverProvider": .bool(true), "definitionProvider": .bool(true), "referencesProvider": .bool(true),
                "renameProvider": .bool(true),
                "documentSymbolProvider": .bool(true),
                "codeActionProvider": .object([
                    "codeActionKinds": .array([.string("quickfix"), .string("source.fixAll.devflow")])
                ]),
            ]),
            "serverInfo": .object(["name": .string("devflow"), "version": .string(DevFlowVersion.current)]),
        ])
    }

    // MARK: Notifications

    var configurationMessage: String?

    func notify(_ method: String, _ params: JSONValue, now: UInt64) -> [JSONValue] {
        if method == "exit" {
            exitCode = phase == .shuttingDown ? 0 : 1
            return []
        }
        guard phase == .running else { return [] }
        var out: [JSONValue] = []
        switch method {
        case "initialized":
            if let message = configurationMessage {
                out.append(
                    RPC.notification("window/showMessage", .object(["type": .int(2), "message": .string(message)])))
            }
        case "textDocument/didOpen":
            let item = params["textDocument"]
            guard let uri = item?["uri"]?.text, let text = item?["text"]?.text else { break }
            documents[uri] = TextDocument(uri: uri, version: item?["version"]?.integer ?? 0, text: text)
            analyses[uri] = nil
            deadlines[uri] = now
            if isConfiguration(uri) { out += reloadConfiguration(now: now) }
        case "textDocument/didChange":
            guard let uri = params["textDocument"]?["uri"]?.text, var document = documents[uri] else { break }
            for change in params["contentChanges"]?.items ?? [] {
                guard let text = change["text"]?.text else { continue }
                var range: (LSPPosition, LSPPosition)?
                if let start = LSPPosition(change["range"]?["start"]), let end = LSPPosition(change["range"]?["end"]) {
                    range = (start, end)
                }
                document.apply(text: text, range: range, encoding: encoding)
            }
            document.version = params["textDocument"]?["version"]?.integer ?? document.version + 1
            documents[uri] = document
            deadlines[uri] = now + options.debounceMilliseconds
        case "textDocument/didSave":
            guard let uri = params["textDocument"]?["uri"]?.text else { break }
            if isConfiguration(uri) { out += reloadConfiguration(now: now) }
            if documents[uri] != nil { deadlines[uri] = now }
        case "textDocument/didClose":
            guard let uri = params["textDocument"]?["uri"]?.text, documents.removeValue(forKey: uri) != nil else {
                break
            }
            analyses[uri] = nil
            lastFacts[uri] = nil
            deadlines[uri] = nil
            out.append(
                RPC.notification(
                    "textDocument/publishDiagnostics", .object(["uri": .string(uri), "diagnostics": .array([])])))
        case "workspace/didChangeWatchedFiles":
            let uris = params["changes"]?.items?.compactMap { $0["uri"]?.text } ?? []
            if uris.contains(where: isConfiguration) { out += reloadConfiguration(now: now) }
        default: break
        }
        return out
    }

    // MARK: Analysis

    /// The path diagnostics carry: relative to the workspace when inside it, as `devflow-lint` prints it.
    func displayPath(_ uri: String) -> String {
        guard let path = Self.path(fromURI: uri) else { return uri }
        if let root, path.hasPrefix(root.hasSuffix("/") ? root : root + "/") {
            return String(path.dropFirst(root.hasSuffix("/") ? root.count : root.count + 1))
        }
        return path
    }

    func analysis(_ uri: String) -> Analysis {
        guard let document = documents[uri] else { return Analysis(version: 0, diagnostics: [], facts: nil) }
        if let cached = analyses[uri], cached.version == document.version { return cached }
        let path = displayPath(uri)
        let source = SourceFile(path: path, bytes: document.bytes)
        let ignored = GlobList(configuration.ignorePaths)
        var result = Analysis(version: document.version, diagnostics: [], facts: nil)
        // The lint configuration is not a pipeline; its problems come as a message.
        if !isConfiguration(uri), ignored.isEmpty || !ignored.matches(path) {
            var linter = Linter(configuration: configuration, shellcheck: shellcheckEnabled ? shellcheck : nil)
            linter.shellcheckCache = shellcheckCache
            let linted = linter.lint(source)
            result.diagnostics = linted.diagnostics.filter { $0.span.file == path }
            if let pipeline = linted.compilation.pipeline {
                result.facts = PipelineFacts(pipeline)
                lastFacts[uri] = result.facts
            }
        }
        analyses[uri] = result
        return result
    }

    /// The pipeline's names for completion: the latest analysis that decoded, so typing a broken line keeps them.
    func facts(_ uri: String) -> PipelineFacts {
        if let current = analyses[uri], current.version == documents[uri]?.version, let facts = current.facts {
            return facts
        }
        if lastFacts[uri] == nil { _ = analysis(uri) }
        return lastFacts[uri] ?? PipelineFacts()
    }

    /// The current analysis, and the names of the latest version that decoded (the current one when it did:
    /// `analysis` records its facts in `lastFacts`).
    func analysisWithFacts(_ uri: String) -> (Analysis, PipelineFacts) {
        let current = analysis(uri)
        return (current, lastFacts[uri] ?? PipelineFacts())
    }

    func navigation(_ document: TextDocument) -> Navigation {
        let (current, facts) = analysisWithFacts(document.uri)
        return Navigation(document: document, facts: facts, diagnostics: current.diagnostics, encoding: encoding)
    }

    func references(_ document: TextDocument) -> References {
        References(document: document, facts: analysisWithFacts(document.uri).1, encoding: encoding)
    }

    func publish(_ uri: String) -> JSONValue? {
        guard let document = documents[uri] else { return nil }
        let current = analysis(uri)
        let json = DiagnosticsJSON(document: document, encoding: encoding)
        return RPC.notification(
            "textDocument/publishDiagnostics",
            .object([
                "uri": .string(uri), "version": .int(document.version),
                "diagnostics": .array(current.diagnostics.map(json.diagnostic)),
            ]))
    }

    func openDocument(_ params: JSONValue) -> Result<TextDocument, RPCError> {
        guard let uri = params["textDocument"]?["uri"]?.text else {
            return .failure(RPCError(code: .invalidParams, message: "'textDocument.uri' is missing"))
        }
        guard let document = documents[uri] else {
            return .failure(
                RPCError(
                    code: .invalidParams,
                    message: "'\(MessageText.oneLine(uri))' is not open; send textDocument/didOpen first"))
        }
        return .success(document)
    }

    func located(_ params: JSONValue) -> Result<(TextDocument, Int), RPCError> {
        openDocument(params).flatMap { document in
            guard let position = LSPPosition(params["position"]) else {
                return .failure(
                    RPCError(code: .invalidParams, message: "'position' needs a 'line' and a 'character' of 0 or more"))
            }
            return .success((document, document.offset(of: position, encoding: encoding)))
        }
    }

    // MARK: Configuration

    func isConfiguration(_ uri: String) -> Bool {
        guard let path = Self.path(fromURI: uri), let root else { return false }
        return LintConfiguration.fileNames.contains { path == (root as NSString).appendingPathComponent($0) }
    }

    /// Reads `.devflow-lint.yml` of the workspace; a bad one is reported and the defaults are used.
    @discardableResult
    func loadConfiguration() -> String? {
        configuration = LintConfiguration()
        configurationMessage = nil
        guard let root,
            let name = LintConfiguration.fileNames.first(where: {
                FileManager.default.fileExists(atPath: "\(root)/\($0)")
            }),
            let data = FileManager.default.contents(atPath: "\(root)/\(name)")
        else { return nil }
        do throws(LintConfiguration.Problem) {
            configuration = try LintConfiguration.parse(SourceFile(path: name, bytes: Array(data)), rules: Linter.rules)
        } catch {
            configurationMessage = "\(name): \(error.description); linting with the default configuration"
        }
        return configurationMessage
    }

    func reloadConfiguration(now: UInt64) -> [JSONValue] {
        loadConfiguration()
        analyses.removeAll()
        for uri in documents.keys { deadlines[uri] = now }
        guard let message = configurationMessage else { return [] }
        return [RPC.notification("window/showMessage", .object(["type": .int(2), "message": .string(message)]))]
    }

    /// The file path of a `file:` URI, percent-decoded; nil for other schemes.
    static func path(fromURI uri: String) -> String? {
        guard uri.hasPrefix("file://") else { return nil }
        var rest = String(uri.dropFirst("file://".count))
        if !rest.hasPrefix("/"), let slash = rest.firstIndex(of: "/") { rest = String(rest[slash...]) }
        return rest.removingPercentEncoding ?? rest
    }
}
