import CGit2
import Foundation

/// The state libgit2's fetch callbacks share with the fetch that installed them (one fetch, one thread).
final class GitFetchSession {
    let credentials: GitCredentials?
    /// How many times the remote asked for credentials.
    var credentialRequests = 0
    /// The refs the fetch (and its prune) changed.
    var refUpdates: [GitRefUpdate] = []

    init(credentials: GitCredentials?) { self.credentials = credentials }
}

/// libgit2's credential callback: the token as the password of the user name, once; a second request means
/// the remote rejected it, and asking again would only loop.
private let answerCredentials: git_credential_acquire_cb = { out, _, _, allowedTypes, payload in
    guard let payload else { return GIT_PASSTHROUGH.rawValue }
    let session = Unmanaged<GitFetchSession>.fromOpaque(payload).takeUnretainedValue()
    session.credentialRequests += 1
    guard let credentials = session.credentials,
        allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0
    else {
        git_error_set_str(Int32(GIT_ERROR_NET.rawValue), "the remote asks for credentials and none are configured")
        return GIT_EAUTH.rawValue
    }
    guard session.credentialRequests == 1 else {
        git_error_set_str(
            Int32(GIT_ERROR_NET.rawValue), "the remote rejected the credentials of user '\(credentials.username)'")
        return GIT_EAUTH.rawValue
    }
    return git_credential_userpass_plaintext_new(out, credentials.username, credentials.token)
}

/// libgit2's ref-update callback (fetch and prune alike): records each change.
private let recordRefUpdate:
    @convention(c) (
        UnsafePointer<CChar>?, UnsafePointer<git_oid>?, UnsafePointer<git_oid>?, UnsafeMutableRawPointer?
    ) -> Int32 = { name, old, new, payload in
        guard let payload, let name else { return 0 }
        let session = Unmanaged<GitFetchSession>.fromOpaque(payload).takeUnretainedValue()
        func sha(_ oid: UnsafePointer<git_oid>?) -> String? {
            guard let oid, git_oid_is_zero(oid) == 0 else { return nil }
            return GitRepository.sha(oid)
        }
        session.refUpdates.append(GitRefUpdate(name: String(cString: name), oldCommit: sha(old), newCommit: sha(new)))
        return 0
    }

extension GitMirror {
    /// Fetches `refspecs` from the remote into `repository`, pruning what the remote deleted, and points HEAD at
    /// the remote's default branch.
    ///
    /// The remote is anonymous (in memory, from the raw URL): nothing with credentials reaches the
    /// configuration, and FETCH_HEAD (which would record the URL) stays empty.
    func fetch(into repository: OpaquePointer, action: GitMirrorUpdate.Action) throws -> GitMirrorUpdate {
        var remote: OpaquePointer?
        let created = git_remote_create_anonymous(&remote, repository, address.raw)
        guard created == 0, let remote else { throw fetchFailure(created, action: action, session: nil) }
        defer { git_remote_free(remote) }

        let session = GitFetchSession(credentials: credentials)
        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        options.prune = GIT_FETCH_PRUNE
        options.update_fetchhead = 0
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        options.callbacks.credentials = answerCredentials
        options.callbacks.update_tips = recordRefUpdate
        options.callbacks.payload = Unmanaged.passUnretained(session).toOpaque()
        let code = withExtendedLifetime(session) {
            Self.withStringArray(refspecs) { git_remote_fetch(remote, $0, &options, "devflow: update mirror") }
        }
        guard code == 0 else { throw fetchFailure(code, action: action, session: session) }

        let stats = git_remote_stats(remote)?.pointee
        return GitMirrorUpdate(
            action: action, refUpdates: session.refUpdates,
            defaultBranch: pointHeadAtDefaultBranch(of: remote, in: repository),
            receivedObjects: Int(stats?.received_objects ?? 0), receivedBytes: stats?.received_bytes ?? 0)
    }

    /// Records the remote in the mirror's configuration as `origin`, by its display URL (never with user
    /// information) and with the mirror's refspecs, so that people reading the mirror see where it comes from.
    func recordRemote(in repository: OpaquePointer) throws {
        var remote: OpaquePointer?
        if git_remote_lookup(&remote, repository, "origin") != 0 {
            let code = git_remote_create_with_fetchspec(&remote, repository, "origin", displayURL, refspecs[0])
            guard code == 0 else { throw GitRepository.failure(code, "cannot record the remote of '\(directory)'") }
            for refspec in refspecs.dropFirst() {
                let added = git_remote_add_fetch(repository, "origin", refspec)
                guard added == 0 else { throw GitRepository.failure(added, "cannot record refspec '\(refspec)'") }
            }
        } else if let url = git_remote_url(remote).map({ String(cString: $0) }), url != displayURL {
            let code = git_remote_set_url(repository, "origin", displayURL)
            guard code == 0 else { throw GitRepository.failure(code, "cannot update the remote of '\(directory)'") }
        }
        git_remote_free(remote)
    }

    /// Reads the remote's default branch and, when the mirror has that branch, makes HEAD name it.
    private func pointHeadAtDefaultBranch(of remote: OpaquePointer, in repository: OpaquePointer) -> String? {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard git_remote_default_branch(&buffer, remote) == 0, let pointer = buffer.ptr else { return nil }
        let branch = String(cString: pointer)
        var reference: OpaquePointer?
        if git_reference_lookup(&reference, repository, branch) == 0 {
            git_reference_free(reference)
            _ = git_repository_set_head(repository, branch)
        }
        return branch
    }

    /// The error of a failed fetch: what failed, libgit2's words, what to do; secrets replaced by `***`.
    func fetchFailure(_ code: Int32, action: GitMirrorUpdate.Action, session: GitFetchSession?) -> GitError {
        let detail = git_error_last()?.pointee.message.map { String(cString: $0) } ?? "error \(code)"
        let verb = action == .cloned ? "clone" : "fetch"
        var message = "cannot \(verb) '\(displayURL)' into the mirror at '\(directory)': \(detail)"
        let kind: GitError.Kind
        let lowered = detail.lowercased()
        if code == GIT_EAUTH.rawValue || (session?.credentialRequests ?? 0) > 0 || lowered.contains("401")
            || lowered.contains("authentication")
        {
            kind = .authenticationFailed
            message +=
                credentials == nil
                ? "; the remote requires credentials: give the repository a clone token"
                : "; check that the clone token for user '\(credentials!.username)' is current and may read "
                    + "the repository"
        } else {
            kind = .transportFailed
            message += "; check the clone URL and that the remote is reachable from this machine"
        }
        return GitError(kind, address.redact(message, credentials: credentials), code: code)
    }

    /// Calls `body` with `strings` as a `git_strarray` of C strings that live for the call.
    static func withStringArray<Result>(_ strings: [String], _ body: (UnsafePointer<git_strarray>) -> Result)
        -> Result
    {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeMutableBufferPointer { buffer in
            var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return body(&array)
        }
    }
}
