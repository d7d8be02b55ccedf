/// Every rule of the security guardian, in reporting order: provider secrets, then
/// `generic-secret` (which does not report a value a provider rule already reported), then the
/// risky patterns. A new rule is a new file under `SecurityGuardian/` and one line here.
enum GuardianCatalogue {
    /// Provider and format rules for secrets.
    static let secretRules: [any GuardianRule] = [
        AWSAccessKeyRule.rule, AWSSecretKeyRule.rule, GitHubTokenRule.rule, GitLabTokenRule.rule, SlackTokenRule.rule,
        SlackWebhookRule.rule, PrivateKeyRule.rule, JWTRule.rule, StripeKeyRule.rule, GoogleAPIKeyRule.rule,
        NpmTokenRule.rule, PyPITokenRule.rule, OpenAIKeyRule.rule, AnthropicKeyRule.rule, TwilioKeyRule.rule,
        SendGridKeyRule.rule,
    ]
    /// The entropy rule for secrets without a known format.
    static let generic: any GuardianRule = GenericSecretRule.rule
    /// Risky patterns.
    static let patternRules: [any GuardianRule] = [
        CurlPipeShellRule.rule, TLSVerificationDisabledRule.rule, WorldWritableRule.rule, EvalUseRule.rule,
        SQLConcatenationRule.rule,
    ]
    /// All rules.
    static let all: [any GuardianRule] = secretRules + [generic] + patternRules
    /// The keywords of `all`, indexed for one pass per line (bit `i` is `all[i]`).
    static let keywordIndex = GuardianKeywordIndex(all.map(\.keywords))
}
