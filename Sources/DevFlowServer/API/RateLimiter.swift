import DevFlowCompiler
import Foundation
import HTTPTypes
import Hummingbird

/// Token buckets per key (a token's name, or a client address for calls without a valid token): each holds up to
/// `burst` requests and refills at `rate` per second. In memory, per server process.
final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: Date
    }

    /// What one request got.
    struct Decision {
        var allowed: Bool
        var limit: Int
        var remaining: Int
        /// Seconds until the bucket is full again.
        var reset: Int
        /// Seconds until one request is allowed again (when refused).
        var retryAfter: Int

        /// `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`.
        var headers: HTTPFields {
            [
                HTTPField.Name("RateLimit-Limit")!: String(limit),
                HTTPField.Name("RateLimit-Remaining")!: String(remaining),
                HTTPField.Name("RateLimit-Reset")!: String(reset),
            ]
        }
    }

    let settings: ServerConfiguration.APISettings
    private let buckets = LockedBox<[String: Bucket]>([:])

    init(settings: ServerConfiguration.APISettings) { self.settings = settings }

    /// Takes one request from `key`'s bucket.
    func take(key: String, authenticated: Bool, now: Date) -> Decision {
        let rate = authenticated ? settings.rateLimit : settings.anonymousRateLimit
        let burst = Double(authenticated ? settings.burst : settings.anonymousBurst)
        return buckets.withValue { buckets in
            if buckets.count > 100_000 { buckets = buckets.filter { now.timeIntervalSince($0.value.updated) < 60 } }
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + max(0, now.timeIntervalSince(bucket.updated)) * rate)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[key] = bucket
            return Decision(
                allowed: allowed, limit: Int(burst), remaining: Int(bucket.tokens.rounded(.down)),
                reset: Int(((burst - bucket.tokens) / rate).rounded(.up)),
                retryAfter: allowed ? 0 : max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))))
        }
    }
}
