/// `anthropic-key`: an Anthropic API key (`sk-ant-api03-`) or Admin API key (`sk-ant-admin01-`):
/// 93 characters of `A-Za-z0-9_-`, then `AA`.
enum AnthropicKeyRule {
    static let rule = TokenRule(
        id: "anthropic-key", kind: "Anthropic API key",
        pattern: "(?<![A-Za-z0-9_-])sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{93}AA(?![A-Za-z0-9_-])",
        keywords: ["sk-ant-"],
        examples: GuardianExamples(
            triggering: [
                "ANTHROPIC_API_KEY=sk-ant-api03-⟨u93⟩AA",
                "admin_key = \"sk-ant-admin01-⟨a93⟩AA\"",
            ],
            nonTriggering: [
                "log: sk-ant-api03-⟨u60⟩AA (truncated)",
                "log: sk-ant-api03-⟨u93⟩BB (not a key)",
                "ANTHROPIC_API_KEY=\"${ANTHROPIC_API_KEY}\"",
            ]),
        validate: { SecretValue.randomVerdict($0, prefix: 14) })
}
