import DevFlowStore
import Foundation

extension DashboardPage {
    /// The breakers: state, mode, recent transitions (newest first) and the failure rate of the calls in the
    /// breaker's window; `canOperate` shows reset / open / disable.
    public static func breakers(
        _ breakers: [(BreakerRecord, [BreakerTransitionRecord])], canOperate: Bool, notice: String? = nil
    ) -> DashboardPage {
        let rows = breakers.map { breaker, transitions -> [String: Any] in
            let recent = transitions.suffix(10).reversed().map { transition -> [String: Any] in
                var row: [String: Any] = [
                    "at": DisplayFormat.iso(transition.at), "atText": DisplayFormat.text(transition.at),
                    "from": DisplayFormat.label(transition.fromState), "to": DisplayFormat.label(transition.toState),
                    "reason": transition.reason,
                ]
                if let run = transition.runId { row["run"] = String(run) }
                return row
            }
            var row: [String: Any] = [
                "name": breaker.name, "pathName": DisplayFormat.pathSegment(breaker.name), "state": breaker.state,
                "stateLabel": DisplayFormat.label(breaker.state), "mode": breaker.mode,
                "failureRate": failureRate(window: breaker.window), "transitions": Array(recent),
                "hasTransitions": !recent.isEmpty,
            ]
            if let opened = breaker.openedAt {
                row["openedAt"] = DisplayFormat.iso(opened)
                row["openedText"] = DisplayFormat.text(opened)
            }
            return row
        }
        return DashboardPage(
            "breakers", title: "Breakers",
            ["breakers": rows, "hasBreakers": !rows.isEmpty, "canOperate": canOperate, "notice": notice])
    }

    /// `3 of 10 calls failed (30%)` from the window JSON (`[{"at": …, "ok": true}]`); `no calls yet` when empty.
    static func failureRate(window: String) -> String {
        guard let calls = try? JSONSerialization.jsonObject(with: Data(window.utf8)) as? [[String: Any]],
            !calls.isEmpty
        else { return "no calls in the window" }
        let failed = calls.filter { ($0["ok"] as? Bool) == false }.count
        return
            "\(failed) of \(calls.count) calls failed (\(DisplayFormat.percent(Double(failed) / Double(calls.count))))"
    }
}
