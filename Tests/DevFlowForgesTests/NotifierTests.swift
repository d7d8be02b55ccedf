import DevFlowForges
import DevFlowWebhooks
import FakeForgeServer
import Foundation
import Testing

/// Slack, Teams and Discord incoming webhooks, as the fake receives them.
@Suite struct NotifierTests {
    static let note = RunNotification(
        outcome: .failure, repository: "acme/app", target: "main",
        commit: "9c4e2a7f1d3b5c8e0a6f4d2b9e7c5a3f1d8b6e40", run: 12, url: "http://127.0.0.1:8080/runs/12",
        summary: "test failed after 3 attempts <@everyone>")

    static func send(_ kind: NotifierKind, path: String, answer: FakeAnswer = FakeAnswer(status: 200, body: "ok"))
        async throws -> RecordedRequest
    {
        let server = try await FakeForgeServer.start([answer])
        defer { Task { await server.stop() } }
        let notifier = WebhookNotifier(kind: kind, url: server.baseURL + path, sender: Outbound.sender(SleepRecorder()))
        try await notifier.send(Self.note)
        #expect(server.requests.count == 1)
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == path)
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["user-agent"] == "devflow-server")
        #expect(request.headers["authorization"] == nil)
        return request
    }

    @Test func slackGetsTextAndEscapedBlocks() async throws {
        let request = try await Self.send(.slack, path: "/services/T0001/B0001/XXXXXXXX")
        let json = try #require(request.json as? [String: Any])
        #expect(json["text"] as? String == "❌ acme/app main: run 12 failed\ntest failed after 3 attempts <@everyone>")
        let blocks = try #require(json["blocks"] as? [[String: Any]])
        let section = try #require(blocks.first?["text"] as? [String: Any])
        #expect(section["type"] as? String == "mrkdwn")
        #expect(
            section["text"] as? String
                == "*<http://127.0.0.1:8080/runs/12|❌ acme/app main: run 12 failed>*\ntest failed after 3 attempts &lt;@everyone&gt;"
        )
        let context = try #require((blocks.last?["elements"] as? [[String: Any]])?.first)
        #expect(context["text"] as? String == "commit `9c4e2a7f1d3b`")
    }

    @Test func discordGetsContentWithMentionsDisabled() async throws {
        let request = try await Self.send(.discord, path: "/api/webhooks/1234/abcd", answer: FakeAnswer(status: 204))
        let json = try #require(request.json as? [String: Any])
        #expect(
            json["content"] as? String
                == "**❌ acme/app main: run 12 failed**\ntest failed after 3 attempts <@everyone>\ncommit `9c4e2a7f1d3b`\nhttp://127.0.0.1:8080/runs/12"
        )
        let mentions = try #require(json["allowed_mentions"] as? [String: Any])
        #expect((mentions["parse"] as? [Any])?.isEmpty == true)
    }

    @Test func teamsGetsAnAdaptiveCard() async throws {
        let request = try await Self.send(
            .teams, path: "/workflows/7f3a/triggers/manual/paths/invoke", answer: FakeAnswer(status: 202))
        let json = try #require(request.json as? [String: Any])
        #expect(json["type"] as? String == "message")
        let attachment = try #require((json["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
        let card = try #require(attachment["content"] as? [String: Any])
        #expect(card["type"] as? String == "AdaptiveCard")
        #expect(card["version"] as? String == "1.4")
        let body = try #require(card["body"] as? [[String: Any]])
        #expect(body.first?["text"] as? String == "❌ acme/app main: run 12 failed")
        #expect(body.first?["color"] as? String == "Attention")
        #expect(body[1]["text"] as? String == "test failed after 3 attempts <@everyone>")
        let action = try #require((card["actions"] as? [[String: Any]])?.first)
        #expect(action["type"] as? String == "Action.OpenUrl")
        #expect(action["url"] as? String == "http://127.0.0.1:8080/runs/12")
    }

    @Test func theWebhookURLNeverAppearsInAFailure() async throws {
        let server = try await FakeForgeServer.start([FakeAnswer(status: 404, body: "no_service")])
        defer { Task { await server.stop() } }
        let url = server.baseURL + "/services/T0001/B0001/SeCrEtPaTh"
        let notifier = WebhookNotifier(kind: .slack, url: url, sender: Outbound.sender(SleepRecorder()))
        do throws(OutboundFailure) {
            try await notifier.send(Self.note)
            Issue.record("a 404 was taken for a success")
        } catch {
            #expect(error == OutboundFailure(.rejected, "slack notification: HTTP 404: no_service", status: 404))
            #expect(!error.message.contains("SeCrEtPaTh"))
        }
    }

    @Test func aSlack429IsRetriedAfterItsRetryAfter() async throws {
        let server = try await FakeForgeServer.start([
            FakeAnswer(status: 429, headers: ["Retry-After": "2"], body: "rate_limited"),
            FakeAnswer(status: 200, body: "ok"),
        ])
        defer { Task { await server.stop() } }
        let sleeps = SleepRecorder()
        let notifier = WebhookNotifier(
            kind: .slack, url: server.baseURL + "/services/x", sender: Outbound.sender(sleeps))
        try await notifier.send(Self.note)
        #expect(sleeps.slept == [2])
        #expect(server.requests.count == 2)
    }
}
