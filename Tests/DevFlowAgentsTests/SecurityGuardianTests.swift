import Foundation
import Testing

@testable import DevFlowAgents

/// Deterministic pseudo-random strings, so the planted secrets are realistic (high entropy) but
/// do not appear literally in this source file.
private func rnd(_ count: Int, _ alphabet: String = upperAlnum + lowerAlpha, seed: UInt64) -> String {
    let chars = Array(alphabet)
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var out = ""
    for _ in 0..<count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        out.append(chars[Int(state % UInt64(chars.count))])
    }
    return out
}

private let upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
private let lowerAlpha = "abcdefghijklmnopqrstuvwxyz"
private let base64 = upperAlnum + lowerAlpha + "/+"

/// One labelled line: the rules that must fire (empty for a decoy) and the secret that must never
/// appear in a finding.
private struct Case: CustomStringConvertible {
    let text: String
    let rules: Set<String>
    let secret: String?
    var description: String { text }
}

private func tp(_ text: String, _ rule: String, secret: String? = nil) -> Case {
    Case(text: text, rules: [rule], secret: secret)
}

private func decoy(_ text: String) -> Case { Case(text: text, rules: [], secret: nil) }

private let awsKey = "AKIA" + rnd(16, upperAlnum, seed: 1)
private let awsSecret = rnd(40, base64, seed: 2)
private let ghp = "ghp_" + rnd(36, seed: 3)
private let githubPat = "github_pat_" + rnd(22, seed: 4) + "_" + rnd(59, seed: 5)
private let glpat = "glpat-" + rnd(20, seed: 6)
private let slackToken =
    "xoxb-" + rnd(12, "0123456789", seed: 7) + "-" + rnd(13, "0123456789", seed: 8) + "-" + rnd(24, seed: 9)
private let slackHook =
    "hooks.slack.com/services/T" + rnd(8, upperAlnum, seed: 10) + "/B" + rnd(8, upperAlnum, seed: 11) + "/"
    + rnd(24, seed: 12)
private let jwt =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + "eyJ" + rnd(30, seed: 13) + "."
    + rnd(43, base64.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "+", with: "-"), seed: 14)
private let stripe = "sk_live_" + rnd(24, seed: 15)
private let google = "AIza" + rnd(35, seed: 16)
private let genericQuoted = rnd(24, upperAlnum + lowerAlpha + "!@#%", seed: 17)
private let genericBare = rnd(32, seed: 18)
private let genericJSON = rnd(28, seed: 19)
private let hexKey = "5f4dcc3b5aa765d61d8327deb882cf99"

private let corpus: [Case] = [
    // aws-access-key
    tp("AWS_ACCESS_KEY_ID=\(awsKey)", "aws-access-key", secret: awsKey),
    tp("    aws_access_key_id: \"\(awsKey)\"", "aws-access-key", secret: awsKey),
    decoy("key = \"AKIA" + rnd(12, upperAlnum, seed: 20) + "\""),  // too short
    decoy("name = \"XAKIA\(rnd(16, upperAlnum, seed: 21))\""),  // glued to more letters
    // aws-secret-key
    tp("aws_secret_access_key = \(awsSecret)", "aws-secret-key", secret: awsSecret),
    tp("AWS_SECRET_ACCESS_KEY: \"\(awsSecret)\"", "aws-secret-key", secret: awsSecret),
    decoy("aws_secret_access_key = os.environ[\"AWS_SECRET_ACCESS_KEY\"]"),
    decoy("aws_region = \"us-east-1\""),
    // github-token
    tp("token: \(ghp)", "github-token", secret: ghp),
    tp("GITHUB_TOKEN=\"\(githubPat)\"", "github-token", secret: githubPat),
    decoy("prefix = \"ghp_\" + rnd"),
    decoy("x = \"ghp_\(rnd(20, seed: 22))\""),
    // gitlab-token
    tp("CI_TOKEN=\(glpat)", "gitlab-token", secret: glpat),
    decoy("see glpat-short in the docs"),
    // slack-token
    tp("slack = \"\(slackToken)\"", "slack-token", secret: slackToken),
    decoy("SLACK=xoxb-your-token-here"),
    // slack-webhook
    tp("url = \"https://\(slackHook)\"", "slack-webhook", secret: slackHook),
    decoy("url = \"https://hooks.slack.com/services/\""),
    decoy("docs = \"https://api.slack.com/messaging/webhooks\""),
    // private-key
    tp("-----BEGIN RSA PRIVATE KEY-----", "private-key", secret: nil),
    tp("key = \"-----BEGIN OPENSSH PRIVATE KEY-----\\nb3Blbn\"", "private-key", secret: nil),
    tp("-----BEGIN PRIVATE KEY-----", "private-key", secret: nil),
    decoy("-----BEGIN PUBLIC KEY-----"),
    decoy("-----BEGIN CERTIFICATE-----"),
    // jwt
    tp("Authorization: Bearer \(jwt)", "jwt", secret: jwt),
    decoy("header starts with eyJhbGci"),
    decoy("x = eyJabc.def.ghi"),
    // stripe-key
    tp("Stripe.apiKey = '\(stripe)'", "stripe-key", secret: stripe),
    decoy("publishable(\"pk_live_\") and sk_live_short"),
    // google-api-key
    tp("const mapsKey = \"\(google)\";", "google-api-key", secret: google),
    decoy("x = \"AIza\(rnd(20, seed: 23))\""),
    // generic-secret
    tp("password = \"\(genericQuoted)\"", "generic-secret", secret: genericQuoted),
    tp("export API_TOKEN=\(genericBare)", "generic-secret", secret: genericBare),
    tp("  \"client_secret\": \"\(genericJSON)\",", "generic-secret", secret: genericJSON),
    tp("let apiToken: String = \"\(genericJSON)\"", "generic-secret", secret: genericJSON),
    tp("api_key = \"\(hexKey)\"", "generic-secret", secret: hexKey),
    decoy("password = \"changeme\""),
    decoy("password = \"changemechangeme1\""),
    decoy("token = ${{ secrets.TOKEN }}"),
    decoy("token: ${{ secrets.GITHUB_TOKEN }}"),
    decoy("api_key = os.environ[\"KEY\"]"),
    decoy("api_key = os.environ.get(\"API_KEY_VALUE_1\")"),
    decoy("token = process.env.GITHUB_TOKEN_VALUE"),
    decoy("SECRET_KEY=$DJANGO_SECRET_KEY_VALUE1"),
    decoy("token = \"123e4567-e89b-12d3-a456-426614174000\""),
    decoy("sha = \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\""),
    decoy("token_sha256 = \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\""),
    decoy("password = \"xxxxxxxxxxxxxxxxxxxx\""),
    decoy("password = \"********************\""),
    decoy("secret_key = \"<your-secret-key-here>\""),
    decoy("func login(password: PasswordFieldConfiguration)"),
    decoy("tokenizer = \"bert-base-uncased-tokenizer\""),
    decoy("token_file = \"/var/run/secrets/kubernetes.io/token\""),
    decoy("if password == \"\(genericQuoted)\" {"),
    // curl-pipe-shell
    tp("curl -fsSL https://get.example.com/install.sh | sh", "curl-pipe-shell"),
    tp("RUN wget -qO- https://example.com/setup | sudo bash -s -- --yes", "curl-pipe-shell"),
    tp("bash <(curl -s https://example.com/i.sh)", "curl-pipe-shell"),
    tp("curl https://example.com/x.sh | zsh", "curl-pipe-shell"),
    decoy("curl https://x | jq ."),
    decoy("curl -o install.sh https://example.com/install.sh && sha256sum -c sums"),
    // tls-verification-disabled
    tp("r = requests.get(url, verify=False)", "tls-verification-disabled"),
    tp("tls.Config{InsecureSkipVerify: true}", "tls-verification-disabled"),
    tp("curl -k https://internal/api", "tls-verification-disabled"),
    tp("curl -sSk https://internal/api", "tls-verification-disabled"),
    tp("curl --insecure https://internal/api", "tls-verification-disabled"),
    tp("NODE_TLS_REJECT_UNAUTHORIZED=0 node app.js", "tls-verification-disabled"),
    tp("const agent = new https.Agent({ rejectUnauthorized: false });", "tls-verification-disabled"),
    tp("curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false);", "tls-verification-disabled"),
    tp("curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, 0);", "tls-verification-disabled"),
    decoy("r = requests.get(url, verify=True)"),
    decoy("tls.Config{InsecureSkipVerify: false}"),
    decoy("curl --key client.pem https://internal/api"),
    decoy("curl -fsSL https://internal/api -o out"),
    decoy("const agent = new https.Agent({ rejectUnauthorized: true });"),
    // world-writable
    tp("chmod 777 /srv/app", "world-writable"),
    tp("chmod -R 777 storage", "world-writable"),
    tp("os.chmod(path, 0o777)", "world-writable"),
    tp("chmod a+w shared.log", "world-writable"),
    tp("chmod o+w shared.log", "world-writable"),
    tp("fs.chmodSync(p, 0o666)", "world-writable"),
    tp("try fm.setAttributes([.posixPermissions: 0o777], ofItemAtPath: p)", "world-writable"),
    decoy("chmod 755 bin/tool"),
    decoy("chmod 0644 config"),
    decoy("chmod u+x script.sh"),
    decoy("chmod +x script.sh"),
    decoy("os.chmod(path, 0o755)"),
    // sql-concatenation
    tp("query = \"SELECT * FROM users WHERE id = \" + userId", "sql-concatenation"),
    tp("cursor.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)", "sql-concatenation"),
    tp("cursor.execute(f\"DELETE FROM users WHERE id = {uid}\")", "sql-concatenation"),
    tp("db.query(`SELECT * FROM t WHERE id = ${id}`)", "sql-concatenation"),
    tp("let q = \"UPDATE users SET name = '\\(name)' WHERE id = 1\"", "sql-concatenation"),
    tp("sql = \"INSERT INTO logs VALUES ({})\".format(x)", "sql-concatenation"),
    tp("q := fmt.Sprintf(\"SELECT * FROM t WHERE id = %d\", id)", "sql-concatenation"),
    tp("$q = \"SELECT * FROM users WHERE id = \" . $id;", "sql-concatenation"),
    decoy("db.execute(\"SELECT 1\")"),
    decoy("cursor.execute(\"SELECT * FROM users WHERE id = ?\", (uid,))"),
    decoy("log(\"Failed to delete from cache: \" + key)"),
    decoy("print(f\"Selected {n} items\")"),
    decoy("let q = \"SELECT id FROM users\""),
    // eval-use
    tp("result = eval(user_input)", "eval-use"),
    tp("x = eval (expr)", "eval-use"),
    tp("eval \"$CMD\"", "eval-use"),
    tp("eval $(ssh-agent -s)", "eval-use"),
    tp("const f = new Function(\"return \" + body);", "eval-use"),
    decoy("score = evaluate(model)"),
    decoy("model.eval()"),
    decoy("value = ast.literal_eval(s)"),
    decoy("docs = retrieval(x)  # evaluation"),
]

@Suite("SecurityGuardian")
struct SecurityGuardianTests {
    let guardian = SecurityGuardian()

    @Test("labelled corpus: every true positive fires its rule and no decoy fires", arguments: corpus)
    fileprivate func corpusCase(_ item: Case) {
        let findings = guardian.scan(file: "f", lines: [(number: 7, text: item.text)])
        #expect(Set(findings.map(\.rule)) == item.rules, "\(findings)")
        for finding in findings {
            #expect(finding.line == 7 && finding.endLine == 7)
            #expect(finding.column >= 1 && finding.endColumn > finding.column)
            #expect(finding.endColumn <= item.text.count + 1)
        }
    }

    @Test("every rule has a true positive and a decoy in the corpus")
    func corpusCoversEveryRule() {
        let ruleIDs = Set(SecurityGuardian.rules.map(\.id))
        #expect(ruleIDs.count == 16)
        let covered = corpus.reduce(into: Set<String>()) { $0.formUnion($1.rules) }
        #expect(covered == ruleIDs)
        #expect(corpus.filter { $0.rules.isEmpty }.count >= ruleIDs.count)
    }

    @Test(
        "a secret never appears unmasked in a finding, for every secret rule",
        arguments: corpus.filter { $0.secret != nil })
    fileprivate func masking(_ item: Case) throws {
        let secret = try #require(item.secret)
        let findings = guardian.scan(file: "config/app.env", lines: [(number: 1, text: item.text)])
        #expect(!findings.isEmpty)
        for finding in findings {
            let json = String(decoding: try JSONEncoder().encode(finding), as: UTF8.self)
            #expect(!json.contains(secret))
            #expect(!finding.message.contains(String(secret.prefix(5))))
            #expect(finding.message.contains(String(secret.prefix(4)) + "…"))
            #expect(!"\(finding)".contains(secret))
        }
    }

    @Test("secret rules are high severity and the region covers the secret value")
    func secretRegions() {
        for item in corpus where item.secret != nil {
            let secret = item.secret!
            for finding in guardian.scan(file: "f", lines: [(number: 1, text: item.text)]) {
                #expect(finding.severity == .high)
                let chars = Array(item.text)
                let covered = String(chars[(finding.column - 1)..<(finding.endColumn - 1)])
                #expect(covered == secret)
            }
        }
    }

    @Test("exact 1-based character columns, end exclusive")
    func exactColumns() throws {
        let a = guardian.scan(file: "a.py", lines: [(number: 3, text: "key = \"\(awsKey)\"")])
        #expect(
            a == [
                Finding(
                    rule: "aws-access-key", severity: .high, file: "a.py", line: 3, column: 8, endLine: 3,
                    endColumn: 28, message: a.first?.message ?? "")
            ])
        #expect(a.first?.message.hasPrefix("AWS access key ID `AKIA…`") == true)
        // Columns count characters, not UTF-8 bytes or UTF-16 units.
        let b = guardian.scan(file: "b", lines: [(number: 1, text: "// 🔑 ключ \(awsKey)")])
        #expect(b.map(\.column) == [11])
        #expect(b.map(\.endColumn) == [31])
        let c = guardian.scan(file: "Dockerfile", lines: [(number: 9, text: "RUN curl -fsSL https://x.sh | sh")])
        let only = try #require(c.first)
        #expect(c.count == 1)
        #expect((only.rule, only.severity, only.column, only.endColumn) == ("curl-pipe-shell", .medium, 5, 33))
    }

    @Test("allowlist: literal substrings and regular expressions of values")
    func allowlist() {
        let example = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE"
        #expect(guardian.scan(file: "f", lines: [(number: 1, text: example)]).map(\.rule) == ["aws-access-key"])
        #expect(
            SecurityGuardian(allowlist: ["AKIAIOSFODNN7EXAMPLE"]).scan(file: "f", lines: [(number: 1, text: example)])
                .isEmpty)
        #expect(
            SecurityGuardian(allowlist: ["^AKIA.*EXAMPLE$"]).scan(file: "f", lines: [(number: 1, text: example)])
                .isEmpty)
        // The allowlist is about values: it does not hide other findings on the line.
        let two = "\(example) \(ghp)"
        #expect(
            SecurityGuardian(allowlist: ["EXAMPLE$"]).scan(file: "f", lines: [(number: 1, text: two)]).map(\.rule)
                == ["github-token"])
        // An entry that is not a valid regex still works as a literal.
        #expect(
            SecurityGuardian(allowlist: ["(AKIAIOSFODNN7"]).scan(
                file: "f", lines: [(number: 1, text: "x(AKIAIOSFODNN7EXAMPLE")]
            ).count == 1)
        #expect(
            SecurityGuardian(allowlist: ["AKIAIOSFODNN7"]).scan(
                file: "f", lines: [(number: 1, text: "x(AKIAIOSFODNN7EXAMPLE")]
            ).isEmpty)
    }

    @Test("baseline suppresses by fingerprint, independent of the line, without holding the secret")
    func baseline() throws {
        let lines = [(number: 1, text: "token = \(ghp)"), (number: 2, text: "chmod 777 /srv")]
        let all = guardian.scanWithFingerprints(file: "deploy.sh", lines: lines)
        #expect(all.map(\.finding.rule) == ["github-token", "world-writable"])
        let tokenPrint = all[0].fingerprint
        #expect(tokenPrint == SecurityGuardian.fingerprint(all[0].finding, secret: ghp))
        #expect(tokenPrint.hasPrefix("github-token:") && tokenPrint.count == "github-token:".count + 16)
        #expect(!tokenPrint.contains(String(ghp.dropFirst(4).prefix(6))))
        let withBaseline = SecurityGuardian(baseline: [tokenPrint])
        #expect(withBaseline.scan(file: "deploy.sh", lines: lines).map(\.rule) == ["world-writable"])
        // Same secret moved to another line: still accepted.
        #expect(withBaseline.scan(file: "deploy.sh", lines: [(number: 40, text: "  TOKEN=\(ghp)")]).isEmpty)
        // Another file or another secret: not accepted.
        #expect(withBaseline.scan(file: "other.sh", lines: [lines[0]]).count == 1)
        #expect(
            withBaseline.scan(file: "deploy.sh", lines: [(number: 1, text: "token = ghp_\(rnd(36, seed: 99))")]).count
                == 1)
        // applyBaseline: false returns accepted findings too, to rewrite a baseline file.
        #expect(withBaseline.scanWithFingerprints(file: "deploy.sh", lines: lines, applyBaseline: false).count == 2)
        // Stable across runs: a fixed input has a fixed fingerprint (FNV-1a 64).
        let fixed = Finding(
            rule: "r", severity: .low, file: "f", line: 1, column: 1, endLine: 1, endColumn: 2, message: "")
        #expect(SecurityGuardian.fingerprint(fixed, secret: "s") == SecurityGuardian.fingerprint(fixed, secret: "s"))
        #expect(SecurityGuardian.fingerprint(fixed, secret: "s") != SecurityGuardian.fingerprint(fixed, secret: "t"))
    }

    @Test("only the given lines are scanned, findings are ordered by line and column")
    func scopeAndOrder() {
        let lines = [
            (number: 12, text: "eval(x); chmod 777 d"),
            (number: 3, text: "curl -k https://a | sh"),
        ]
        let found = guardian.scan(file: "f", lines: lines)
        #expect(found.map(\.line) == [3, 3, 12, 12])
        // Same line and column: ordered by rule id.
        #expect(found.map(\.rule) == ["curl-pipe-shell", "tls-verification-disabled", "eval-use", "world-writable"])
        #expect(guardian.scan(file: "f", lines: []).isEmpty)
    }

    @Test("a value reported by a specific rule is not reported again as generic-secret")
    func noDoubleReport() {
        let found = guardian.scan(file: "f", lines: [(number: 1, text: "github_token = \"\(ghp)\"")])
        #expect(found.map(\.rule) == ["github-token"])
        let aws = guardian.scan(file: "f", lines: [(number: 1, text: "aws_secret_access_key=\"\(awsSecret)\"")])
        #expect(aws.map(\.rule) == ["aws-secret-key"])
    }

    @Test("entropy rule skips lines over 4,000 characters; other rules still run")
    func longLines() {
        let long = String(repeating: "a", count: 4_000) + " password = \"\(genericQuoted)\" \(awsKey)"
        #expect(guardian.scan(file: "min.js", lines: [(number: 1, text: long)]).map(\.rule) == ["aws-access-key"])
    }

    @Test("severity is ordered and encodes as lowercase strings")
    func severity() throws {
        #expect(Finding.Severity.low < Finding.Severity.medium && Finding.Severity.medium < Finding.Severity.high)
        #expect(String(decoding: try JSONEncoder().encode([Finding.Severity.high]), as: UTF8.self) == "[\"high\"]")
        let decoded = try JSONDecoder().decode([Finding.Severity].self, from: Data("[\"low\",\"medium\"]".utf8))
        #expect(decoded == [.low, .medium])
        let rules = SecurityGuardian.rules
        #expect(rules.first { $0.id == "curl-pipe-shell" }?.severity == .medium)
        #expect(rules.first { $0.id == "sql-concatenation" }?.severity == .high)
        #expect(rules.filter(\.isSecret).allSatisfy { $0.severity == .high })
    }

    @Test("entropy and masking helpers")
    func helpers() {
        #expect(SecurityGuardian.shannonEntropy("aaaa") == 0)
        #expect(abs(SecurityGuardian.shannonEntropy("abcd") - 2) < 1e-9)
        #expect(SecurityGuardian.mask(awsKey) == "AKIA…")
        #expect(SecurityGuardian.mask("abcdefg") == "a…")
        #expect(SecurityGuardian.mask("") == "…")
    }
}

@Suite("SecurityGuardian throughput")
struct SecurityGuardianThroughputTests {
    @Test("scans ordinary source quickly (reports MB/s; bound is loose for debug builds)")
    func throughput() {
        var lines: [(number: Int, text: String)] = []
        var bytes = 0
        let sample =
            corpus.map(\.text) + [
                "    let value = try container.decode(String.self, forKey: .name)",
                "    for (index, item) in items.enumerated() where item.isEnabled {",
                "        result.append(Finding(rule: rule, severity: .low, file: path, line: index))",
                "def handler(event, context): return {\"statusCode\": 200, \"body\": json.dumps(event)}",
                "import { useState, useEffect } from 'react'; // select the update token from props",
            ]
        var n = 0
        while bytes < 2_000_000 {
            let text = sample[n % sample.count]
            n += 1
            lines.append((number: n, text: text))
            bytes += text.utf8.count + 1
        }
        let guardian = SecurityGuardian(allowlist: ["EXAMPLE"])
        let clock = ContinuousClock()
        var count = 0
        let elapsed = clock.measure { count = guardian.scan(file: "big", lines: lines).count }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "security-guardian: \(bytes) bytes, \(count) findings, \(String(format: "%.2f", Double(bytes) / 1e6 / seconds)) MB/s"
        )
        #expect(count > 0)
        #expect(seconds < 60)
    }
}
