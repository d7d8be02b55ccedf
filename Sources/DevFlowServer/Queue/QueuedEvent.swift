import DevFlowForges
import DevFlowGraph
import DevFlowWebhooks
import Foundation

/// Everything a worker needs to run a queued run, stored as the run's `event` JSON: the DevFlow event the planner
/// reads (the same fields `devflow run` records) plus where the commit is.
public struct QueuedEvent: Codable, Sendable, Equatable {
    /// `push`, `pull_request`, `schedule` or `manual`.
    public var kind: String
    /// The branch (the head branch of a pull request).
    public var branch: String?
    /// A pull request's target branch.
    public var baseBranch: String?
    /// The tag of a tag push.
    public var tag: String?
    /// Changed paths, when the event names them (otherwise the worker computes them from git).
    public var changedPaths: [String]?
    /// Manual inputs.
    public var inputs: [String: JSONValue]
    /// The commit before a push (nil or zeros for a new branch).
    public var before: String?
    /// The ref to fetch for the commit.
    public var fetchRef: String?
    /// Where to fetch it from, when not the repository's own clone URL (a fork).
    public var cloneURL: String?
    /// Whether the commit comes from a fork.
    public var fromFork: Bool
    /// The pull request activity.
    public var activity: String?
    /// One line: `push to branch 'main' by ada`.
    public var summary: String

    /// The planner's view of it.
    public var planEvent: PlanEvent {
        PlanEvent(
            kind: kind, branch: branch, baseBranch: baseBranch, tag: tag, changedPaths: changedPaths, inputs: inputs)
    }

    /// The event of a forge trigger.
    public init(_ trigger: ForgeTrigger, before: String?) {
        kind = trigger.event.kind
        branch = trigger.event.branch
        baseBranch = trigger.event.baseBranch
        tag = trigger.event.tag
        changedPaths = trigger.event.changedPaths
        inputs = trigger.event.inputs
        self.before = before
        fetchRef = trigger.fetchRef
        cloneURL = trigger.cloneURL
        fromFork = trigger.fromFork
        activity = trigger.activity
        summary = trigger.summary
    }

    /// An event with no forge behind it (schedules, manual runs).
    public init(kind: String, branch: String?, inputs: [String: JSONValue] = [:], summary: String) {
        self.kind = kind
        self.branch = branch
        self.inputs = inputs
        self.summary = summary
        fromFork = false
        fetchRef = branch.map { "refs/heads/\($0)" }
    }

    /// The JSON stored with the run.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Reads the JSON stored with a run.
    public static func decode(_ json: String) -> QueuedEvent? {
        try? JSONDecoder().decode(QueuedEvent.self, from: Data(json.utf8))
    }
}
