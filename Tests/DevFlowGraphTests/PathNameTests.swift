import DevFlowGraph
import Testing

/// Byte-level path names: the cases that crashed Foundation's path methods, and properties over random names.
@Suite("path names")
struct PathNameTests {
    @Test(
        "one-character components at the root and deeper",
        arguments: [
            ("a/bc.c", "a", "bc.c", "c"), ("x", "", "x", ""), ("R/s/t.c", "R/s", "t.c", "c"),
            ("c/d", "c", "d", ""), ("ab/c/d.e", "ab/c", "d.e", "e"), ("a/b/", "a", "b", ""),
            ("/a", "/", "a", ""), (".bashrc", "", ".bashrc", ""), ("d/.x.y", "d", ".x.y", "y"),
            ("é/ü.swift", "é", "ü.swift", "swift"), ("a//b", "a", "b", ""),
        ])
    func components(path: String, parent: String, last: String, suffix: String) {
        #expect(PathName.parent(of: path) == parent)
        #expect(PathName.lastComponent(of: path) == last)
        #expect(PathName.extension(of: path) == suffix)
    }

    @Test("extensions removed from the last component only")
    func deletingExtension() {
        #expect(PathName.deletingExtension("a/b.tar.gz") == "a/b.tar")
        #expect(PathName.deletingExtension("a.b/c") == "a.b/c")
        #expect(PathName.deletingExtension("x/.bashrc") == "x/.bashrc")
        #expect(PathName.deletingExtension("s/t.c") == "s/t")
    }

    @Test("join puts one slash between parts")
    func join() {
        #expect(PathName.join("", "a") == "a")
        #expect(PathName.join("a", "") == "a")
        #expect(PathName.join("a/", "b") == "a/b")
        #expect(PathName.join("/tmp", "x.json") == "/tmp/x.json")
    }

    @Test("random relative paths: parent and last component put the path back together")
    func property() {
        var generator = SplitMix(seed: 0x5eed)
        let alphabet = Array("abcRxyz.-_é1 ")
        for _ in 0..<5_000 {
            let depth = Int(generator.next() % 5) + 1
            let parts = (0..<depth).map { _ in
                String(
                    (0..<(Int(generator.next() % 4) + 1)).map { _ in
                        alphabet[Int(generator.next() % UInt64(alphabet.count))]
                    })
            }
            let path = parts.joined(separator: "/")
            #expect(PathName.join(PathName.parent(of: path), PathName.lastComponent(of: path)) == path)
            #expect(PathName.components(of: path) == parts)
            #expect(PathName.lastComponent(of: path) == parts.last)
            var directory = path
            var steps = 0
            while !directory.isEmpty {
                directory = PathName.parent(of: directory)
                steps += 1
            }
            #expect(steps == depth)
        }
    }
}

/// A small deterministic generator, so the property test sees the same paths on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
