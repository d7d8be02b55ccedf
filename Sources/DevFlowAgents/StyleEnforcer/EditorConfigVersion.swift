/// A version of the EditorConfig specification, `major.minor.patch`; the reference command's `-b` picks the one
/// whose rules apply (before 0.9.0, `indent_style = tab` did not imply `indent_size = tab`).
public struct EditorConfigVersion: Comparable, Sendable, CustomStringConvertible {
    /// The version this resolution follows.
    public static let current = EditorConfigVersion(0, 17, 2)

    /// The three numbers.
    public let major: Int, minor: Int, patch: Int

    /// `major.minor.patch`.
    public init(_ major: Int, _ minor: Int, _ patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses `1`, `1.2` or `1.2.3` (missing numbers are 0); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.allSatisfy(\.isASCII), let number = Int(part), number >= 0 else { return nil }
            numbers.append(number)
        }
        while numbers.count < 3 { numbers.append(0) }
        self.init(numbers[0], numbers[1], numbers[2])
    }

    /// `major.minor.patch`.
    public var description: String { "\(major).\(minor).\(patch)" }

    /// Compares major, then minor, then patch.
    public static func < (left: Self, right: Self) -> Bool {
        (left.major, left.minor, left.patch) < (right.major, right.minor, right.patch)
    }
}
