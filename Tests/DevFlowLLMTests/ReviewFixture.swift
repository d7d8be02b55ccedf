import ChatCompletionsTestServer
import DevFlowGit
import DevFlowGraph
import DevFlowLLM
import Foundation

/// Records the client's waits instead of sleeping.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var waits: [Double] = []

    var slept: [Double] { lock.withLock { waits } }

    var sleep: ChatCompletionsClient.Sleep {
        { [self] seconds in lock.withLock { waits.append(seconds) } }
    }
}

/// A workspace with one changed file, its diff, and a helper that runs the agent against a test server.
enum ReviewFixture {
    static let key = "sk-test-SECRET-0123456789"

    static let workspace: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("devflow-llm-\(UUID())").path
        try? FileManager.default.createDirectory(atPath: "\(directory)/app", withIntermediateDirectories: true)
        let text = "import os\n\ndef load(path):\n    return eval(open(path).read())\n\nprint(load('x'))\n"
        FileManager.default.createFile(atPath: "\(directory)/app/main.py", contents: Data(text.utf8))
        return directory
    }()

    /// Line 3 kept, line 4 replaces an old line 4.
    static let diff = GitFileDiff(
        change: GitChange(path: GitPath("app/main.py"), kind: .modified),
        hunks: [
            GitHunk(
                oldStart: 2, oldCount: 3, newStart: 2, newCount: 3, header: "@@ -2,3 +2,3 @@",
                addedLines: [GitDiffLine(number: 4, text: "    return eval(open(path).read())")],
                removedLines: [GitDiffLine(number: 4, text: "    return json.load(open(path))")])
        ])

    /// `{"findings": […], "summary": …}` with one finding per `(line, severity)`.
    static func answer(_ findings: [(line: Int, severity: String)], summary: String = "checked") -> String {
        let items = findings.map {
            #"{"rule":"unsafe-eval","severity":"\#($0.severity)","file":"app/main.py","line":\#($0.line),"message":"eval of file content"}"#
        }
        return #"{"findings":[\#(items.joined(separator: ","))],"summary":"\#(summary)"}"#
    }

    static func run(
        _ server: ChatCompletionsServer, _ inputs: [String: JSONValue] = [:], ledger: TokenLedger = TokenLedger(),
        sleeps: SleepRecorder = SleepRecorder()
    ) async -> LLMReviewResult {
        var all: [String: JSONValue] = [
            "endpoint": .string(server.endpoint), "model": .string("test-model"), "api_key": .string(key),
        ]
        for (name, value) in inputs { all[name] = value }
        return await LLMReviewAgent(sleep: sleeps.sleep).run(
            inputs: all, environment: [:], workspace: workspace, ledger: ledger
        ) { [diff] }
    }
}

/// Literal inputs in tests (`["max_retries": 1]`).
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral
{
    /// `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// `.number`.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// `.number`.
    public init(floatLiteral value: Double) { self = .number(value) }
}
