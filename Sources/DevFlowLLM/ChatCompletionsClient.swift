import AsyncHTTPClient
import Foundation
import NIOCore

/// A client of the OpenAI-compatible chat-completions API (`POST {endpoint}/chat/completions`), which OpenAI,
/// Ollama, vLLM and llama.cpp's server all speak.
///
/// Every request has a timeout. 429 and 503 answers are retried after their `Retry-After` (seconds or an HTTP-date)
/// when it is at most `maxRetryAfter`, other 5xx answers and refused connections after an exponential backoff, up to
/// `maxRetries` retries in all; then the failure is `rate_limited` (with the server's `Retry-After`) or
/// `unavailable`. A server that rejects `response_format` with a 400 is asked once more without it. Waits go through
/// the injected `sleep`, so tests never wait. The API key is sent as `Authorization: Bearer` and masked out of every
/// message.
public struct ChatCompletionsClient: Sendable {
    /// Where and how to ask.
    public struct Configuration: Sendable {
        /// The base URL, such as `https://api.openai.com/v1` or `http://localhost:11434/v1`.
        public var endpoint: String
        /// The model name.
        public var model: String
        /// The API key, if the server needs one.
        public var apiKey: String?
        /// Seconds one request may take, answer included.
        public var timeout: Double = 60
        /// Retries after 429, 5xx and connection errors.
        public var maxRetries: Int = 2
        /// The longest `Retry-After` the client waits for itself; a longer one ends the call as `rate_limited`
        /// so that the runner's retry policy decides.
        public var maxRetryAfter: Double = 60
        /// The first backoff, in seconds; doubled after each retry.
        public var backoff: Double = 1
        /// How JSON is requested.
        public var responseFormat: ResponseFormat = .jsonObject
        /// Sampling temperature (0: as deterministic as the server allows).
        public var temperature: Double = 0

        /// Creates a configuration.
        public init(endpoint: String, model: String, apiKey: String? = nil) {
            self.endpoint = endpoint
            self.model = model
            self.apiKey = apiKey
        }
    }

    /// Waits a number of seconds; injected so that tests do not wait.
    public typealias Sleep = @Sendable (Double) async throws -> Void

    /// The configuration.
    public var configuration: Configuration
    let http: HTTPClient
    let sleep: Sleep

    /// Creates a client over `http` (`sharedHTTPClient` by default).
    public init(
        _ configuration: Configuration, http: HTTPClient = ChatCompletionsClient.sharedHTTPClient, sleep: Sleep? = nil
    ) {
        self.configuration = configuration
        self.http = http
        self.sleep = sleep ?? { seconds in try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9)) }
    }

    /// Sends `messages` and returns the first choice, after the retries described above.
    public func complete(_ messages: [ChatMessage], maxTokens: Int? = nil) async -> Result<ChatCompletion, LLMFailure> {
        var responseFormat = configuration.responseFormat
        var notes: [String] = []
        var retries = 0
        while true {
            let body = ChatWire.body(
                model: configuration.model, messages: messages, temperature: configuration.temperature,
                format: responseFormat, maxTokens: maxTokens)
            let failure: LLMFailure
            switch await send(body) {
            case .failure(let error) where error.kind == .unavailable:
                failure = error
            case .failure(let error):
                return .failure(error)
            case .success(let (status, retryAfterHeader, data)):
                if (200..<300).contains(status) {
                    return ChatWire.decode(data).map { completion in
                        var completion = completion
                        completion.notes = notes
                        return completion
                    }.mapError(masked)
                }
                let detail = mask(ChatWire.errorMessage(data))
                if status == 400, responseFormat != .none, detail.lowercased().contains("response_format") {
                    notes.append(
                        "the server rejected response_format \(responseFormat.rawValue); asked again without it")
                    responseFormat = .none
                    continue
                }
                let retryAfter = RetryAfter.seconds(retryAfterHeader)
                switch status {
                case 429:
                    failure = LLMFailure(.rateLimited, "HTTP 429 from the server: \(detail)", retryAfter: retryAfter)
                case 401, 403:
                    return .failure(
                        LLMFailure(.unauthorized, "HTTP \(status) from the server (check the API key): \(detail)"))
                case 500...599:
                    failure = LLMFailure(
                        .unavailable, "HTTP \(status) from the server: \(detail)", retryAfter: retryAfter)
                default:
                    return .failure(LLMFailure(.invalidRequest, "HTTP \(status) from the server: \(detail)"))
                }
            }
            guard retries < configuration.maxRetries else {
                return .failure(give(up: failure, after: retries))
            }
            var delay = configuration.backoff * pow(2, Double(retries))
            if let wanted = failure.retryAfter {
                guard wanted <= configuration.maxRetryAfter else {
                    var longWait = failure
                    longWait.message += "; Retry-After \(format(wanted))s is over max_retry_after, left to the runner"
                    return .failure(longWait)
                }
                delay = wanted
            }
            delay = min(delay, configuration.maxRetryAfter)
            retries += 1
            notes.append("\(failure.message); retry \(retries) in \(format(delay))s")
            do { try await sleep(delay) } catch {
                return .failure(LLMFailure(.cancelled, "cancelled while waiting to retry"))
            }
        }
    }

    /// The failure after the last retry, saying how many there were.
    func give(up failure: LLMFailure, after retries: Int) -> LLMFailure {
        guard retries > 0 else { return failure }
        var last = failure
        last.message += " (after \(retries) \(retries == 1 ? "retry" : "retries"))"
        return last
    }

    /// One HTTP exchange: status, `Retry-After` and body; or a timeout, a connection failure or a cancellation.
    func send(_ body: Data) async -> Result<(Int, String?, Data), LLMFailure> {
        let base =
            configuration.endpoint.hasSuffix("/") ? String(configuration.endpoint.dropLast()) : configuration.endpoint
        var request = HTTPClientRequest(url: base + "/chat/completions")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "devflow-llm-agent")
        if let key = configuration.apiKey, !key.isEmpty {
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let timeout = configuration.timeout
        let http = self.http
        let prepared = request
        do {
            let exchange = try await Deadline.run(seconds: timeout) {
                let response = try await http.execute(prepared, timeout: .milliseconds(Int64(timeout * 1000) + 1))
                let buffer = try await response.body.collect(upTo: 32 * 1024 * 1024)
                return (
                    Int(response.status.code), response.headers.first(name: "Retry-After"),
                    Data(buffer.readableBytesView)
                )
            }
            return .success(exchange)
        } catch is Deadline.Exceeded {
            return .failure(LLMFailure(.timeout, "no answer within the request timeout of \(format(timeout))s"))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failure(LLMFailure(.timeout, "no answer within the request timeout of \(format(timeout))s"))
        } catch {
            if Task.isCancelled { return .failure(LLMFailure(.cancelled, "the request was cancelled")) }
            return .failure(LLMFailure(.unavailable, mask("cannot reach \(base): \(error)")))
        }
    }

    /// `text` with the API key replaced by `***`.
    func mask(_ text: String) -> String {
        guard let key = configuration.apiKey, !key.isEmpty else { return text }
        return text.replacingOccurrences(of: key, with: "***")
    }

    func masked(_ failure: LLMFailure) -> LLMFailure {
        var copy = failure
        copy.message = mask(failure.message)
        return copy
    }

    func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.2f", seconds)
    }
}

/// Runs an operation with a deadline, answer body included (AsyncHTTPClient's own deadline stops at the head): the
/// operation runs in a task of its own, which a `TaskDeadline` timer (or the caller's cancellation) cancels.
enum Deadline {
    struct Exceeded: Error {}

    static func run<T: Sendable>(seconds: Double, _ operation: @escaping @Sendable () async throws -> T) async throws
        -> T
    {
        let task = Task { try await operation() }
        let deadline = TaskDeadline(seconds: max(seconds, 0.000_001)) { task.cancel() }
        defer { deadline.disarm() }
        do {
            return try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                task.cancel()
            }
        } catch {
            if deadline.expired { throw Exceeded() }
            throw error
        }
    }
}

extension ChatCompletionsClient {
    /// The process-wide HTTP client of the llm agent: like `HTTPClient.shared`, but a refused connection fails at
    /// once instead of being retried until the connect timeout, so that the agent's own retries (with the injected
    /// sleep) and error kinds apply, with no read timeout of its own, and with `maxConnections` HTTP/1.1
    /// connections per server. Never shut down,
    /// like the shared client.
    public static let sharedHTTPClient: HTTPClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: sharedConfiguration(ProcessInfo.processInfo.environment))

    /// The configuration of `sharedHTTPClient` under `environment` (for `DEVFLOW_LLM_MAX_CONNECTIONS`).
    static func sharedConfiguration(_ environment: [String: String]) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = maxConnections(environment)
        configuration.timeout.connect = .seconds(10)
        // The agent's own deadline (`timeout:`, up to an hour) bounds each exchange, answer included; the shared
        // configuration's 90 s read timeout would cut a slow model's answer short.
        configuration.timeout.read = nil
        return configuration
    }

    /// The HTTP/1.1 requests in flight to one chat-completions server at once (the rest wait in the client's queue):
    /// `DEVFLOW_LLM_MAX_CONNECTIONS` (1 to 65536), 8 when unset or invalid. A local model server (Ollama,
    /// llama.cpp) serves a few at a time; a server that runs thousands of llm steps against a gateway raises it.
    /// HTTPS servers that speak HTTP/2 multiplex requests on one connection and are not bound by it.
    static func maxConnections(_ environment: [String: String]) -> Int {
        guard let text = environment["DEVFLOW_LLM_MAX_CONNECTIONS"], let count = Int(text), (1...65536).contains(count)
        else { return 8 }
        return count
    }
}
