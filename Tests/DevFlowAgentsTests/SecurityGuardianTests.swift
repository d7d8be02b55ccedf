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

private let awsKey = "AKIA" + rnd(16, base32, seed: 1)
private let awsSecret = rnd(40, base64, seed: 2)
private let ghp = "ghp_" + rnd(36, seed: 3)
private let genericQuoted = rnd(24, upperAlnum + lowerAlpha + "!@#%", seed: 17)
private let base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

/// Every rule's documented examples, expanded, with the rule they belong to.
private struct Example: CustomStringConvertible {
    let rule: SecurityGuardian.Rule
    let text: String
    let triggers: Bool
    var description: String { "\(rule.id) \(triggers ? "+" : "-") \(text)" }

    /// The example's lines, numbered from 1 (multi-line examples give the rules their context).
    var lines: [(number: Int, text: String)] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map {
            (number: $0.offset + 1, text: String($0.element))
        }
    }
}

private let examples: [Example] = GuardianCatalogue.all.flatMap { rule in
    rule.examples.triggering.enumerated().map {
        Example(rule: rule.info, text: GuardianExamples.expand($0.element, seed: UInt64($0.offset + 1)), triggers: true)
    }
        + rule.examples.nonTriggering.enumerated().map {
            Example(
                rule: rule.info, text: GuardianExamples.expand($0.element, seed: UInt64($0.offset + 101)),
                triggers: false)
        }
}

private let secretRuleIDs = Set(SecurityGuardian.rules.filter(\.isSecret).map(\.id))

@Suite("SecurityGuardian")
struct SecurityGuardianTests {
    let guardian = SecurityGuardian()

    @Test("every rule's triggering examples fire it, its other examples do not", arguments: examples)
    fileprivate func ruleExample(_ example: Example) {
        let findings = guardian.scan(file: "f", lines: example.lines)
        if example.triggers {
            #expect(findings.contains { $0.rule == example.rule.id }, "\(findings)")
        } else {
            #expect(!findings.contains { $0.rule == example.rule.id }, "\(findings)")
            if example.rule.isSecret {
                // A placeholder or a reference is not reported by another secret rule either.
                #expect(!findings.contains { secretRuleIDs.contains($0.rule) }, "\(findings)")
            }
        }
        for finding in findings {
            let line = example.lines[finding.line - 1].text
            #expect(finding.endLine == finding.line)
            #expect(finding.column >= 1 && finding.endColumn > finding.column)
            #expect(finding.endColumn <= line.count + 1)
        }
    }

    @Test("every rule has triggering and non-triggering examples; ids are unique and stable")
    func catalogue() {
        let ids = SecurityGuardian.rules.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(
            ids == [
                "aws-access-key", "aws-secret-key", "github-token", "gitlab-token", "slack-token", "slack-webhook",
                "private-key", "jwt", "stripe-key", "google-api-key", "npm-token", "pypi-token", "openai-key",
                "anthropic-key", "twilio-key", "sendgrid-key", "generic-secret", "curl-pipe-shell",
                "tls-verification-disabled", "world-writable", "eval-use", "sql-concatenation",
            ])
        for rule in GuardianCatalogue.all {
            #expect(!rule.examples.triggering.isEmpty && !rule.examples.nonTriggering.isEmpty, "\(rule.info.id)")
        }
    }

    @Test(
        "a secret never appears unmasked in a finding, for every secret rule's examples",
        arguments: examples.filter { $0.triggers && $0.rule.isSecret })
    fileprivate func masking(_ example: Example) throws {
        let findings = guardian.scan(file: "config/app.env", lines: example.lines)
        #expect(!findings.isEmpty)
        for finding in findings where secretRuleIDs.contains(finding.rule) {
            let chars = Array(example.lines[finding.line - 1].text)
            let secret = String(chars[(finding.column - 1)..<(finding.endColumn - 1)])
            #expect(finding.severity == .high)
            let json = String(decoding: try JSONEncoder().encode(finding), as: UTF8.self)
            #expect(!json.contains(secret))
            #expect(!finding.message.contains(String(secret.prefix(5))))
            #expect(finding.message.contains(SecurityGuardian.mask(secret)))
        }
    }

    @Test("GitHub classic tokens: the CRC32 checksum is verified and said so; random text needs entropy")
    func githubChecksum() throws {
        let random = rnd(30, seed: 41)
        let sum = String(decoding: GitHubTokenRule.checksum(Array(random.utf8)), as: UTF8.self)
        #expect(sum.count == 6)
        let token = "ghp_" + random + sum
        #expect(GitHubTokenRule.hasValidChecksum(token))
        let found = try #require(guardian.scan(file: "f", lines: [(number: 1, text: "t = \(token)")]).first)
        #expect(found.rule == "github-token" && found.message.contains("(checksum valid)"))
        // One character changed: the checksum fails, the token is still reported as random text.
        let flipped = "ghp_" + (random.first == "A" ? "B" : "A") + random.dropFirst() + sum
        #expect(!GitHubTokenRule.hasValidChecksum(flipped))
        let other = guardian.scan(file: "f", lines: [(number: 1, text: "t = \(flipped)")])
        #expect(other.map(\.rule) == ["github-token"] && !other[0].message.contains("checksum"))
        // A placeholder with a valid checksum is a real token shape: reported.
        let xs = String(repeating: "x", count: 30)
        let filler = "ghp_" + xs + String(decoding: GitHubTokenRule.checksum(Array(xs.utf8)), as: UTF8.self)
        #expect(guardian.scan(file: "f", lines: [(number: 1, text: filler)]).map(\.rule) == ["github-token"])
        #expect(guardian.scan(file: "f", lines: [(number: 1, text: "ghp_" + xs + "xxxxxx")]).isEmpty)
        // CRC-32 check value of "123456789".
        #expect(GitHubTokenRule.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test("the package's own sources have no secret findings")
    func cleanCode() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count > 50)
        var bytes = 0
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            bytes += text.utf8.count
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map {
                (number: $0.offset + 1, text: String($0.element))
            }
            let secrets = guardian.scan(file: file, lines: lines).filter { secretRuleIDs.contains($0.rule) }
            #expect(secrets.isEmpty, "\(file): \(secrets)")
        }
        #expect(bytes > 500_000)
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
        // AWS's documented example key is a placeholder: not reported even without an allowlist.
        #expect(guardian.scan(file: "f", lines: [(number: 1, text: "key = AKIAIOSFODNN7EXAMPLE")]).isEmpty)
        let example = "aws_access_key_id = \(awsKey)"
        #expect(guardian.scan(file: "f", lines: [(number: 1, text: example)]).map(\.rule) == ["aws-access-key"])
        #expect(SecurityGuardian(allowlist: [awsKey]).scan(file: "f", lines: [(number: 1, text: example)]).isEmpty)
        let suffix = String(awsKey.suffix(4))
        #expect(
            SecurityGuardian(allowlist: ["^AKIA.*\(suffix)$"]).scan(file: "f", lines: [(number: 1, text: example)])
                .isEmpty)
        // The allowlist is about values: it does not hide other findings on the line.
        let two = "\(example) \(ghp)"
        #expect(
            SecurityGuardian(allowlist: ["\(suffix)$"]).scan(file: "f", lines: [(number: 1, text: two)]).map(\.rule)
                == ["github-token"])
        // An entry that is not a valid regex still works as a literal.
        let glued = "x(" + awsKey
        let broken = "(" + awsKey.prefix(10)
        #expect(SecurityGuardian(allowlist: [broken]).scan(file: "f", lines: [(number: 1, text: glued)]).count == 1)
        #expect(
            SecurityGuardian(allowlist: [String(awsKey.prefix(10))]).scan(file: "f", lines: [(number: 1, text: glued)])
                .isEmpty)
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
