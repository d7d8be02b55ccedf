import Foundation

/// Finds string literals that contain an SQL statement and are joined to other values.
enum SecurityGuardianSQLScanner {
    struct Hit {
        let range: NSRange
        let how: String
    }

    private static let quote: UInt16 = 34, apostrophe: UInt16 = 39, backtick: UInt16 = 96, backslash: UInt16 = 92

    static func scan(_ u: [UInt16], keyword: NSRegularExpression, format: NSRegularExpression) -> [Hit] {
        var hits: [Hit] = []
        var i = 0
        let n = u.count
        while i < n {
            let c = u[i]
            guard c == quote || c == apostrophe || c == backtick else {
                i += 1
                continue
            }
            // Prefix letters glued to the quote: f"", F"", r"", b"", $"", @"", $@"".
            var prefixStart = i
            while prefixStart > 0, isPrefix(u[prefixStart - 1]) { prefixStart -= 1 }
            if prefixStart > 0, isIdentifier(u[prefixStart - 1]) { prefixStart = i }
            let prefix = String(decoding: u[prefixStart..<i], as: UTF16.self).lowercased()
            // Triple quotes.
            let triple = i + 2 < n && u[i + 1] == c && u[i + 2] == c
            let open = triple ? 3 : 1
            var j = i + open
            var closeEnd = n
            while j < n {
                if u[j] == backslash {
                    j += 2
                    continue
                }
                if u[j] == c {
                    if !triple {
                        closeEnd = j + 1
                        break
                    }
                    if j + 2 < n, u[j + 1] == c, u[j + 2] == c {
                        closeEnd = j + 3
                        break
                    }
                }
                j += 1
            }
            let contentStart = i + open
            let contentEnd = closeEnd == n && (j >= n) ? n : closeEnd - open
            defer { i = max(closeEnd, i + 1) }
            guard contentEnd > contentStart else { continue }
            let content = String(decoding: u[contentStart..<contentEnd], as: UTF16.self)
            let contentLength = (content as NSString).length
            guard keyword.firstMatch(in: content, range: NSRange(location: 0, length: contentLength)) != nil else {
                continue
            }
            if let how = joined(
                u, prefix: prefix, prefixStart: prefixStart, content: content, closeEnd: closeEnd, format: format)
            {
                hits.append(Hit(range: NSRange(location: prefixStart, length: closeEnd - prefixStart), how: how))
            }
        }
        return hits
    }

    private static func joined(
        _ u: [UInt16], prefix: String, prefixStart: Int, content: String, closeEnd: Int, format: NSRegularExpression
    ) -> String? {
        if content.contains("${") { return "`${…}` interpolation" }
        if content.contains("\\(") { return "`\\(…)` interpolation" }
        if content.contains("#{") { return "`#{…}` interpolation" }
        if (prefix.contains("f") || prefix.contains("$")), content.contains("{") {
            return "`{…}` interpolation"
        }
        // After the literal.
        var k = closeEnd
        while k < u.count, u[k] == 32 || u[k] == 9 { k += 1 }
        if k < u.count {
            let rest = String(decoding: u[k..<min(u.count, k + 8)], as: UTF16.self)
            if rest.hasPrefix("+"), !rest.hasPrefix("+=") { return "`+` concatenation" }
            if rest.hasPrefix("%"), !rest.hasPrefix("%=") { return "`%` formatting" }
            if rest.hasPrefix(".format(") { return "`.format(…)`" }
            if rest.hasPrefix("..") { return "`..` concatenation" }
            if rest.hasPrefix("."), k > closeEnd {
                let after = rest.dropFirst().drop(while: { $0 == " " })
                if after.hasPrefix("$") { return "`.` concatenation" }
            }
        }
        // Before the literal.
        var b = prefixStart - 1
        while b >= 0, u[b] == 32 || u[b] == 9 { b -= 1 }
        if b >= 0 {
            if u[b] == 43, b == 0 || u[b - 1] != 43 { return "`+` concatenation" }  // "+" but not "++"
            if u[b] == 46, b > 0, u[b - 1] == 32 || u[b - 1] == 9 { return "`.` concatenation" }
        }
        let before = String(decoding: u[0..<prefixStart], as: UTF16.self)
        let beforeLength = (before as NSString).length
        if content.range(of: "%[sdvq]", options: .regularExpression) != nil,
            format.firstMatch(in: before, range: NSRange(location: 0, length: beforeLength)) != nil
        {
            return "a format call"
        }
        return nil
    }

    private static func isPrefix(_ c: UInt16) -> Bool {
        switch c {
        case 102, 70, 114, 82, 98, 66, 117, 85, 36, 64: true  // f F r R b B u U $ @
        default: false
        }
    }

    private static func isIdentifier(_ c: UInt16) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95
    }
}
