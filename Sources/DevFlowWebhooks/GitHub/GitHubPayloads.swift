/// The parts of GitHub's webhook payloads DevFlow reads, in GitHub's field names
/// (docs.github.com/webhooks/webhook-events-and-payloads). Optional where GitHub may omit or null a field.
enum GitHubPayload {
    /// `repository`.
    struct Repository: Decodable {
        var full_name: String
        var clone_url: String?
    }

    /// A `user` or `sender`.
    struct User: Decodable {
        var login: String?
    }

    /// Any payload, for its repository only.
    struct Envelope: Decodable {
        var repository: Repository?
    }

    /// `ping`.
    struct Ping: Decodable {
        var zen: String?
    }

    /// A commit of `commits` or `head_commit`.
    struct Commit: Decodable {
        var id: String
        var message: String?
        var timestamp: String?
        var added: [String]?
        var removed: [String]?
        var modified: [String]?
    }

    /// `pusher`.
    struct Pusher: Decodable {
        var name: String?
    }

    /// `push`.
    struct Push: Decodable {
        var ref: String
        var before: String
        var after: String
        var created: Bool?
        var deleted: Bool?
        var commits: [Commit]?
        var head_commit: Commit?
        var pusher: Pusher?
        var sender: User?
    }

    /// `pull_request.head` or `pull_request.base`.
    struct Side: Decodable {
        var ref: String
        var sha: String
        var repo: Repository?
    }

    /// `pull_request`.
    struct PullRequest: Decodable {
        var title: String
        var html_url: String?
        var user: User?
        var merged: Bool?
        var head: Side
        var base: Side
    }

    /// The `pull_request` event.
    struct PullRequestEvent: Decodable {
        var action: String
        var number: Int
        var pull_request: PullRequest
    }

    /// GitHub lists at most this many commits in a push; a list this long may be cut short.
    static let maximumListedCommits = 2048
}
