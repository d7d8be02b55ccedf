/// The parts of GitLab's webhook payloads DevFlow reads, in GitLab's field names
/// (docs.gitlab.com/user/project/integrations/webhook_events). Optional where GitLab may omit or null a field.
enum GitLabPayload {
    /// `project`, `object_attributes.source` or `object_attributes.target`.
    struct Project: Decodable {
        var id: Int?
        var path_with_namespace: String
        var git_http_url: String?
    }

    /// Any payload, for its project only.
    struct Envelope: Decodable {
        var project: Project?
    }

    /// A commit of `commits`.
    struct Commit: Decodable {
        var id: String
        var message: String?
        var timestamp: String?
        var added: [String]?
        var modified: [String]?
        var removed: [String]?
    }

    /// `Push Hook` and `Tag Push Hook`.
    struct Push: Decodable {
        var ref: String
        var before: String
        var after: String
        var checkout_sha: String?
        var user_username: String?
        var user_name: String?
        var commits: [Commit]?
        var total_commits_count: Int?
    }

    /// `user`.
    struct User: Decodable {
        var username: String?
        var name: String?
    }

    /// `object_attributes.last_commit`.
    struct LastCommit: Decodable {
        var id: String
    }

    /// `object_attributes` of a merge request.
    struct MergeRequest: Decodable {
        var iid: Int
        var title: String
        var source_branch: String
        var target_branch: String
        var source_project_id: Int?
        var target_project_id: Int?
        var action: String?
        var oldrev: String?
        var url: String?
        var last_commit: LastCommit
        var source: Project?
        var target: Project?
    }

    /// `Merge Request Hook`.
    struct MergeRequestEvent: Decodable {
        var user: User?
        var object_attributes: MergeRequest
    }
}
