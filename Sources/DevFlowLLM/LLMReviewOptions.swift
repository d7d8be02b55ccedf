import DevFlowAgents
import DevFlowGraph
import Foundation

/// The `with:` inputs of `uses: llm`, read and checked (docs/agents.md, "The llm agent").
public struct LLMReviewOptions: Sendable {
    /// Endpoint, model, key, timeout, retries and response format.
    public var client: ChatCompletionsClient.Configuration
    /// The user prompt template, with `{{diff}}`, `{{files}}` and `{{schema}}` placeholders.
    public var template: String
    /// `changes` (the default) or `all`.
    public var scope: String
    /// The most bytes of diff put in the prompt.
    public var maxDiffBytes: Int
    /// The step fails when a finding is at or above this severity.
    public var failOn: Finding.Severity
    /// `max_tokens`: the completion limit sent with each request.
    public var maxTokens: Int?
    /// `max_tokens_per_step`.
    public var maxTokensPerStep: Int?
    /// `max_tokens_per_run`.
    public var maxTokensPerRun: Int?
    /// Whether an answer that ignores the schema is asked for once more.
    public var reask: Bool

    /// The default prompt template.
    public static let defaultTemplate = """
        Review the following changes as a careful senior engineer. Report real problems only: bugs, security \
        issues, data loss, race conditions, misleading names or comments. Do not report style that a formatter \
        would fix. Each line of the diff shows its new-file line number; cite those numbers.

        Changed files:
        {{files}}

        {{diff}}
        """

    /// Reads the inputs; `environment` is the step's, for `api_key_env`; `workspace` resolves `prompt_file`.
    public init(inputs: [String: JSONValue], environment: [String: String], workspace: String) throws(LLMFailure) {
        func text(_ key: String) -> String? {
            guard let value = inputs[key]?.interpolated.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                return nil
            }
            return value
        }
        func number(_ key: String, minimum: Double) throws(LLMFailure) -> Double? {
            guard let value = text(key) else { return nil }
            guard let number = Double(value), number >= minimum else {
                throw LLMFailure(.invalidRequest, "input \(key) '\(value)' is not a number ≥ \(Int(minimum))")
            }
            return number
        }
        func integer(_ key: String, minimum: Int) throws(LLMFailure) -> Int? {
            try number(key, minimum: Double(minimum)).map { Int($0) }
        }
        guard let model = text("model") else {
            throw LLMFailure(.invalidRequest, "input model is required (the model name the server knows)")
        }
        let endpoint = text("endpoint") ?? "https://api.openai.com/v1"
        guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw LLMFailure(.invalidRequest, "input endpoint '\(endpoint)' is not an http(s) URL")
        }
        var key = text("api_key")
        if key == nil, let variable = text("api_key_env") {
            guard let value = environment[variable], !value.isEmpty else {
                throw LLMFailure(.unauthorized, "api_key_env names '\(variable)', which is not set in the environment")
            }
            key = value
        }
        client = ChatCompletionsClient.Configuration(endpoint: endpoint, model: model, apiKey: key)
        client.timeout = try number("timeout", minimum: 0) ?? 60
        client.maxRetries = try integer("max_retries", minimum: 0) ?? 2
        client.maxRetryAfter = try number("max_retry_after", minimum: 0) ?? 60
        let format = text("response_format") ?? "json_object"
        guard let responseFormat = ResponseFormat(rawValue: format) else {
            throw LLMFailure(
                .invalidRequest, "input response_format '\(format)' is not json_object, json_schema or none")
        }
        client.responseFormat = responseFormat
        if let prompt = text("prompt") {
            template = prompt
        } else if let file = text("prompt_file") {
            let path = file.hasPrefix("/") ? file : "\(workspace)/\(file)"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw LLMFailure(.invalidRequest, "cannot read prompt_file '\(file)'")
            }
            template = String(decoding: data, as: UTF8.self)
        } else {
            template = Self.defaultTemplate
        }
        scope = text("scope") ?? "changes"
        guard ["changes", "all"].contains(scope) else {
            throw LLMFailure(.invalidRequest, "input scope '\(scope)' is not 'changes' or 'all'")
        }
        maxDiffBytes = try integer("max_diff_bytes", minimum: 1) ?? 100_000
        let failText = text("fail_on") ?? "high"
        guard let failOn = Finding.Severity(rawValue: failText) else {
            throw LLMFailure(.invalidRequest, "input fail_on '\(failText)' is not low, medium or high")
        }
        self.failOn = failOn
        maxTokens = try integer("max_tokens", minimum: 1)
        maxTokensPerStep = try integer("max_tokens_per_step", minimum: 1)
        maxTokensPerRun = try integer("max_tokens_per_run", minimum: 1)
        reask = (text("reask") ?? "true") != "false"
    }

    /// The user message: the template with its placeholders filled; the diff is appended when the template has
    /// no `{{diff}}`.
    func prompt(diff: String, files: [String]) -> String {
        var prompt = template.replacingOccurrences(
            of: "{{files}}", with: files.map { "- \($0)" }.joined(separator: "\n"))
        prompt = prompt.replacingOccurrences(of: "{{schema}}", with: ReviewSchema.description)
        if prompt.contains("{{diff}}") { return prompt.replacingOccurrences(of: "{{diff}}", with: diff) }
        return prompt + "\n\n" + diff
    }
}
