/// `slack-token`: a Slack token, by the formats Slack documents ("Token types").
///
/// Bot tokens `xoxb-` + team and bot IDs (digits) + 24 characters (and the legacy two-part form),
/// user tokens `xoxp-` and `xoxe-` (three numeric IDs and 32 characters), refresh tokens
/// `xoxe-1-…`, configuration tokens `xoxe.xoxp-1-…`/`xoxe.xoxb-1-…`, app-level tokens `xapp-1-…`,
/// legacy workspace (`xoxa-`, `xoxr-`) and legacy (`xoxs-`, `xoxo-`) tokens. Prefixes are
/// case-sensitive, as Slack issues them. Placeholders (`xoxb-your-token-here`, `xoxp-…-####`) and
/// short or low-entropy values of the right shape are not reported; the entropy is judged on the
/// last `-` part, the random secret, since the parts before it are numeric team and user IDs.
enum SlackTokenRule {
    static let rule = TokenRule(
        id: "slack-token", kind: "Slack token",
        pattern: "(?<![A-Za-z0-9.-])(?:xoxb-[0-9]{8,14}-(?:[0-9]{8,14}-[A-Za-z0-9]{8,}|[A-Za-z0-9]{18,26})"
            + "|xox[pe](?:-[0-9]{8,13}){3}-[A-Za-z0-9]{28,64}|xoxe-[0-9]-[A-Za-z0-9]{60,}"
            + "|xoxe\\.xox[bp]-[0-9]-[A-Za-z0-9]{100,}|xapp-[0-9]-[A-Za-z0-9]{8,}-[0-9]{8,}-[A-Za-z0-9]{32,}"
            + "|xox[ar]-(?:[0-9]-)?[0-9A-Za-z]{8,48}(?:-[0-9A-Za-z]+)*|xox[os]-[0-9]+-[0-9]+-[0-9]+-[A-Fa-f0-9]+)(?![A-Za-z0-9])",
        keywords: ["xox", "xapp-"],
        examples: GuardianExamples(
            triggering: [
                "slack = \"xoxb-⟨d12⟩-⟨d13⟩-⟨a24⟩\"",
                "SLACK_BOT=xoxb-⟨d12⟩-⟨a24⟩",
                "user_token: xoxp-⟨d11⟩-⟨d10⟩-⟨d11⟩-⟨h32⟩",
                "SLACK_APP_TOKEN=xapp-1-A⟨U10⟩-⟨d13⟩-⟨h64⟩",
                "refresh = 'xoxe-1-⟨a146⟩'",
                "config: xoxe.xoxp-1-⟨a163⟩",
                "legacy = \"xoxs-⟨d10⟩-⟨d10⟩-⟨d10⟩-⟨h10⟩\"",
                "workspace: xoxa-2-⟨a12⟩",
            ],
            nonTriggering: [
                "SLACK=xoxb-your-token-here",
                "xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx",
                "xoxb-12345-abcd234",
                "\"token2\": \"xoxp-XXXXXXXXXX-XXXXXXXXXX-XXXXXXXXXXX-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\"",
                "\"token4\": \"xoxp-572370529330-573807301142-572331691188-####################\"",
                "xoxe.xoxp-1-RANDOMSTRINGHERE",
                "https://github.com/xoxa-nyc/xoxa-nyc.github.io/blob/master/README.md",
                "XOxE-RROAmw, Home and Garden, 5:24, 20120323",
            ]),
        validate: { value in
            // The IDs between dashes are numbers; the random secret is the last part.
            if let last = value.split(separator: "-").last, last.count >= 8, value.filter({ $0 == "-" }).count >= 2 {
                return SecretValue.isPlaceholder(value) ? .notSecret : SecretValue.randomVerdict(String(last))
            }
            return SecretValue.randomVerdict(value, prefix: value.hasPrefix("xoxe.") ? 12 : 5)
        })
}
