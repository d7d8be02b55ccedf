import Foundation

/// The tokens spent by the llm steps of one run, for `max_tokens_per_run`. The agent host owns one per run and
/// hands the same ledger to every llm step of that run; steps running at the same time share it under a lock.
public final class TokenLedger: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0

    /// Creates an empty ledger.
    public init() {}

    /// Tokens spent so far.
    public var used: Int { lock.withLock { total } }

    /// Adds `tokens` and returns the new total.
    @discardableResult
    public func charge(_ tokens: Int) -> Int {
        lock.withLock {
            total += max(0, tokens)
            return total
        }
    }
}

/// The token budgets of one step: its own (`max_tokens_per_step`) and the run's (`max_tokens_per_run`, over a
/// shared `TokenLedger`). Checked before every request and after every answer's `usage`.
struct TokenBudget {
    /// `max_tokens_per_step`, if set.
    var perStep: Int?
    /// `max_tokens_per_run`, if set.
    var perRun: Int?
    /// The run's ledger.
    var ledger: TokenLedger
    /// Tokens this step spent.
    var stepUsed = 0

    /// A rough token count for a prompt: one token per four bytes of UTF-8, the usual rule of thumb.
    static func estimate(_ text: String) -> Int { (text.utf8.count + 3) / 4 }

    /// Why a request whose prompt is about `prompt` tokens may not be made, or nil when it fits.
    func refusal(prompt: Int) -> String? {
        let runUsed = ledger.used
        for (name, limit, used) in [
            ("max_tokens_per_step", perStep, stepUsed), ("max_tokens_per_run", perRun, runUsed),
        ] {
            guard let limit else { continue }
            if used >= limit { return "token budget \(name)=\(limit) is spent (\(used) tokens used); no request made" }
            if used + prompt > limit {
                return
                    "token budget \(name)=\(limit) has \(limit - used) tokens left and the prompt needs about \(prompt); no request made"
            }
        }
        return nil
    }

    /// The completion limit that keeps this request inside both budgets, at most `requested`.
    func completionLimit(prompt: Int, requested: Int?) -> Int? {
        var limit = requested
        if let perStep { limit = min(limit ?? .max, perStep - stepUsed - prompt) }
        if let perRun { limit = min(limit ?? .max, perRun - ledger.used - prompt) }
        return limit.map { max(1, $0) }
    }

    /// Charges an answer's tokens to the step and the run; returns why the step must stop, if a budget is exceeded.
    mutating func charge(_ tokens: Int) -> String? {
        stepUsed += tokens
        let runUsed = ledger.charge(tokens)
        if let perStep, stepUsed > perStep {
            return "token budget max_tokens_per_step=\(perStep) exceeded: the step used \(stepUsed) tokens"
        }
        if let perRun, runUsed > perRun {
            return "token budget max_tokens_per_run=\(perRun) exceeded: the run's llm steps used \(runUsed) tokens"
        }
        return nil
    }
}
