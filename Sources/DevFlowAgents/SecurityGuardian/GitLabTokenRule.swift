/// `gitlab-token`: a GitLab token, by the prefixes GitLab documents ("GitLab token overview").
///
/// `glpat-` personal, project and group access tokens (20 characters, or the routable form with a
/// `.`-separated suffix), `glptt-` pipeline trigger tokens (40 hex), `glrt-` runner authentication
/// tokens (also `glrt-t1_…`), `GR1348941` runner registration tokens, `gldt-` deploy tokens, `glft-`
/// feed tokens, `glffct-` feature-flag client tokens, `glimt-` incoming mail tokens, `glagent-`
/// Kubernetes agent tokens, `gloas-` OAuth application secrets, `glsoat-` SCIM tokens, `glcbt-` CI/CD
/// job tokens, and the `_gitlab_session` cookie (32 characters). Placeholders
/// (`glpat-XXXXXXXXXXX-XXXXXXXX`) and non-random text of the right length are not reported.
enum GitLabTokenRule {
    static let rule = TokenRule(
        id: "gitlab-token", kind: "GitLab token",
        pattern: "(?<![A-Za-z0-9_-])((?:glpat-[0-9A-Za-z_-]{20,300}(?:\\.[0-9a-z]{9})?"
            + "|glrt-(?:t\\d_)?[0-9A-Za-z_-]{20,300}(?:\\.[0-9a-z]{9})?|glptt-[0-9a-f]{40}|GR1348941[0-9A-Za-z_-]{20}"
            + "|(?:gldt|glft|glsoat|glffct)-[0-9A-Za-z_-]{20,}|glimt-[0-9A-Za-z_-]{25,}|glagent-[0-9A-Za-z_-]{50,}"
            + "|gloas-[0-9A-Za-z_-]{64,}|glcbt-[0-9A-Za-z]{1,5}_[0-9A-Za-z_-]{20,}))(?![A-Za-z0-9_-])"
            + "|_gitlab_session=([0-9a-z]{32})(?![0-9a-z])",
        keywords: [
            "glpat-", "glrt-", "glptt-", "gr1348941", "gldt-", "glft-", "glsoat-", "glffct-", "glimt-", "glagent-",
            "gloas-", "glcbt-", "_gitlab_session",
        ],
        examples: GuardianExamples(
            triggering: [
                "CI_TOKEN=glpat-⟨a20⟩",
                "trigger: glptt-⟨h40⟩",
                "runner_token = \"glrt-⟨a20⟩\"",
                "registration: GR1348941⟨a20⟩",
                "deploy = 'gldt-⟨a20⟩'",
                "feed: glft-⟨a20⟩",
                "job = \"glcbt-⟨a5⟩_⟨a20⟩\"",
                "oauth_secret: gloas-⟨a64⟩",
                "Cookie: _gitlab_session=⟨l32⟩",
                "mail: glimt-⟨a25⟩ agent: glagent-⟨a50⟩ scim: glsoat-⟨a20⟩",
            ],
            nonTriggering: [
                "see glpat-short in the docs",
                "token: glpat-XXXXXXXXXXX-XXXXXXXX",
                "GR134894112312312312312312312",
                "GR1348941XXXXXXXXXXXXXXXXXXXX",
                "glptt-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            ]),
        validate: { value in
            let prefix =
                value.hasPrefix("GR1348941")
                ? 9
                : (value.firstIndex(of: "-").map {
                    value.utf8.distance(
                        from: value.startIndex, to: $0) + 1
                } ?? 0)
            return SecretValue.randomVerdict(value, prefix: prefix)
        })
}
