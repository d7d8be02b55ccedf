/// `curl-pipe-shell`: a downloaded script piped into a shell (`curl … | sh`, `bash <(curl …)`),
/// which runs whatever the server sends.
enum CurlPipeShellRule {
    static let rule = PatternRule(
        id: "curl-pipe-shell", severity: .medium, summary: "Downloaded script piped into a shell",
        message: "A downloaded script is piped into a shell; download it, verify a checksum or signature, then run it.",
        pattern: "\\b(?:curl|wget)\\b[^|\\n]*\\|\\s*(?:sudo\\s+(?:-\\S+\\s+)*)?(?:ba|z|k|da|fi)?sh\\b"
            + "|\\b(?:ba|z|k|da)?sh\\s+(?:-c\\s+)?[\"']?(?:<\\(|\\$\\()\\s*(?:curl|wget)\\b",
        keywords: ["curl", "wget"],
        examples: GuardianExamples(
            triggering: [
                "curl -fsSL https://get.example.com/install.sh | sh",
                "RUN wget -qO- https://example.com/setup | sudo bash -s -- --yes",
                "bash <(curl -s https://example.com/i.sh)",
                "curl https://example.com/x.sh | zsh",
            ],
            nonTriggering: [
                "curl https://x | jq .",
                "curl -o install.sh https://example.com/install.sh && sha256sum -c sums",
            ]),
        options: [.caseInsensitive])
}
