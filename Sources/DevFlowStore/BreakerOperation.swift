import Foundation

/// What an operator can do to a circuit breaker, from the CLI or the API: one definition of each change.
public enum BreakerOperation: String, Sendable, CaseIterable {
    /// Closes it and empties its window.
    case reset
    /// Keeps it open until reset, whatever its calls do.
    case open
    /// Lets every call through and records nothing until reset.
    case disable

    /// Changes `record` and returns the transition to record.
    public func apply(to record: inout BreakerRecord, now: Date) -> (from: String, to: String, reason: String) {
        let before = "\(record.state)/\(record.mode)"
        switch self {
        case .reset:
            record = BreakerRecord.closed(record.name, at: now)
            return (before, "closed/normal", "reset by an operator")
        case .open:
            record.mode = "forced_open"
            return (before, "\(record.state)/forced_open", "forced open by an operator")
        case .disable:
            record.mode = "disabled"
            return (before, "\(record.state)/disabled", "disabled by an operator")
        }
    }

    /// The audit log's name for it (`breaker.reset`).
    public var auditAction: String { "breaker.\(rawValue)" }
}

/// Who the audit log says acted.
public enum AuditActor {
    /// The command line on the store's machine: `cli:USER`.
    public static var commandLine: String {
        let environment = ProcessInfo.processInfo.environment
        if let user = environment["USER"] ?? environment["LOGNAME"], !user.isEmpty { return "cli:" + user }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return "cli:" + String(cString: name) }
        return "cli:uid\(getuid())"
    }
}
