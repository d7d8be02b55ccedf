/// `tls-verification-disabled`: TLS certificate verification turned off (`verify=False`,
/// `InsecureSkipVerify: true`, `curl -k`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, …).
enum TLSVerificationDisabledRule {
    static let rule = PatternRule(
        id: "tls-verification-disabled", severity: .high, summary: "TLS certificate verification disabled",
        message: "TLS certificate verification is disabled; connections can be intercepted.",
        pattern: "\\bverify\\s*=\\s*False\\b|\\bInsecureSkipVerify\\s*:\\s*true\\b"
            + "|\\bNODE_TLS_REJECT_UNAUTHORIZED\\s*[=:]\\s*[\"']?0\\b|\\brejectUnauthorized\\s*:\\s*false\\b"
            + "|\\bCURLOPT_SSL_VERIFY(?:PEER|HOST)\\s*,\\s*(?:0|false|FALSE)\\b"
            + "|\\bcurl\\b[^|;&\\n]*?\\s(?:-[A-Za-z]*k[A-Za-z]*|--insecure)(?=[\\s\"']|$)"
            + "|--no-check-certificate\\b|\\bssl\\._create_unverified_context\\b|\\bcheck_hostname\\s*=\\s*False\\b",
        keywords: [
            "verify", "insecure", "reject_unauthorized", "rejectunauthorized", "curlopt_ssl", "curl",
            "no-check-certificate", "unverified", "check_hostname",
        ],
        examples: GuardianExamples(
            triggering: [
                "r = requests.get(url, verify=False)",
                "tls.Config{InsecureSkipVerify: true}",
                "curl -k https://internal/api",
                "curl -sSk https://internal/api",
                "curl --insecure https://internal/api",
                "NODE_TLS_REJECT_UNAUTHORIZED=0 node app.js",
                "const agent = new https.Agent({ rejectUnauthorized: false });",
                "curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false);",
                "curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, 0);",
            ],
            nonTriggering: [
                "r = requests.get(url, verify=True)",
                "tls.Config{InsecureSkipVerify: false}",
                "curl --key client.pem https://internal/api",
                "curl -fsSL https://internal/api -o out",
                "const agent = new https.Agent({ rejectUnauthorized: true });",
            ]))
}
