import DevFlowGraph
import DevFlowWebhooks

/// A chat that takes incoming webhooks.
public enum NotifierKind: String, Sendable, Codable, CaseIterable, Equatable {
    /// Slack incoming webhooks.
    case slack
    /// Microsoft Teams (Workflows "post to a channel when a webhook request is received", or a connector).
    case teams
    /// Discord channel webhooks.
    case discord
}

/// Posts run notifications to a chat's incoming webhook URL, with the sender's retries and gate. The URL is a
/// secret (it carries the chat's token): it is masked out of every message.
public struct WebhookNotifier: Sendable {
    /// The chat.
    public var kind: NotifierKind
    /// The breaker name of the calls.
    public var name: String
    let url: String
    let sender: OutboundSender

    /// Creates a notifier for `url`.
    public init(kind: NotifierKind, url: String, sender: OutboundSender = OutboundSender(), name: String? = nil) {
        self.kind = kind
        self.url = url
        self.sender = sender
        self.name = name ?? "\(kind.rawValue) notification"
    }

    /// The request `send` makes.
    public func request(for notification: RunNotification) -> OutboundRequest {
        let body: String
        switch kind {
        case .slack: body = NotificationPayload.slack(notification).compactJSON
        case .teams: body = NotificationPayload.teams(notification).compactJSON
        case .discord: body = NotificationPayload.discord(notification).compactJSON
        }
        return .json(url: url, body: body, extraHeaders: [])
    }

    /// Posts `notification`.
    public func send(_ notification: RunNotification) async throws(OutboundFailure) {
        _ = try await sender.send(request(for: notification), name: name, secrets: secrets)
    }

    /// The URL, and its path and query (what identifies the hook), to mask.
    var secrets: [String] {
        var result = [url]
        if let schemeEnd = url.range(of: "://"), let pathStart = url[schemeEnd.upperBound...].firstIndex(of: "/") {
            let path = String(url[pathStart...])
            if path.count > 1 { result.append(path) }
        }
        return result
    }
}

/// The JSON body of each chat's incoming webhook for a notification.
enum NotificationPayload {
    /// Slack: `text` (the fallback shown in notifications) and `blocks` (a section with the headline and summary,
    /// a context with the commit) (api.slack.com/messaging/webhooks). Text is mrkdwn-escaped.
    static func slack(_ note: RunNotification) -> JSONValue {
        let headline = escapeSlack(note.headline)
        let title = note.url.map { "<\($0)|\(headline)>" } ?? headline
        return .object([
            "text": .string("\(note.headline)\n\(note.summary)"),
            "blocks": .array([
                .object([
                    "type": .string("section"),
                    "text": .object([
                        "type": .string("mrkdwn"), "text": .string("*\(title)*\n\(escapeSlack(note.summary))"),
                    ]),
                ]),
                .object([
                    "type": .string("context"),
                    "elements": .array([
                        .object(["type": .string("mrkdwn"), "text": .string("commit `\(note.shortCommit)`")])
                    ]),
                ]),
            ]),
        ])
    }

    /// Discord: `content` (at most 2000 characters) with mentions disabled, so that `@everyone` in a commit message
    /// pings nobody (discord.com/developers/docs/resources/webhook#execute-webhook).
    static func discord(_ note: RunNotification) -> JSONValue {
        var lines = ["**\(note.headline)**", note.summary, "commit `\(note.shortCommit)`"]
        if let url = note.url { lines.append(url) }
        var content = lines.joined(separator: "\n")
        if content.count > 2000 { content = String(content.prefix(1999)) + "…" }
        return .object([
            "content": .string(content),
            "allowed_mentions": .object(["parse": .array([])]),
        ])
    }

    /// Microsoft Teams (Workflows or connector webhooks): a `message` with one Adaptive Card 1.4 attachment, a bold
    /// headline, the summary, the commit, and an "Open run" action when there is a URL
    /// (learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors).
    static func teams(_ note: RunNotification) -> JSONValue {
        var card: [String: JSONValue] = [
            "type": .string("AdaptiveCard"), "version": .string("1.4"),
            "$schema": .string("http://adaptivecards.io/schemas/adaptive-card.json"),
            "body": .array([
                .object([
                    "type": .string("TextBlock"), "text": .string(note.headline), "weight": .string("Bolder"),
                    "size": .string("Medium"), "wrap": .bool(true),
                    "color": .string(note.outcome == .failure ? "Attention" : "Default"),
                ]),
                .object(["type": .string("TextBlock"), "text": .string(note.summary), "wrap": .bool(true)]),
                .object([
                    "type": .string("FactSet"),
                    "facts": .array([
                        .object(["title": .string("Repository"), "value": .string(note.repository)]),
                        .object(["title": .string("Commit"), "value": .string(note.shortCommit)]),
                    ]),
                ]),
            ]),
        ]
        if let url = note.url {
            card["actions"] = .array([
                .object(["type": .string("Action.OpenUrl"), "title": .string("Open run"), "url": .string(url)])
            ])
        }
        return .object([
            "type": .string("message"),
            "attachments": .array([
                .object([
                    "contentType": .string("application/vnd.microsoft.card.adaptive"), "contentUrl": .null,
                    "content": .object(card),
                ])
            ]),
        ])
    }

    /// `&`, `<` and `>` as Slack requires in mrkdwn.
    static func escapeSlack(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
