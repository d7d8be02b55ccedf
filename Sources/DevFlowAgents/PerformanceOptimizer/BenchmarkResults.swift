import Foundation

/// Benchmark results files: hyperfine `--export-json`, Google Benchmark `--benchmark_format=json` and
/// pytest-benchmark `--benchmark-json`, each read as "benchmark name → seconds" (lower is better).
enum BenchmarkResults {
    /// Reads one results file; the format is recognised from its shape.
    static func read(_ data: Data, path: String) throws -> (format: String, seconds: [String: Double]) {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw BuiltInAgentError("benchmark results '\(path)' is not a JSON object")
        }
        if let results = root["results"] as? [[String: Any]] {
            var seconds: [String: Double] = [:]
            for result in results {
                guard let command = result["command"] as? String, let mean = number(result["mean"]) else {
                    throw BuiltInAgentError("benchmark results '\(path)': a hyperfine result lacks command or mean")
                }
                seconds[command] = mean
            }
            return ("hyperfine", seconds)
        }
        guard let benchmarks = root["benchmarks"] as? [[String: Any]] else {
            throw BuiltInAgentError(
                "benchmark results '\(path)' is not hyperfine, Google Benchmark or pytest-benchmark JSON")
        }
        if root["machine_info"] != nil || benchmarks.first?["stats"] != nil {
            var seconds: [String: Double] = [:]
            for benchmark in benchmarks {
                guard let name = (benchmark["fullname"] ?? benchmark["name"]) as? String,
                    let stats = benchmark["stats"] as? [String: Any], let mean = number(stats["mean"])
                else {
                    throw BuiltInAgentError("benchmark results '\(path)': a pytest-benchmark entry lacks stats.mean")
                }
                seconds[name] = mean
            }
            return ("pytest-benchmark", seconds)
        }
        // Google Benchmark: prefer the `mean` aggregates when repetitions were run.
        let aggregates = benchmarks.filter { ($0["run_type"] as? String) == "aggregate" }
        let chosen =
            aggregates.isEmpty
            ? benchmarks : aggregates.filter { ($0["aggregate_name"] as? String) == "mean" }
        var seconds: [String: Double] = [:]
        for benchmark in chosen {
            guard var name = benchmark["name"] as? String, let time = number(benchmark["real_time"]) else {
                throw BuiltInAgentError("benchmark results '\(path)': a Google Benchmark entry lacks name or real_time")
            }
            if let runName = benchmark["run_name"] as? String, !aggregates.isEmpty { name = runName }
            let scale: Double =
                switch benchmark["time_unit"] as? String ?? "ns" {
                case "s": 1
                case "ms": 1e-3
                case "us": 1e-6
                default: 1e-9
                }
            seconds[name] = time * scale
        }
        return ("Google Benchmark", seconds)
    }

    static func number(_ value: Any?) -> Double? {
        (value as? NSNumber)?.doubleValue
    }

    /// The 1-based line of the first mention of `name` in the file, for anchoring a finding.
    static func line(of name: String, in data: Data) -> Int {
        let text = String(decoding: data, as: UTF8.self)
        let escaped =
            (try? JSONSerialization.data(withJSONObject: [name]))
            .map { String(decoding: $0, as: UTF8.self).dropFirst().dropLast() }.map(String.init) ?? "\"\(name)\""
        guard let range = text.range(of: escaped) ?? text.range(of: name) else { return 1 }
        return text[..<range.lowerBound].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
    }
}
