/// The templates and assets embedded in the binary (SwiftPM's `embedInCode`), by name. Every file under
/// `Templates/` and `Assets/` must be listed here; a test checks the lists against the folders.
public enum DashboardResources {
    /// Mustache templates by name (`runs` for `Templates/runs.mustache`); `head` and `foot` are partials.
    static let templates: [String: [UInt8]] = [
        "head": PackageResources.head_mustache, "foot": PackageResources.foot_mustache,
        "sign-in": PackageResources.sign_in_mustache, "error": PackageResources.error_mustache,
        "runs": PackageResources.runs_mustache, "run": PackageResources.run_mustache,
        "log": PackageResources.log_mustache, "breakers": PackageResources.breakers_mustache,
        "dora": PackageResources.dora_mustache, "insights": PackageResources.insights_mustache,
    ]

    /// A static file served under `/assets/`.
    public struct Asset: Sendable {
        /// Its bytes.
        public let bytes: [UInt8]
        /// Its `Content-Type`.
        public let contentType: String
        /// A strong validator of its bytes, for `ETag`.
        public let etag: String
    }

    /// The files served under `/assets/NAME`.
    public static let assets: [String: Asset] = {
        let files: [(String, [UInt8])] = [
            ("dashboard.css", PackageResources.dashboard_css), ("dashboard.js", PackageResources.dashboard_js),
            ("log-viewer.css", PackageResources.log_viewer_css), ("log-viewer.js", PackageResources.log_viewer_js),
            ("run-graph.css", PackageResources.run_graph_css), ("run-graph.js", PackageResources.run_graph_js),
        ]
        var table: [String: Asset] = [:]
        for (name, bytes) in files {
            let type = name.hasSuffix(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8"
            table[name] = Asset(bytes: bytes, contentType: type, etag: "\"\(fingerprint(bytes))\"")
        }
        return table
    }()

    /// One fingerprint of every asset: pages link `/assets/NAME?v=VERSION`, so a new binary's assets are fetched
    /// anew while a browser may keep the old ones forever.
    public static let version: String = fingerprint(
        assets.keys.sorted().flatMap { name in Array(name.utf8) + (assets[name]?.bytes ?? []) })

    /// FNV-1a, 64 bits, as 16 hex digits: a cache key, not a security check.
    static func fingerprint(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
