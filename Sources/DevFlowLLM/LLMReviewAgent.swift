import AsyncHTTPClient
import DevFlowAgents
import DevFlowGit
import DevFlowGraph
import Foundation

/// What one call of the llm agent answers, in the shape of the agent protocol.
public struct LLMReviewResult: Sendable {
    /// `success`, `failure` (a finding at or above `fail_on`) or `error`.
    public var status: String
    /// With `error`: the `LLMFailure.Kind` raw value (`rate_limited`, `budget_exceeded`…).
    public var errorKind: String?
    /// A server's `Retry-After`, in seconds, for the runner's retry.
    public var retryAfter: Double?
    /// Validated findings on lines the model was shown.
    public var findings: [Finding]
    /// Markdown for people; its first line is the step's message when it did not succeed. Never holds the key.
    public var summary: String
    /// `findings`, `failing`, `tokens`, `prompt_tokens`, `completion_tokens`, `run_tokens`, `requests`.
    public var outputs: [String: String]
}

/// The `llm` agent: sends the changed hunks to an OpenAI-compatible chat-completions endpoint, asks for JSON
/// findings, validates them strictly (asking once more when the model ignores the schema), keeps the findings on
/// lines it was shown, and stops at its token budgets.
public struct LLMReviewAgent: Sendable {
    let http: HTTPClient
    let sleep: ChatCompletionsClient.Sleep?

    /// Creates the agent over `http`, with `sleep` for the client's retry waits (real sleeping when nil).
    public init(http: HTTPClient = ChatCompletionsClient.sharedHTTPClient, sleep: ChatCompletionsClient.Sleep? = nil) {
        self.http = http
        self.sleep = sleep
    }

    /// Runs one review. `changes` gives the diff of the event (`scope: changes`); `ledger` is the run's.
    public func run(
        inputs: [String: JSONValue], environment: [String: String], workspace: String, ledger: TokenLedger,
        changes: () throws -> [GitFileDiff]
    ) async -> LLMReviewResult {
        let options: LLMReviewOptions
        do {
            options = try LLMReviewOptions(inputs: inputs, environment: environment, workspace: workspace)
        } catch {
            return Self.error(error, outputs: [:], notes: [])
        }
        let diff: ReviewDiff
        do {
            diff =
                options.scope == "all"
                ? ReviewDiff.whole(AgentScope.all(in: workspace))
                : ReviewDiff.changes(try changes(), workspace: workspace)
        } catch {
            return Self.error(
                LLMFailure(
                    .invalidRequest, "cannot read the changes (\(error)); use scope: all outside a git repository"),
                outputs: [:], notes: [])
        }
        var review = Review(
            options: options,
            budget: TokenBudget(perStep: options.maxTokensPerStep, perRun: options.maxTokensPerRun, ledger: ledger),
            client: ChatCompletionsClient(options.client, http: http, sleep: sleep))
        return await review.run(diff)
    }

    static func error(_ failure: LLMFailure, outputs: [String: String], notes: [String]) -> LLMReviewResult {
        let summary = (["llm: \(failure.message)"] + notes.map { "- \($0)" }).joined(separator: "\n")
        return LLMReviewResult(
            status: "error", errorKind: failure.kind.rawValue, retryAfter: failure.retryAfter, findings: [],
            summary: summary, outputs: outputs)
    }
}

/// One review in progress: the conversation, the budget and the notes for the summary.
struct Review {
    var options: LLMReviewOptions
    var budget: TokenBudget
    var client: ChatCompletionsClient
    var notes: [String] = []
    var requests = 0
    var usage = ChatUsage(promptTokens: 0, completionTokens: 0, totalTokens: 0)

    var outputs: [String: String] {
        [
            "tokens": String(budget.stepUsed), "prompt_tokens": String(usage.promptTokens),
            "completion_tokens": String(usage.completionTokens), "run_tokens": String(budget.ledger.used),
            "requests": String(requests),
        ]
    }

    mutating func run(_ diff: ReviewDiff) async -> LLMReviewResult {
        let (text, shown, cut) = diff.render(maxBytes: options.maxDiffBytes)
        if let cut { notes.append(cut) }
        for skipped in diff.skipped { notes.append("skipped \(skipped)") }
        guard !diff.files.isEmpty else {
            return LLMReviewResult(
                status: "success", findings: [], summary: "llm: no changed text lines to review",
                outputs: outputs.merging(["findings": "0", "failing": "0"]) { $1 })
        }
        var messages = [
            ChatMessage(
                role: "system",
                content: "You are a meticulous code reviewer. Your answer is read by a program.\n"
                    + ReviewSchema.description),
            ChatMessage(role: "user", content: options.prompt(diff: text, files: diff.files.map(\.path))),
        ]
        var reasked = false
        while true {
            let completion: ChatCompletion
            switch await ask(messages) {
            case .failure(let failure): return fail(failure)
            case .success(let value): completion = value
            }
            do {
                return finish(try ReviewSchema.validate(completion.content), shown: shown, wholeFiles: diff.wholeFiles)
            } catch {
                let problem = "the model's answer does not follow the findings schema: \(error)"
                guard options.reask, !reasked else {
                    return fail(LLMFailure(.malformedResponse, problem))
                }
                reasked = true
                notes.append("\(problem); asked once more")
                messages += [
                    ChatMessage(role: "assistant", content: completion.content),
                    ChatMessage(
                        role: "user",
                        content:
                            "That answer cannot be used: \(error). Answer again with only the JSON object described."),
                ]
            }
        }
    }

    /// The error result, with the key masked out of everything.
    func fail(_ failure: LLMFailure) -> LLMReviewResult {
        var result = LLMReviewAgent.error(failure, outputs: outputs, notes: notes)
        result.summary = client.mask(result.summary)
        return result
    }

    /// One request inside the budgets; charges its usage.
    mutating func ask(_ messages: [ChatMessage]) async -> Result<ChatCompletion, LLMFailure> {
        let estimate = TokenBudget.estimate(messages.map(\.content).joined(separator: "\n"))
        if let refusal = budget.refusal(prompt: estimate) { return .failure(LLMFailure(.budgetExceeded, refusal)) }
        requests += 1
        let result = await client.complete(
            messages, maxTokens: budget.completionLimit(prompt: estimate, requested: options.maxTokens))
        guard case .success(let completion) = result else { return result }
        notes += completion.notes
        let spent: ChatUsage
        if let reported = completion.usage {
            spent = reported
        } else {
            let answerTokens = TokenBudget.estimate(completion.content)
            spent = ChatUsage(
                promptTokens: estimate, completionTokens: answerTokens, totalTokens: estimate + answerTokens)
            notes.append("the server reported no usage; counted about \(spent.totalTokens) tokens")
        }
        usage.promptTokens += spent.promptTokens
        usage.completionTokens += spent.completionTokens
        usage.totalTokens += spent.totalTokens
        if let exceeded = budget.charge(spent.totalTokens) { return .failure(LLMFailure(.budgetExceeded, exceeded)) }
        if completion.finishReason == "length" { notes.append("the answer was cut at the completion limit") }
        return .success(completion)
    }

    /// Keeps the findings on lines the model was shown (any line of a known file with `scope: all`) and applies
    /// `fail_on`.
    func finish(_ answer: ReviewSchema.Answer, shown: [String: Set<Int>], wholeFiles: Bool) -> LLMReviewResult {
        var findings: [Finding] = []
        var dropped: [String] = []
        for reported in answer.findings {
            let path = reported.file.hasPrefix("./") ? String(reported.file.dropFirst(2)) : reported.file
            let known = shown[path].map { wholeFiles || $0.contains(reported.line) } ?? false
            guard known else {
                dropped.append("\(reported.file):\(reported.line)")
                continue
            }
            findings.append(
                Finding(
                    rule: reported.rule, severity: reported.severity, file: path, line: reported.line, column: 1,
                    endLine: reported.endLine, endColumn: 1, message: client.mask(reported.message)))
        }
        findings.sort { ($0.file, $0.line, $0.rule) < ($1.file, $1.line, $1.rule) }
        let failing = findings.filter { $0.severity >= options.failOn }
        var lines = [
            "llm: \(findings.count) finding\(findings.count == 1 ? "" : "s") from \(options.client.model), "
                + "\(budget.stepUsed) tokens (\(budget.ledger.used) in this run)"
                + (failing.isEmpty ? "" : ", \(failing.count) at or above \(options.failOn.rawValue)")
        ]
        if !dropped.isEmpty {
            lines.append(
                "- dropped \(dropped.count) finding(s) on lines not in the diff: \(dropped.joined(separator: ", "))")
        }
        lines += notes.map { "- \($0)" }
        if let summary = answer.summary { lines.append("\n\(summary)") }
        for finding in findings {
            lines.append(
                "- **\(finding.severity.rawValue)** `\(finding.rule)` \(finding.file):\(finding.line): \(finding.message)"
            )
        }
        var values = outputs
        values["findings"] = String(findings.count)
        values["failing"] = String(failing.count)
        return LLMReviewResult(
            status: failing.isEmpty ? "success" : "failure", findings: findings,
            summary: client.mask(lines.joined(separator: "\n")), outputs: values)
    }
}
