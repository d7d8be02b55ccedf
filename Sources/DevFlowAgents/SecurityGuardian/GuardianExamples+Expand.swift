import Foundation

extension GuardianExamples {
    /// Expands the `⟨…⟩` templates of an example with characters drawn from `seed` (xorshift64),
    /// so the same example always yields the same line.
    static func expand(_ template: String, seed: UInt64) -> String {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        func draw(_ alphabet: [Character], _ count: Int) -> String {
            String((0..<count).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] })
        }
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "⟨"), let close = rest[open...].firstIndex(of: "⟩") {
            out += rest[..<open]
            let spec = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            if spec == "jwt64" {
                let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ" + draw(Self.alnum, 30) + "." + draw(Self.alnum, 43)
                out += Data(jwt.utf8).base64EncodedString()
                continue
            }
            if spec == "ghp" {
                let random = draw(Self.alnum, 30)
                out += random + String(decoding: GitHubTokenRule.checksum(Array(random.utf8)), as: UTF8.self)
                continue
            }
            guard let kind = spec.first, let count = Int(spec.dropFirst()), let alphabet = Self.alphabets[kind] else {
                preconditionFailure("unknown example template ⟨\(spec)⟩")
            }
            out += draw(alphabet, count)
        }
        return out + rest
    }

    private static let alnum = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    private static let alphabets: [Character: [Character]] = [
        "a": alnum,
        "l": Array("abcdefghijklmnopqrstuvwxyz0123456789"),
        "U": Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
        "h": Array("0123456789abcdef"),
        "d": Array("0123456789"),
        "b": alnum + ["+", "/"],
        "u": alnum + ["-", "_"],
    ]
}
