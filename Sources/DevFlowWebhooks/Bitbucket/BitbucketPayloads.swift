/// The parts of Bitbucket Cloud's webhook payloads DevFlow reads, in Bitbucket's field names
/// (support.atlassian.com/bitbucket-cloud/docs/event-payloads). Optional where Bitbucket may omit or null a field.
enum BitbucketPayload {
    /// A `{"href": …}` link.
    struct Link: Decodable {
        var href: String?
    }

    /// `links` of a repository or pull request.
    struct Links: Decodable {
        var html: Link?
    }

    /// `repository`, or a pull request side's `repository`.
    struct Repository: Decodable {
        var full_name: String
        var links: Links?

        /// `https://bitbucket.org/workspace/repo.git`, from the web link.
        var cloneURL: String? {
            guard let web = links?.html?.href, !web.isEmpty else { return nil }
            return (web.hasSuffix("/") ? String(web.dropLast()) : web) + ".git"
        }
    }

    /// Any payload, for its repository only.
    struct Envelope: Decodable {
        var repository: Repository?
    }

    /// `actor` or `author` (Bitbucket no longer sends usernames: nickname and display name).
    struct Account: Decodable {
        var nickname: String?
        var display_name: String?

        var name: String? { nickname ?? display_name }
    }

    /// A commit `target` of a ref state.
    struct Target: Decodable {
        var hash: String
        var date: String?
        var message: String?
    }

    /// `push.changes[].new` or `.old`.
    struct RefState: Decodable {
        var type: String
        var name: String
        var target: Target
    }

    /// One of `push.changes`.
    struct Change: Decodable {
        var new: RefState?
        var old: RefState?
        var created: Bool?
        var closed: Bool?
        var truncated: Bool?
    }

    /// `push`.
    struct PushBody: Decodable {
        var changes: [Change]
    }

    /// `repo:push`.
    struct Push: Decodable {
        var actor: Account?
        var push: PushBody
    }

    /// `{"name": …}` of a side's `branch`, `{"hash": …}` of its `commit`.
    struct Branch: Decodable {
        var name: String
    }

    /// The commit of a pull request side (a 12-character hash).
    struct Commit: Decodable {
        var hash: String
    }

    /// `pullrequest.source` or `pullrequest.destination`.
    struct Side: Decodable {
        var branch: Branch
        var commit: Commit
        var repository: Repository?
    }

    /// `pullrequest`.
    struct PullRequest: Decodable {
        var id: Int
        var title: String
        var author: Account?
        var source: Side
        var destination: Side
        var links: Links?
    }

    /// `pullrequest:*` events.
    struct PullRequestEvent: Decodable {
        var pullrequest: PullRequest
    }
}
