import DevFlowGraph
import Foundation

/// One message of a chat-completions conversation.
public struct ChatMessage: Codable, Sendable, Equatable {
    /// `system`, `user` or `assistant`.
    public var role: String
    /// The text.
    public var content: String

    /// Creates a message.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// The `usage` object of an answer: what the request cost.
public struct ChatUsage: Codable, Sendable, Equatable {
    /// Tokens of the prompt.
    public var promptTokens: Int
    /// Tokens of the completion.
    public var completionTokens: Int
    /// Their sum, as the server counts it.
    public var totalTokens: Int

    /// Creates a usage record.
    public init(promptTokens: Int, completionTokens: Int, totalTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }

    /// Decodes `usage`; a missing `total_tokens` is the sum of the other two (some servers leave it out).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        promptTokens = try container.decodeIfPresent(Int.self, forKey: .promptTokens) ?? 0
        completionTokens = try container.decodeIfPresent(Int.self, forKey: .completionTokens) ?? 0
        totalTokens = try container.decodeIfPresent(Int.self, forKey: .totalTokens) ?? promptTokens + completionTokens
    }
}

/// A model's answer: the first choice's content and the usage.
public struct ChatCompletion: Sendable, Equatable {
    /// `choices[0].message.content`.
    public var content: String
    /// `usage`, when the server reported it.
    public var usage: ChatUsage?
    /// `choices[0].finish_reason` (`stop`, `length`…).
    public var finishReason: String?
    /// Things worth telling people about the exchange (retries, a dropped `response_format`).
    public var notes: [String] = []

    /// Creates an answer.
    public init(content: String, usage: ChatUsage?, finishReason: String? = nil) {
        self.content = content
        self.usage = usage
        self.finishReason = finishReason
    }
}

/// How the request asks for JSON: `response_format` `{"type": "json_object"}`, a `json_schema`, or not at all.
public enum ResponseFormat: String, Sendable {
    /// `{"type": "json_object"}` (OpenAI, vLLM, Ollama, llama.cpp).
    case jsonObject = "json_object"
    /// `{"type": "json_schema", …}` with the findings schema.
    case jsonSchema = "json_schema"
    /// No `response_format`: the prompt alone asks for JSON.
    case none
}

/// The wire format of chat completions: request bodies and answers.
enum ChatWire {
    struct Answer: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { var content: String? }
            var message: Message?
            var finish_reason: String?
        }
        var choices: [Choice]?
        var usage: ChatUsage?
    }

    struct ErrorAnswer: Decodable {
        struct Detail: Decodable { var message: String? }
        var error: Detail?
    }

    /// The JSON body of a request.
    static func body(
        model: String, messages: [ChatMessage], temperature: Double, format: ResponseFormat, maxTokens: Int?
    ) -> Data {
        var body: [String: JSONValue] = [
            "model": .string(model),
            "messages": .array(messages.map { .object(["role": .string($0.role), "content": .string($0.content)]) }),
            "temperature": .number(temperature),
            "stream": .bool(false),
        ]
        switch format {
        case .jsonObject: body["response_format"] = .object(["type": .string("json_object")])
        case .jsonSchema:
            body["response_format"] = .object([
                "type": .string("json_schema"),
                "json_schema": .object(["name": .string("devflow_review"), "schema": ReviewSchema.jsonSchema]),
            ])
        case .none: break
        }
        if let maxTokens { body["max_tokens"] = .number(Double(maxTokens)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(JSONValue.object(body))) ?? Data()
    }

    /// The answer's content and usage, or why it is not a chat completion.
    static func decode(_ data: Data) -> Result<ChatCompletion, LLMFailure> {
        let excerpt = String(decoding: data.prefix(120), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
        guard let answer = try? JSONDecoder().decode(Answer.self, from: data) else {
            return .failure(
                LLMFailure(.malformedResponse, "the server's answer is not chat-completions JSON: '\(excerpt)'"))
        }
        guard let choice = answer.choices?.first, let content = choice.message?.content else {
            return .failure(
                LLMFailure(.malformedResponse, "the server's answer has no choices[0].message.content: '\(excerpt)'"))
        }
        return .success(ChatCompletion(content: content, usage: answer.usage, finishReason: choice.finish_reason))
    }

    /// The `error.message` of an error answer, or the start of its body.
    static func errorMessage(_ data: Data) -> String {
        if let answer = try? JSONDecoder().decode(ErrorAnswer.self, from: data), let message = answer.error?.message {
            return String(message.prefix(300))
        }
        return String(decoding: data.prefix(200), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
    }
}
