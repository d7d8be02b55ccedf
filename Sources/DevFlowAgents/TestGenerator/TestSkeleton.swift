import DevFlowGraph
import Foundation

/// Test skeletons that name the functions to test and are skipped until written (so they never pass vacuously).
enum TestSkeleton {
    /// The lines of a skeleton test file at `target` for `source`.
    static func make(
        language: String, source: String, target: String, values: [String: String], functions: [String],
        sourceText: String?
    ) -> [String] {
        let name = values["name"] ?? PathName.deletingExtension(PathName.lastComponent(of: source))
        let names = functions.isEmpty ? [name] : functions
        switch language {
        case "python":
            var module = PathName.deletingExtension(source)
            if module.hasPrefix("src/") { module.removeFirst(4) }
            var lines = [
                "import pytest", "",
                "from \(module.replacingOccurrences(of: "/", with: ".")) import \(functions.isEmpty ? "*  # noqa: F403" : functions.joined(separator: ", "))",
            ]
            for function in names {
                lines += [
                    "", "", "@pytest.mark.skip(reason=\"write this test\")", "def test_\(function)():", "    ...",
                ]
            }
            return lines
        case "javascript":
            var relative = relativePath(from: PathName.parent(of: target), to: source)
            relative = PathName.deletingExtension(relative)
            if !relative.hasPrefix(".") { relative = "./" + relative }
            var lines: [String] = []
            if !functions.isEmpty {
                lines += ["import { \(functions.joined(separator: ", ")) } from \"\(relative)\";", ""]
            }
            lines += ["describe(\"\(name)\", () => {"]
            for function in names { lines.append("  test.todo(\"\(function)\");") }
            return lines + ["});"]
        case "go":
            let package =
                sourceText?.split(separator: "\n").first { $0.hasPrefix("package ") }.map {
                    String($0.dropFirst(8)).trimmingCharacters(in: .whitespaces)
                } ?? "main"
            var lines = ["package \(package)", "", "import \"testing\""]
            for function in names {
                lines += [
                    "", "func Test\(function.prefix(1).uppercased() + function.dropFirst())(t *testing.T) {",
                    "\tt.Skip(\"write this test: \(function)\")", "}",
                ]
            }
            return lines
        default:
            let module = values["module"] ?? name
            var lines = ["import Testing", "", "@testable import \(module)", "", "@Suite struct \(name)Tests {"]
            for (index, function) in names.enumerated() {
                if index > 0 { lines.append("") }
                lines += [
                    "    @Test(.disabled(\"write this test\")) func \(function)() {",
                    "        // Call \(function)(…) and #expect what it returns.", "    }",
                ]
            }
            return lines + ["}"]
        }
    }

    /// `to` relative to the directory `from` (both workspace-relative).
    static func relativePath(from directory: String, to path: String) -> String {
        let base = directory.split(separator: "/")
        let target = path.split(separator: "/")
        var common = 0
        while common < base.count, common < target.count - 1, base[common] == target[common] { common += 1 }
        let ups = Array(repeating: "..", count: base.count - common)
        return (ups + target[common...].map(String.init)).joined(separator: "/")
    }
}
