/// `slack-webhook`: a Slack incoming webhook or workflow URL, which lets anyone post to a channel.
///
/// `hooks.slack.com/services/T…/B…/…` (incoming webhooks), `hooks.slack.com/workflows/…` (Workflow
/// Builder webhooks) and `hooks.slack.com/triggers/…`, with or without the scheme. The reported
/// value starts at `hooks.slack.com`. A URL without its secret path (documentation links) is not
/// reported.
enum SlackWebhookRule {
    static let rule = TokenRule(
        id: "slack-webhook", kind: "Slack webhook URL",
        pattern: "(hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9_]+(?:/[A-Za-z0-9_]+)*)",
        keywords: ["hooks.slack.com"],
        examples: GuardianExamples(
            triggering: [
                "url = \"https://hooks.slack.com/services/T⟨U8⟩/B⟨U8⟩/⟨a24⟩\"",
                "SLACK_WEBHOOK=hooks.slack.com/workflows/T⟨U10⟩/A⟨U10⟩/⟨d18⟩/⟨a24⟩",
                "webhook: http://hooks.slack.com/triggers/⟨a56⟩",
                "post('https://hooks.slack.com/services/⟨a44⟩')",
            ],
            nonTriggering: [
                "url = \"https://hooks.slack.com/services/\"",
                "docs = \"https://api.slack.com/messaging/webhooks\"",
                "https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX",
                "see hooks.slack.com/services/T0000/B0000/XXXX",
            ]),
        validate: { value in
            let path = value.split(separator: "/").dropFirst(2).joined()
            guard path.count >= 20 else { return .notSecret }
            return SecretValue.isPlaceholder(value) || SecretValue.entropy(path) < 3.0 ? .notSecret : .secret
        })
}
