import Foundation

/// `jwt`: a JSON Web Token, signed or not, or a base64-encoded one.
///
/// A JWT (RFC 7519) is `header.payload.signature` in base64url, where header and payload are JSON
/// objects, so both start with `ey` (`{"` encoded). Unsigned tokens (`"alg":"none"`) end with an
/// empty signature after the second `.` and are reported too: they are still credentials for any
/// service that accepts them, and the message says they are unsigned. A JWT that was base64-encoded
/// again (`ZXlK…`, as in Kubernetes secrets) is decoded and reported when it holds a JWT.
enum JWTRule {
    static let rule = TokenRule(
        id: "jwt", kind: "JSON Web Token",
        pattern:
            "(?<![A-Za-z0-9_-])(ey[A-Za-z0-9_-]{10,}\\.ey[A-Za-z0-9_\\-/\\\\]{10,}\\.(?:[A-Za-z0-9_\\-/\\\\]{10,}={0,2})?)"
            + "|(?<![A-Za-z0-9+/_-])(ZXlK[A-Za-z0-9+/_-]{40,}={0,2})",
        keywords: [".ey", "zxlk"],
        examples: GuardianExamples(
            triggering: [
                "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ⟨a30⟩.⟨u43⟩",
                "String tokenWithNoneAlg = \"eyJhbGciOiJub25lIn0.eyJ⟨u26⟩.\";",
                "id_token: eyJ⟨a40⟩.eyJ⟨u60⟩.",
                "token: ⟨jwt64⟩",
            ],
            nonTriggering: [
                "header starts with eyJhbGci",
                "x = eyJabc.def.ghi",
                "data: ZXlKaGVsbG8iOiJ3b3JsZCJ9ZXlKaGVsbG8iOiJ3b3JsZCJ9ZXlKaGVsbG8i",
            ]),
        validate: verdict)

    /// A JWT is reported (unsigned ones say so); a base64 blob only when it decodes to a JWT.
    static func verdict(_ value: String) -> TokenVerdict {
        if value.hasPrefix("ZXlK") {
            var text = value.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            text = text.trimmingCharacters(in: CharacterSet(charactersIn: "="))
            while text.utf8.count % 4 != 0 { text += "=" }
            guard let data = Data(base64Encoded: text) else { return .notSecret }
            let decoded = String(decoding: data, as: UTF8.self)
            let parts = decoded.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0].hasPrefix("eyJ"), parts[1].hasPrefix("ey") else { return .notSecret }
            return .verified("base64-encoded")
        }
        if SecretValue.isPlaceholder(value) || SecretValue.entropy(value) < 3.0 { return .notSecret }
        return value.hasSuffix(".") ? .verified("unsigned") : .secret
    }
}
