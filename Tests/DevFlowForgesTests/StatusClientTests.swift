import DevFlowForges
import DevFlowWebhooks
import FakeForgeServer
import Testing

/// Each forge's commit-status call, as the fake forge receives it: method, path, headers and body.
@Suite struct StatusClientTests {
    static let token = "ghp_T0kenThatMustNeverBeShown"

    @Test func githubPostsToRepositoryStatuses() async throws {
        let server = try await FakeForgeServer.start([.created])
        defer { Task { await server.stop() } }
        let client = Forges.statusClient(
            forge: .github, api: server.baseURL + "/", token: Self.token, sender: Outbound.sender(SleepRecorder()))
        try await client.post(Outbound.status)
        let request = try #require(server.requests.first)
        #expect(server.requests.count == 1)
        #expect(request.method == "POST")
        #expect(request.path == "/repos/acme/app/statuses/9c4e2a7f1d3b5c8e0a6f4d2b9e7c5a3f1d8b6e40")
        #expect(request.headers["authorization"] == "Bearer \(Self.token)")
        #expect(request.headers["accept"] == "application/vnd.github+json")
        #expect(request.headers["user-agent"] == "devflow-server")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["x-github-api-version"] == "2022-11-28")
        #expect(
            Outbound.fields(request.json) == [
                "state": "failure", "target_url": "http://127.0.0.1:8080/runs/12",
                "description": "test failed after 3 attempts", "context": "devflow/ci",
            ])
    }

    @Test func gitlabPostsToTheEncodedProjectPathWithPrivateToken() async throws {
        let server = try await FakeForgeServer.start([.created])
        defer { Task { await server.stop() } }
        var status = Outbound.status
        status.repository = "acme/platform/api"
        status.state = .cancelled
        let client = Forges.statusClient(
            forge: .gitlab, api: server.baseURL + "/api/v4", token: Self.token,
            sender: Outbound.sender(SleepRecorder()))
        try await client.post(status)
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(
            request.path == "/api/v4/projects/acme%2Fplatform%2Fapi/statuses/9c4e2a7f1d3b5c8e0a6f4d2b9e7c5a3f1d8b6e40")
        #expect(request.headers["private-token"] == Self.token)
        #expect(request.headers["authorization"] == nil)
        #expect(request.headers["content-type"] == "application/json")
        #expect(
            Outbound.fields(request.json) == [
                "state": "canceled", "name": "devflow/ci", "target_url": "http://127.0.0.1:8080/runs/12",
                "description": "test failed after 3 attempts",
            ])
    }

    @Test func bitbucketPostsABuildStatusWithAKey() async throws {
        let server = try await FakeForgeServer.start([.created])
        defer { Task { await server.stop() } }
        var status = Outbound.status
        status.repository = "acme/storefront"
        status.state = .running
        let client = Forges.statusClient(
            forge: .bitbucket, api: server.baseURL, token: Self.token, sender: Outbound.sender(SleepRecorder()))
        try await client.post(status)
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(
            request.path
                == "/2.0/repositories/acme/storefront/commit/9c4e2a7f1d3b5c8e0a6f4d2b9e7c5a3f1d8b6e40/statuses/build")
        #expect(request.headers["authorization"] == "Bearer \(Self.token)")
        #expect(
            Outbound.fields(request.json) == [
                "key": "devflow/ci", "state": "INPROGRESS", "url": "http://127.0.0.1:8080/runs/12",
                "name": "devflow/ci", "description": "test failed after 3 attempts",
            ])
    }

    @Test func everyStateHasAWireValueOnEveryForge() {
        #expect(
            CommitState.allCases.map(GitHubStatusClient.wireState) == [
                "pending", "pending", "success", "failure", "error", "error",
            ])
        #expect(
            CommitState.allCases.map(GitLabStatusClient.wireState) == [
                "pending", "running", "success", "failed", "failed", "canceled",
            ])
        #expect(
            CommitState.allCases.map(BitbucketStatusClient.wireState) == [
                "INPROGRESS", "INPROGRESS", "SUCCESSFUL", "FAILED", "FAILED", "STOPPED",
            ])
    }

    @Test func longValuesAreCutToTheForgesLimits() throws {
        var status = Outbound.status
        status.description = String(repeating: "d", count: 200)
        status.context = "devflow/" + String(repeating: "matrix-leg-", count: 5)
        let github = try GitHubStatusClient(api: "http://x", token: "t", sender: OutboundSender()).request(for: status)
        #expect(
            String(decoding: github.body, as: UTF8.self).contains("\"" + String(repeating: "d", count: 139) + "…\""))
        let key = BitbucketStatusClient.key(for: status.context)
        #expect(key.count == 40)
        #expect(key != BitbucketStatusClient.key(for: status.context + "x"))
    }

    @Test func unaddressableStatusesAreRejectedBeforeSending() {
        var status = Outbound.status
        status.sha = "not-a-sha"
        #expect(throws: OutboundFailure.self) {
            try GitHubStatusClient(api: "http://x", token: "t", sender: OutboundSender()).request(for: status)
        }
        status = Outbound.status
        status.repository = "acme"
        #expect(throws: OutboundFailure.self) {
            try BitbucketStatusClient(api: "http://x", token: "t", sender: OutboundSender()).request(for: status)
        }
    }
}
