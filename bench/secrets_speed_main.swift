// The driver of bench/secrets-speed.sh: scans the given files with SecurityGuardian in-process.
// Usage: sg [--repeat N] FILE... | @LIST ; findings on stdout (file, line, rule), best scan time and MB/s on stderr.
import Foundation

var args = Array(CommandLine.arguments.dropFirst())
var repeats = 1
if args.first == "--repeat" { repeats = Int(args[1])!; args.removeFirst(2) }
args = args.flatMap { arg -> [String] in
    guard arg.hasPrefix("@"), let list = try? String(contentsOfFile: String(arg.dropFirst()), encoding: .utf8) else { return [arg] }
    return list.split(separator: "\n").map(String.init)
}
var inputs: [(String, [(number: Int, text: String)])] = []
var bytes = 0
for path in args {
    guard let data = FileManager.default.contents(atPath: path) else { continue }
    bytes += data.count
    let text = String(decoding: data, as: UTF8.self)
    var lines: [(number: Int, text: String)] = []
    var n = 0
    for l in text.split(separator: "\n", omittingEmptySubsequences: false) { n += 1; lines.append((number: n, text: String(l))) }
    inputs.append((path, lines))
}
let g = SecurityGuardian()
var out = ""
let clock = ContinuousClock()
var best = Double.infinity
for _ in 0..<repeats {
    out = ""
    let t = clock.measure { for (path, lines) in inputs { for f in g.scan(file: path, lines: lines) { out += "\(path)\t\(f.line)\t\(f.rule)\n" } } }
    best = min(best, Double(t.components.seconds) + Double(t.components.attoseconds) / 1e18)
}
FileHandle.standardOutput.write(Data(out.utf8))
FileHandle.standardError.write(Data(String(format: "%d bytes, best of %d: %.3f s, %.2f MB/s\n", bytes, repeats, best, Double(bytes) / 1e6 / best).utf8))
