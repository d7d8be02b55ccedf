/// How much a step may publish through one of its files (`$DEVFLOW_OUTPUT`, `$DEVFLOW_ENV`) or an agent's answer.
/// Every limit is enforced with an error that names what is too large and by how much; nothing is ever dropped.
///
/// Outputs follow GitHub Actions (1 MB per output, 1 MB for all the outputs of a job): one value and all the values
/// of one step may each hold 1 MiB. The file itself may be twice that, which leaves room for names, delimiters and
/// names written more than once (the last one wins). Environment variables are smaller because Linux refuses to
/// start a program whose `NAME=value` string is longer than 128 KiB (`MAX_ARG_STRLEN`), and all of the environment
/// and the arguments share `ARG_MAX` (2 MiB by default).
public struct OutputLimits: Sendable, Equatable {
    /// The largest file, in bytes; the runner reads at most one byte more.
    public var fileBytes: Int
    /// The largest single value, in bytes of UTF-8.
    public var valueBytes: Int
    /// The largest sum of the values of one step, in bytes of UTF-8.
    public var totalBytes: Int

    /// Creates limits.
    public init(fileBytes: Int, valueBytes: Int, totalBytes: Int) {
        self.fileBytes = fileBytes
        self.valueBytes = valueBytes
        self.totalBytes = totalBytes
    }

    /// `$DEVFLOW_OUTPUT` and agents' outputs: 1 MiB per value, 1 MiB per step, a 2 MiB file.
    public static let outputs = OutputLimits(fileBytes: 2 << 20, valueBytes: 1 << 20, totalBytes: 1 << 20)
    /// `$DEVFLOW_ENV`: 64 KiB per variable, 256 KiB per step, a 512 KiB file.
    public static let environment = OutputLimits(fileBytes: 512 << 10, valueBytes: 64 << 10, totalBytes: 256 << 10)
    /// `$DEVFLOW_SUMMARY`: 1 MiB of Markdown per step, as GitHub's step summaries.
    public static let summary = OutputLimits(fileBytes: 1 << 20, valueBytes: 1 << 20, totalBytes: 1 << 20)

    /// `1.5 MiB (1572864 bytes)`, `64 KiB`, `12 bytes`: sizes as people read them, exact when it matters.
    static func describe(_ bytes: Int, exact: Bool = true) -> String {
        let rounded: String
        if bytes >= 1 << 20 {
            rounded = unit(bytes, 1 << 20, "MiB")
        } else if bytes >= 1 << 10 {
            rounded = unit(bytes, 1 << 10, "KiB")
        } else {
            return "\(bytes) byte\(bytes == 1 ? "" : "s")"
        }
        return exact && bytes % (1 << 10) != 0 ? "\(rounded) (\(bytes) bytes)" : rounded
    }

    private static func unit(_ bytes: Int, _ size: Int, _ name: String) -> String {
        if bytes % size == 0 { return "\(bytes / size) \(name)" }
        let tenths = (bytes * 10 + size / 2) / size
        return "\(tenths / 10).\(tenths % 10) \(name)"
    }
}
