import DevFlowAgents
import Testing

/// The glob rules of the EditorConfig specification ("Glob Expressions"), one row per rule or corner, with the
/// path relative to the `.editorconfig`'s directory.
@Suite("EditorConfig globs, as specified")
struct EditorConfigGlobTests {
    static let cases: [(glob: String, path: String, matches: Bool)] = [
        // `*`: any characters but `/`; a glob without `/` matches at any depth.
        ("*", "a.c", true), ("*", "dir/.editorconfig", true), ("*.c", "sub/dir/x.c", true),
        ("a*e.c", "ace.c", true), ("a*e.c", "ae.c", true), ("a*e.c", "abcde.c", true), ("a*e.c", "a/e.c", false),
        ("Bar/*", "Bar/foo.txt", true), ("Bar/*", "bat/Bar/foo.txt", false), ("Bar/*", "Bar/x/y", false),
        // `**`: any characters; `**/` and `/**/` also match zero folders.
        ("a**z.c", "a/mn/z.c", true), ("a**z.c", "amnz.c", true), ("b/**z.c", "b/z.c", true),
        ("b/**z.c", "b/mn/z.c", true), ("b/**z.c", "bmnz.c", false), ("c**/z.c", "c/z.c", true),
        ("c**/z.c", "cmn/z.c", true), ("c**/z.c", "c/mnz.c", false), ("d/**/z.c", "d/z.c", true),
        ("d/**/z.c", "d/mn/z.c", true), ("d/**/z.c", "d/mnz.c", false), ("d/**/z.c", "dmn/z.c", false),
        ("**/z.c", "z.c", true), ("/**/z.c", "a/b/z.c", true), ("**", "a/b/c", true),
        // `?`: one character, never `/`; a multi-byte character counts as one.
        ("som?.c", "some.c", true), ("som?.c", "som.c", false), ("som?.c", "something.c", false),
        ("som?.c", "som/.c", false), ("?.txt", "é.txt", true), ("??.txt", "é.txt", false),
        // `[seq]` and `[!seq]`: ranges, escapes, everything else literal.
        ("[ab].a", "a.a", true), ("[ab].a", "c.a", false), ("[!ab].b", "c.b", true), ("[!ab].b", "a.b", false),
        ("[d-g].c", "f.c", true), ("[d-g].c", "h.c", false), ("[!d-g].d", "h.d", true), ("[!d-g].d", "f.d", false),
        ("[abd-g].e", "e.e", true), ("[-ab].f", "-.f", true), ("[\\]ab].g", "].g", true),
        ("[\\]ab].g", "c.g", false), ("[ab]].g", "b].g", true), ("[!\\]ab].g", "c.g", true),
        ("[!\\]ab].g", "].g", false), ("[!ab]].g", "c].g", true), ("x[ab*c{1..2}]", "x*", true),
        ("x[ab*c{1..2}]", "x{", true), ("x[ab*c{1..2}]", "x.", true), ("x[ab*c{1..2}]", "x5", false),
        ("[中文].txt", "文.txt", true), ("a[!b]c", "a/c", false), ("[ab", "[ab", true),
        // A bracket holding `/` is literal text.
        ("ab[e/]cd.i", "ab[e/]cd.i", true), ("ab[e/]cd.i", "abecd.i", false), ("ab[e/]cd.i", "ab/cd.i", false),
        ("ab[/c", "ab[/c", true),
        // `{s1,s2}`: alternatives, nested, empty ones; `{single}`, `{}` and unbalanced braces are literal.
        ("*.{py,js,html}", "test.js", true), ("*.{py,js,html}", "test.pyc", false),
        ("{single}.b", "{single}.b", true), ("{single}.b", "single.b", false), ("{}.c", "{}.c", true),
        ("{}.c", ".c", false), ("a{b,c,}.d", "a.d", true), ("a{b,c,}.d", "ac.d", true), ("a{b,c,}.d", "a,.d", false),
        ("a{,b,,c,}.e", "ab.e", true), ("{.f", "{.f", true), ("{.f", ".f", false),
        ("{word,{also},this}.g", "{also}.g", true), ("{word,{also},this}.g", "also.g", false),
        ("{word,{also},this}.g", "this.g", true), ("{{a,b},c}.k", "b.k", true), ("{{a,b},c}.k", "{a,b}.k", false),
        ("{a,{b,c}}.l", "c.l", true), ("{},b}.h", "{},b}.h", true), ("{{,b,c{d}.i", "{{,b,c{d}.i", true),
        ("{{,b,c{d}.i", "b.i", false), ("{a\\,b,cd}.txt", "a,b.txt", true), ("{a\\,b,cd}.txt", "a.txt", false),
        ("{e,\\},f}.txt", "}.txt", true), ("{g,\\\\,i}.txt", "\\.txt", true), ("{some,a{*c,b}[ef]}.j", "abce.j", true),
        ("{some,a{*c,b}[ef]}.j", "abg.j", false), ("{some,a{*c,b}[ef]}.j", "ae.j", false),
        // `{num1..num2}`: signed integers in range, no leading zeros; a reversed range matches nothing.
        ("{3..120}", "3", true), ("{3..120}", "120", true), ("{3..120}", "121", false), ("{3..120}", "1", false),
        ("{3..120}", "060", false), ("{3..120}", "5a", false), ("{-4..4}", "-3", true), ("{-4..4}", "0", true),
        ("{-4..4}", "-5", false), ("{3..1}", "2", false), ("file{1..3}.txt", "file2.txt", true),
        ("file{1..3}.txt", "file4.txt", false), ("{aardvark..antelope}", "{aardvark..antelope}", true),
        ("{aardvark..antelope}", "agreement", false),
        // `\` escapes.
        ("test\\;.c", "test;.c", true), ("\\*.c", "*.c", true), ("\\*.c", "a.c", false),
        ("windows\\\\separator2", "windows\\separator2", true), ("windows\\separator", "windowsseparator", true),
        // A glob with `/` is anchored to the .editorconfig's directory; a trailing `/` matches no file.
        ("path/separator", "path/separator", true), ("path/separator", "nested/path/separator", false),
        ("/top/of/path", "top/of/path", true), ("/top/of/path", "not/top/of/path", false), ("sub/", "sub/a", false),
        ("Makefile", "sub/Makefile", true), ("中文.txt", "中文.txt", true),
    ]

    @Test("each rule of the specification", arguments: cases)
    func glob(_ glob: String, _ path: String, _ matches: Bool) {
        #expect(EditorConfigGlob(glob).matches(path) == matches, "\(glob) on \(path)")
    }

    @Test("a pathological glob answers quickly and does not overflow")
    func pathological() {
        let glob = EditorConfigGlob(String(repeating: "*a", count: 12) + "b")
        #expect(!glob.matches(String(repeating: "a", count: 30)))
        #expect(
            EditorConfigGlob(String(repeating: "{", count: 500) + String(repeating: "}", count: 500)).matches(
                String(repeating: "{", count: 500) + String(repeating: "}", count: 500)))
    }
}
