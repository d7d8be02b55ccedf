import DevFlowGraph
import DevFlowWebhooks
import Testing

/// Deliveries become the planner's events, and the planner decides on them as `devflow plan` would.
@Suite struct PlannerInputTests {
    static func trigger(_ forge: ForgeKind, _ name: String) throws -> ForgeTrigger {
        let delivery = try Forges.parse(try FixtureCase(forge: forge, name: name).request(), forge: forge)
        guard case .plan(let trigger) = try #require(delivery.plannerInputs.first) else {
            throw PlanError.notPlanned(name)
        }
        return trigger
    }

    enum PlanError: Error { case notPlanned(String) }

    @Test func aBranchPushIsAPushEventWithItsChangedPaths() throws {
        let trigger = try Self.trigger(.github, "push-branch")
        #expect(
            trigger.event
                == PlanEvent(
                    kind: "push", branch: "main",
                    changedPaths: [
                        "README.md", "src/config/cache.swift", "src/config/load.swift", "src/legacy/loader.swift",
                    ]))
        let triggers = Triggers(push: .init(branches: ["main"], paths: ["src/**"]))
        #expect(Planner.matchTrigger(triggers, trigger.event) == (true, "push to 'main'"))
        let docsOnly = Triggers(push: .init(branches: ["main"], paths: ["docs/**"]))
        #expect(Planner.matchTrigger(docsOnly, trigger.event).0 == false)
    }

    @Test func aTagPushMatchesTagFiltersAndHasNoPaths() throws {
        let trigger = try Self.trigger(.gitlab, "tag-push")
        #expect(trigger.event == PlanEvent(kind: "push", tag: "v3.1.0"))
        // An annotated tag: `after` is the tag object, the run is for the tagged commit (`checkout_sha`).
        #expect(trigger.commit == "e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9")
        #expect(try Self.trigger(.github, "push-tag-created").commit == "4e8d2f6a0c1b3e5d7f9a2c4e6b8d0f1a3c5e7b92")
        #expect(
            Planner.matchTrigger(Triggers(push: .init(tags: ["v*"])), trigger.event) == (true, "push of tag 'v3.1.0'"))
        #expect(Planner.matchTrigger(Triggers(push: .init(branches: ["main"])), trigger.event).0 == false)
    }

    @Test func aPullRequestIsAPullRequestEventIntoItsBase() throws {
        let trigger = try Self.trigger(.github, "pull-request-opened-fork")
        #expect(trigger.event == PlanEvent(kind: "pull_request", branch: "config-cache", baseBranch: "main"))
        #expect(trigger.fromFork)
        #expect(trigger.fetchRef == "refs/pull/42/head")
        #expect(trigger.commit == "f1e2d3c4b5a6978877665544332211ffeeddccbb")
        let triggers = Triggers(pullRequest: .init(branches: ["main"]))
        #expect(Planner.matchTrigger(triggers, trigger.event) == (true, "pull request into 'main'"))
    }

    @Test func forkPullRequestsAreFetchedWhereTheCommitIs() throws {
        #expect(try Self.trigger(.gitlab, "merge-request-open-fork").fetchRef == "refs/merge-requests/12/head")
        #expect(
            try Self.trigger(.gitlab, "merge-request-open-fork").cloneURL == "https://gitlab.com/acme/platform/api.git")
        let bitbucket = try Self.trigger(.bitbucket, "pullrequest-created-fork")
        #expect(bitbucket.fetchRef == "refs/heads/vat-prices")
        #expect(bitbucket.cloneURL == "https://bitbucket.org/pierre/storefront.git")
        #expect(bitbucket.fromFork)
        #expect(try Self.trigger(.bitbucket, "pullrequest-updated").fromFork == false)
    }

    @Test func activityTypesFilterPullRequests() throws {
        let updated = try Self.trigger(.github, "pull-request-synchronize")
        #expect(updated.activity == "synchronize")
        #expect(updated.activityAllowed(by: Triggers(pullRequest: .init())).allowed)
        let openedOnly = Triggers(pullRequest: .init(types: ["opened"]))
        #expect(
            updated.activityAllowed(by: openedOnly)
                == (false, "pull request activity 'synchronize' is not one of types: opened"))
        let push = try Self.trigger(.github, "push-branch")
        #expect(push.activityAllowed(by: openedOnly).allowed)
    }

    @Test func aBitbucketPushOfABranchAndATagGivesTwoInputs() throws {
        let delivery = try Forges.parse(
            try FixtureCase(forge: .bitbucket, name: "push-branch-and-tag").request(), forge: .bitbucket)
        let events = delivery.plannerInputs.compactMap { input -> PlanEvent? in
            if case .plan(let trigger) = input { return trigger.event }
            return nil
        }
        #expect(events == [PlanEvent(kind: "push", branch: "release/5.2"), PlanEvent(kind: "push", tag: "v5.2.0")])
    }

    @Test func aPingIsRecordedNotPlanned() throws {
        let delivery = try Forges.parse(try FixtureCase(forge: .github, name: "ping").request(), forge: .github)
        #expect(
            delivery.plannerInputs == [.ignore(reason: "ping: the hook reaches DevFlow (Keep it logically awesome.)")])
    }

    @Test func aTruncatedGitlabCommitListLeavesPathsUnknown() throws {
        let body = try BadInputTests.fixtureBody(.gitlab, "push-branch")
            .replacingOccurrences(of: #""total_commits_count": 2"#, with: #""total_commits_count": 31"#)
        let headers = ["X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "u"]
        let delivery = try Forges.parse(WebhookRequest(headers: headers, body: body), forge: .gitlab)
        guard case .push(let pushes) = delivery.event else {
            Issue.record("expected a push")
            return
        }
        #expect(pushes.first?.changedPaths == nil)
        #expect(pushes.first?.headCommitTimestamp == "2026-11-30T12:40:10+01:00")
        #expect(pushes.first?.headCommitDate != nil)
    }
}
