import DevFlowTestSupport
import DevFlowWebhooks
import Foundation
import Testing

/// Bad and uninteresting input: each is refused or ignored with words a person can act on, and nothing crashes.
@Suite struct BadInputTests {
    static func parse(_ forge: ForgeKind, _ headers: [String: String], _ body: String) -> Result<
        ForgeDelivery, WebhookRejection
    > {
        do throws(WebhookRejection) {
            return .success(try Forges.parse(WebhookRequest(headers: headers, body: body), forge: forge))
        } catch {
            return .failure(error)
        }
    }

    static func rejection(_ forge: ForgeKind, _ headers: [String: String], _ body: String) -> WebhookRejection? {
        if case .failure(let error) = parse(forge, headers, body) { return error }
        return nil
    }

    static let github = ["X-GitHub-Event": "push", "X-GitHub-Delivery": "5d2f-1"]
    static let gitlab = ["X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "9a0b-2"]
    static let bitbucket = ["X-Event-Key": "repo:push", "X-Request-UUID": "7c1d-3"]

    static func fixtureBody(_ forge: ForgeKind, _ name: String) throws -> String {
        let fixture = FixtureCase(forge: forge, name: name)
        return String(decoding: try Data(contentsOf: URL(fileURLWithPath: fixture.path(".json"))), as: UTF8.self)
    }

    @Test func aTruncatedBodyIsMalformedAndSaysSo() throws {
        let body = try Self.fixtureBody(.github, "push-branch")
        let rejection = Self.rejection(.github, Self.github, String(body.prefix(body.count / 2)))
        #expect(rejection?.kind == "malformed")
        #expect(rejection?.message.hasPrefix("body is not JSON: ") == true)
        #expect(rejection?.message.contains("truncated") == true)
        #expect(rejection?.httpStatus == 400)
    }

    /// Found by fuzz-webhooks (fuzz/regressions/fuzz-webhooks/bad-escape-quoted-with-a-line-break): the JSON
    /// parser's message quotes the body around the error, line breaks and all, and the rejection spanned lines.
    @Test func theParsersAccountOfABadBodyStaysOnOneLine() throws {
        let input = try Data(
            contentsOf: URL(
                fileURLWithPath: Repository.path("fuzz/regressions/fuzz-webhooks/bad-escape-quoted-with-a-line-break")))
        let text = String(decoding: input, as: UTF8.self)
        let body = try #require(text.range(of: "\n\n")).upperBound
        let rejection = Self.rejection(.bitbucket, Self.bitbucket, String(text[body...]))
        #expect(rejection?.kind == "malformed")
        #expect(rejection?.message.hasPrefix("body is not JSON: ") == true, "\(rejection?.message ?? "")")
        #expect(rejection?.message.contains(where: \.isNewline) == false, "\(rejection?.message ?? "")")
        #expect(rejection?.message.contains(where: { $0.unicodeScalars.contains { $0.value < 0x20 } }) == false)
    }

    @Test func aBodyThatIsNotJSONIsMalformed() {
        for forge in ForgeKind.allCases {
            let headers = [Self.github, Self.gitlab, Self.bitbucket][ForgeKind.allCases.firstIndex(of: forge)!]
            let rejection = Self.rejection(forge, headers, "ref=refs/heads/main&after=abc")
            #expect(rejection?.kind == "malformed", "\(forge)")
            #expect(rejection?.message.hasPrefix("body is not JSON: ") == true, "\(forge)")
            #expect(rejection?.message.hasSuffix("set the hook's content type to application/json") == true)
        }
    }

    @Test func anEmptyBodyIsMalformed() {
        #expect(
            Self.rejection(.bitbucket, Self.bitbucket, " \n")
                == .malformed(
                    "body is empty; Bitbucket Cloud sends a JSON payload: set the hook's content type to "
                        + "application/json"))
    }

    @Test func aPayloadWithoutTheRepositoryNamesTheField() {
        #expect(
            Self.rejection(.github, Self.github, #"{"ref":"refs/heads/main"}"#)?.message.hasPrefix(
                "payload has no repository.full_name") == true)
        #expect(
            Self.rejection(.gitlab, Self.gitlab, #"{"ref":"refs/heads/main"}"#)?.message.hasPrefix(
                "payload has no project.path_with_namespace") == true)
        #expect(
            Self.rejection(.bitbucket, Self.bitbucket, #"{"repository":{}}"#)
                == .malformed(
                    "payload has no repository.full_name"))
    }

    @Test func aPushWithoutItsAfterShaNamesTheField() {
        let body = #"{"ref":"refs/heads/main","before":"abc","repository":{"full_name":"acme/app"}}"#
        #expect(Self.rejection(.github, Self.github, body) == .malformed("payload has no after"))
    }

    @Test func aPullRequestWithoutItsHeadShaNamesTheNestedField() throws {
        var body = try Self.fixtureBody(.github, "pull-request-synchronize")
        body = body.replacingOccurrences(of: #""sha": "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d","#, with: "")
        let headers = ["X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "d"]
        #expect(Self.rejection(.github, headers, body) == .malformed("payload has no pull_request.head.sha"))
    }

    @Test func aFieldOfTheWrongTypeIsNamed() {
        let body = #"{"project":{"path_with_namespace":"a/b"},"ref":"refs/heads/main","before":"0","after":7}"#
        #expect(Self.rejection(.gitlab, Self.gitlab, body) == .malformed("payload field after is not a string"))
        let commits =
            #"{"repository":{"full_name":"a/b"},"ref":"refs/heads/x","before":"1","after":"2","commits":[{"id":3}]}"#
        #expect(
            Self.rejection(.github, Self.github, commits) == .malformed("payload field commits[0].id is not a string"))
    }

    @Test func missingHeadersAreNamed() {
        let body = #"{"repository":{"full_name":"acme/app"}}"#
        #expect(
            Self.rejection(.github, ["X-GitHub-Event": "push"], body)?.message.hasPrefix(
                "missing header X-GitHub-Delivery") == true)
        #expect(
            Self.rejection(.github, ["X-GitHub-Delivery": "1"], body)?.message.hasPrefix(
                "missing header X-GitHub-Event") == true)
        #expect(
            Self.rejection(.gitlab, ["X-Gitlab-Event": "Push Hook"], #"{"project":{"path_with_namespace":"a/b"}}"#)?
                .message.hasPrefix("missing header Idempotency-Key or X-Gitlab-Event-UUID") == true)
        #expect(
            Self.rejection(.bitbucket, ["X-Event-Key": "repo:push"], body)?.message.hasPrefix(
                "missing header X-Request-UUID") == true)
    }

    @Test func gitlabPrefersTheIdempotencyKey() throws {
        let body = #"{"project":{"path_with_namespace":"a/b"},"object_kind":"note"}"#
        let both = ["X-Gitlab-Event": "Note Hook", "X-Gitlab-Event-UUID": "uuid-1", "Idempotency-Key": "key-1"]
        #expect(try Self.parse(.gitlab, both, body).get().deliveryID == "key-1")
        let uuidOnly = ["X-Gitlab-Event": "Note Hook", "X-Gitlab-Event-UUID": "uuid-1"]
        #expect(try Self.parse(.gitlab, uuidOnly, body).get().deliveryID == "uuid-1")
    }

    @Test func anUnknownEventIsIgnoredWithItsName() throws {
        let headers = ["X-GitHub-Event": "star", "X-GitHub-Delivery": "d-9"]
        let delivery = try Self.parse(.github, headers, #"{"action":"created","repository":{"full_name":"a/b"}}"#).get()
        #expect(
            delivery.event
                == .ignored(reason: "GitHub event 'star' does not run pipelines; DevFlow runs on push and pull_request")
        )
        #expect(
            delivery.plannerInputs == [
                .ignore(reason: "GitHub event 'star' does not run pipelines; DevFlow runs on push and pull_request")
            ])
    }

    @Test func aDeletionPushIsRecordedAndRunsNothing() throws {
        for (forge, name) in [
            (ForgeKind.github, "push-branch-deleted"), (.gitlab, "push-branch-deleted"),
            (.bitbucket, "push-branch-deleted"),
        ] {
            let delivery = try Forges.parse(try FixtureCase(forge: forge, name: name).request(), forge: forge)
            guard case .push(let pushes) = delivery.event, let push = pushes.first else {
                Issue.record("\(forge): a deletion is a push event, got \(delivery.event)")
                continue
            }
            #expect(push.deleted, "\(forge)")
            #expect(push.after == PushEvent.zeroSHA, "\(forge)")
            guard case .ignore(let reason) = delivery.plannerInputs.first else {
                Issue.record("\(forge): a deletion must not be planned")
                continue
            }
            #expect(reason.hasSuffix("was deleted; deletions do not run"), "\(forge)")
        }
    }

    @Test func aClosedPullRequestIsIgnoredWithTheReason() throws {
        let cases: [(ForgeKind, String, String)] = [
            (.github, "pull-request-closed-merged", "pull request #43 was merged; closed pull requests do not run"),
            (.gitlab, "merge-request-merge", "merge request !13 was merged; closed merge requests do not run"),
            (.bitbucket, "pullrequest-fulfilled", "pull request #32 was merged; closed pull requests do not run"),
        ]
        for (forge, name, reason) in cases {
            let delivery = try Forges.parse(try FixtureCase(forge: forge, name: name).request(), forge: forge)
            #expect(delivery.event == .ignored(reason: reason))
        }
        let body = try Self.fixtureBody(.github, "pull-request-closed-merged")
            .replacingOccurrences(of: #""merged": true"#, with: #""merged": false"#)
        let closed = try Self.parse(.github, ["X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "d"], body).get()
        #expect(
            closed.event
                == .ignored(reason: "pull request #43 was closed without merging; closed pull requests do not run"))
    }

    @Test func aFormEncodedGithubBodyIsRead() throws {
        let json = #"{"zen":"Half measures are as bad as nothing at all.","repository":{"full_name":"acme/app"}}"#
        let form = "payload=" + json.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let headers = [
            "X-GitHub-Event": "ping", "X-GitHub-Delivery": "d", "Content-Type": "application/x-www-form-urlencoded",
        ]
        #expect(
            try Self.parse(.github, headers, form).get().event
                == .ping(zen: "Half measures are as bad as nothing at all."))
    }
}
