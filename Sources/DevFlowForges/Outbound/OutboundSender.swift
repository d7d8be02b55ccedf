import AsyncHTTPClient
import DevFlowWebhooks
import Foundation
import NIOCore

/// Sends prepared requests over AsyncHTTPClient with retries, behind an `OutboundGate`.
///
/// 429 and 503 answers wait for their `Retry-After` (seconds or an HTTP-date, read with the injected clock) when it
/// is at most `maxRetryAfter`, else the call ends as `rate_limited` with that delay so the caller can come back
/// later. Other 5xx answers, timeouts and connection errors wait an exponential backoff. Other 4xx answers end the
/// call at once with the remote's message. Waits go through the injected `sleep`, so tests never wait. Every
/// message has the given secrets (tokens, webhook URLs) replaced by `***`.
public struct OutboundSender: Sendable {
    /// How hard to try.
    public struct Policy: Sendable, Equatable {
        /// Retries after the first attempt.
        public var maxRetries: Int
        /// The first backoff in seconds, doubled after each retry.
        public var backoff: Double
        /// The longest backoff.
        public var maxBackoff: Double
        /// The longest `Retry-After` the sender waits for itself.
        public var maxRetryAfter: Double
        /// Seconds one attempt may take, answer included.
        public var timeout: Double

        /// Creates a policy; the defaults try 4 times within about a minute.
        public init(
            maxRetries: Int = 3, backoff: Double = 1, maxBackoff: Double = 30, maxRetryAfter: Double = 60,
            timeout: Double = 15
        ) {
            self.maxRetries = maxRetries
            self.backoff = backoff
            self.maxBackoff = maxBackoff
            self.maxRetryAfter = maxRetryAfter
            self.timeout = timeout
        }
    }

    /// Waits a number of seconds; injected so that tests do not wait.
    public typealias Sleep = @Sendable (Double) async throws -> Void
    /// The current time, for HTTP-date `Retry-After` values.
    public typealias Clock = @Sendable () -> Date

    /// The retry policy.
    public var policy: Policy
    /// The breaker hook.
    public var gate: any OutboundGate
    let http: HTTPClient
    let sleep: Sleep
    let now: Clock

    /// Creates a sender over `http` (a client whose refused connections fail at once by default).
    public init(
        policy: Policy = Policy(), gate: any OutboundGate = OpenGate(),
        http: HTTPClient = OutboundSender.sharedHTTPClient,
        sleep: Sleep? = nil, now: Clock? = nil
    ) {
        self.policy = policy
        self.gate = gate
        self.http = http
        self.sleep = sleep ?? { seconds in try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9)) }
        self.now = now ?? { Date() }
    }

    /// Sends `request` as call `name` (the breaker's name, and the words that start every message), retrying as
    /// described above; `secrets` are masked out of every message.
    public func send(_ request: OutboundRequest, name: String, secrets: [String]) async throws(OutboundFailure)
        -> OutboundResponse
    {
        guard await gate.allow(name: name) else {
            throw OutboundFailure(.circuitOpen, "\(name): the circuit breaker is open; nothing was sent")
        }
        let masker = Masker(secrets: secrets)
        var retries = 0
        while true {
            let failure: OutboundFailure
            switch await exchange(request, name: name, masker: masker) {
            case .failure(let error) where error.kind == .cancelled:
                throw error
            case .failure(let error):
                failure = error
            case .success(let (status, retryAfterHeader, body)):
                if (200..<300).contains(status) {
                    await gate.record(name: name, success: true)
                    return OutboundResponse(status: status, body: body, retries: retries)
                }
                let detail = masker.mask(RemoteMessage.of(body))
                let retryAfter = RetryAfterHeader.seconds(retryAfterHeader, now: now())
                switch status {
                case 429,
                    503 where retryAfter != nil:
                    failure = OutboundFailure(
                        .rateLimited, "\(name): HTTP \(status): \(detail)", status: status, retryAfter: retryAfter)
                case 500...599:
                    failure = OutboundFailure(.unavailable, "\(name): HTTP \(status): \(detail)", status: status)
                case 401, 403:
                    await gate.record(name: name, success: true)
                    throw OutboundFailure(
                        .unauthorized, "\(name): HTTP \(status) (check the token and its permissions): \(detail)",
                        status: status)
                default:
                    await gate.record(name: name, success: true)
                    throw OutboundFailure(.rejected, "\(name): HTTP \(status): \(detail)", status: status)
                }
            }
            var delay = min(policy.backoff * pow(2, Double(retries)), policy.maxBackoff)
            if let wanted = failure.retryAfter {
                guard wanted <= policy.maxRetryAfter else {
                    await gate.record(name: name, success: false)
                    var longWait = failure
                    longWait.message +=
                        "; Retry-After \(Self.format(wanted))s is longer than "
                        + "\(Self.format(policy.maxRetryAfter))s, not waited for"
                    throw longWait
                }
                delay = wanted
            }
            guard retries < policy.maxRetries else {
                await gate.record(name: name, success: false)
                var last = failure
                if retries > 0 { last.message += " (after \(retries) \(retries == 1 ? "retry" : "retries"))" }
                throw last
            }
            retries += 1
            do { try await sleep(delay) } catch {
                throw OutboundFailure(.cancelled, "\(name): cancelled while waiting to retry")
            }
        }
    }

    /// One attempt: status, `Retry-After` and body; or a timeout, a connection error or a cancellation.
    func exchange(_ request: OutboundRequest, name: String, masker: Masker) async
        -> Result<(Int, String?, [UInt8]), OutboundFailure>
    {
        var prepared = HTTPClientRequest(url: request.url)
        prepared.method = .init(rawValue: request.method)
        for header in request.headers { prepared.headers.add(name: header.name, value: header.value) }
        prepared.body = .bytes(ByteBuffer(bytes: request.body))
        let timeout = policy.timeout
        do {
            let response = try await http.execute(prepared, timeout: .milliseconds(Int64(timeout * 1000)))
            let body = try await response.body.collect(upTo: 1024 * 1024)
            let retryAfter = response.headers.first(name: "Retry-After")
            return .success((Int(response.status.code), retryAfter, Array(body.readableBytesView)))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failure(OutboundFailure(.timeout, "\(name): no answer within \(Self.format(timeout))s"))
        } catch {
            if Task.isCancelled { return .failure(OutboundFailure(.cancelled, "\(name): the call was cancelled")) }
            return .failure(OutboundFailure(.unavailable, masker.mask("\(name): cannot reach the server: \(error)")))
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.2f", seconds)
    }

    /// A process-wide HTTP client whose refused connections fail at once (the sender does its own retries).
    /// Never shut down, like `HTTPClient.shared`.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}

/// Replaces secrets (longest first, so that a URL is masked before the token inside it) with `***`.
struct Masker: Sendable {
    let secrets: [String]

    init(secrets: [String]) {
        self.secrets = secrets.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    func mask(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }
}

/// The `Retry-After` header of a 429 or 503 answer: a number of seconds or an HTTP-date (RFC 9110 §10.2.3).
public enum RetryAfterHeader {
    /// The delay in seconds that `value` asks for, measured from `now`; nil when it is neither form. A date in the
    /// past is a delay of 0.
    public static func seconds(_ value: String?, now: Date) -> Double? {
        guard let text = value?.trimmingSpaces, !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds.isFinite { return max(0, seconds) }
        for format in formats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return max(0, date.timeIntervalSince(now)) }
        }
        return nil
    }

    /// IMF-fixdate, then the obsolete RFC 850 and asctime forms that recipients must still accept.
    static let formats = ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"]
}
