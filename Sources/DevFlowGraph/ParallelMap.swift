import Dispatch
import Foundation

/// Maps independent work over all cores, keeping the input order (lint's files, the graph's canonical JSON in
/// slices, style-enforcer's files).
public enum ParallelMap {
    /// `transform` applied to every element, concurrently; results in input order.
    public static func map<Element: Sendable, Result: Sendable>(
        _ elements: [Element], _ transform: @Sendable (Element) -> Result
    ) -> [Result] {
        guard elements.count > 1 else { return elements.map(transform) }
        let results = Slots<Result>(count: elements.count)
        DispatchQueue.concurrentPerform(iterations: elements.count) { index in
            results.store(transform(elements[index]), at: index)
        }
        return results.values()
    }

    /// One slot per result; each index is written by exactly one iteration, under a lock.
    private final class Slots<Value: Sendable>: @unchecked Sendable {
        private var storage: [Value?]
        private let lock = NSLock()

        init(count: Int) { storage = Array(repeating: nil, count: count) }

        func store(_ value: Value, at index: Int) {
            lock.lock()
            storage[index] = value
            lock.unlock()
        }

        func values() -> [Value] { storage.map { $0! } }
    }
}
