import DevFlowWebhooks
import Testing

/// Signatures and tokens: valid ones pass; missing ones are unsigned, wrong ones forged; no message shows a secret.
@Suite struct VerificationTests {
    static let secret = "s3cret-of-the-hook"
    static let body = Array(#"{"zen":"Design for failure.","repository":{"full_name":"acme/app"}}"#.utf8)

    static func request(_ headers: [String: String] = [:], body: [UInt8] = VerificationTests.body) -> WebhookRequest {
        WebhookRequest(headers: headers, body: body)
    }

    static func rejection(_ request: WebhookRequest, _ forge: ForgeKind, secret: String = VerificationTests.secret)
        -> WebhookRejection?
    {
        do throws(WebhookRejection) {
            try Forges.verify(request, forge: forge, secret: secret)
            return nil
        } catch {
            return error
        }
    }

    @Test func githubSignatureOfTheRawBodyPasses() throws {
        let request = Self.request(["x-hub-signature-256": Forges.signature(of: Self.body, secret: Self.secret)])
        try Forges.verify(request, forge: .github, secret: Self.secret)
    }

    @Test func githubSignatureInUpperCaseHexPasses() throws {
        let signature = Forges.signature(of: Self.body, secret: Self.secret)
        let upper = "sha256=" + signature.dropFirst(7).uppercased()
        try Forges.verify(Self.request(["X-Hub-Signature-256": upper]), forge: .github, secret: Self.secret)
    }

    @Test func theSignatureIsTheKnownHMACSHA256() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let signature = Forges.signature(of: Array("what do ya want for nothing?".utf8), secret: "Jefe")
        #expect(signature == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func githubWithoutSignatureIsUnsigned() {
        let rejection = Self.rejection(Self.request(["X-Hub-Signature": "sha1=0123"]), .github)
        guard case .unsigned(let message) = rejection else {
            Issue.record("expected unsigned, got \(String(describing: rejection))")
            return
        }
        #expect(message.hasPrefix("missing header X-Hub-Signature-256"))
        #expect(rejection?.httpStatus == 401)
    }

    @Test func githubSignedWithAnotherSecretIsForged() {
        let request = Self.request(["X-Hub-Signature-256": Forges.signature(of: Self.body, secret: "other")])
        let rejection = Self.rejection(request, .github)
        guard case .forged(let message) = rejection else {
            Issue.record("expected forged, got \(String(describing: rejection))")
            return
        }
        #expect(message.contains("does not match the body"))
        #expect(!message.contains(Self.secret))
    }

    @Test func aBodyChangedAfterSigningIsForged() {
        var tampered = Self.body
        tampered[tampered.count - 3] = UInt8(ascii: "X")
        let request = Self.request(
            ["X-Hub-Signature-256": Forges.signature(of: Self.body, secret: Self.secret)], body: tampered)
        #expect(Self.rejection(request, .github)?.kind == "forged")
    }

    @Test func aSignatureThatIsNotHexIsForged() {
        for value in [
            "sha256=zz", "sha1=" + String(repeating: "a", count: 40), "sha256=" + String(repeating: "a", count: 63),
        ] {
            let rejection = Self.rejection(Self.request(["X-Hub-Signature-256": value]), .github)
            #expect(rejection == .forged("X-Hub-Signature-256 is not 'sha256=' followed by 64 hexadecimal digits"))
        }
    }

    @Test func gitlabTokenEqualToTheSecretPasses() throws {
        try Forges.verify(Self.request(["X-Gitlab-Token": Self.secret]), forge: .gitlab, secret: Self.secret)
    }

    @Test func gitlabWithoutTokenIsUnsigned() {
        let rejection = Self.rejection(Self.request(), .gitlab)
        #expect(rejection?.kind == "unsigned")
        #expect(rejection?.message.hasPrefix("missing header X-Gitlab-Token") == true)
    }

    @Test func gitlabWrongTokenIsForgedAndNeitherTokenIsShown() {
        for wrong in ["s3cret-of-the-hoo", Self.secret + "x", "guess"] {
            let rejection = Self.rejection(Self.request(["X-Gitlab-Token": wrong]), .gitlab)
            #expect(rejection?.kind == "forged")
            #expect(!(rejection?.message.contains(wrong) ?? true))
            #expect(!(rejection?.message.contains(Self.secret) ?? true))
        }
    }

    @Test func bitbucketSignaturePasses() throws {
        let request = Self.request(["X-Hub-Signature": Forges.signature(of: Self.body, secret: Self.secret)])
        try Forges.verify(request, forge: .bitbucket, secret: Self.secret)
    }

    @Test func bitbucketWithoutSignatureIsUnsignedAndForgedIsForged() {
        #expect(Self.rejection(Self.request(), .bitbucket)?.kind == "unsigned")
        let forged = Self.request(["X-Hub-Signature": Forges.signature(of: Self.body, secret: "nope")])
        #expect(Self.rejection(forged, .bitbucket)?.kind == "forged")
    }

    @Test func aGithubSignatureInBitbucketsHeaderNameDoesNotCount() {
        let request = Self.request(["X-Hub-Signature-256": Forges.signature(of: Self.body, secret: Self.secret)])
        #expect(Self.rejection(request, .bitbucket)?.kind == "unsigned")
    }

    @Test func anEmptySecretAcceptsNothing() {
        let request = Self.request(["X-Hub-Signature-256": Forges.signature(of: Self.body, secret: "")])
        let rejection = Self.rejection(request, .github, secret: "")
        #expect(rejection?.kind == "forged")
        #expect(rejection?.message.contains("webhook_secret is empty") == true)
        #expect(Self.rejection(Self.request(["X-Gitlab-Token": ""]), .gitlab, secret: "")?.kind == "forged")
    }

    @Test func receiveRejectsAnUnknownRepositoryBeforeVerifying() {
        let request = Self.request(["X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-1"])
        do throws(WebhookRejection) {
            _ = try Forges.receive(request, forge: .github) { $0 == "acme/other" ? Self.secret : nil }
            Issue.record("an unknown repository was accepted")
        } catch {
            #expect(error.kind == "unknown_repository")
            #expect(error.httpStatus == 404)
            #expect(error.message.contains("'acme/app'"))
        }
    }

    @Test func receiveVerifiesBeforeParsing() throws {
        let unsigned = Self.request(["X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-1"])
        #expect(throws: WebhookRejection.self) { try Forges.receive(unsigned, forge: .github) { _ in Self.secret } }
        var signed = unsigned
        signed.setHeader("X-Hub-Signature-256", Forges.signature(of: Self.body, secret: Self.secret))
        let delivery = try Forges.receive(signed, forge: .github) { _ in Self.secret }
        #expect(delivery.event == .ping(zen: "Design for failure."))
    }
}
