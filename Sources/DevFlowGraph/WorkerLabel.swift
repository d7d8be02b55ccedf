/// Worker labels: what a worker offers (`devflow worker --labels`) and a pipeline asks for (`runs_on:`). A run goes
/// only to a worker that has every label it asks for.
public enum WorkerLabel {
    /// Whether `label` is 1 to 64 ASCII letters, digits, `.`, `_` or `-`.
    public static func isValid(_ label: String) -> Bool {
        let bytes = label.utf8
        return !bytes.isEmpty && bytes.count <= 64
            && bytes.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2E || byte == 0x5F || byte == 0x2D
            }
    }

    /// What is wrong with the first invalid label of `labels`, or nil when all are valid.
    public static func problem(_ labels: [String]) -> String? {
        labels.first { !isValid($0) }.map {
            "invalid worker label '\($0)': a label is 1 to 64 letters, digits, '.', '_' or '-', like 'linux' or 'x86_64'"
        }
    }

    /// The labels every worker has without asking: its operating system and architecture (`linux`, `x86_64`).
    public static var implicit: [String] {
        #if os(Linux)
            let system = "linux"
        #elseif os(macOS)
            let system = "macos"
        #else
            let system = "unknown"
        #endif
        #if arch(x86_64)
            let architecture = "x86_64"
        #elseif arch(arm64)
            let architecture = "aarch64"
        #else
            let architecture = "unknown"
        #endif
        return [system, architecture]
    }

    /// `requested` labels that `offered` lacks, in order.
    public static func missing(_ requested: [String], from offered: [String]) -> [String] {
        let have = Set(offered)
        return requested.filter { !have.contains($0) }
    }
}
