import DevFlowAgents
import DevFlowTestSupport
import Foundation
import Testing

/// The file format, the file processing and the supported pairs of the EditorConfig specification, with the
/// specification's own examples where it gives one.
@Suite("EditorConfig files and resolution, as specified")
struct EditorConfigTests {
    static func pairs(_ section: EditorConfigFile.Section) -> [String] { section.pairs.map { "\($0.key)=\($0.value)" } }

    @Test("no inline comments: ';' and '#' after the start of a line are text")
    func noInlineComments() {
        let file = EditorConfigFile(text: "[*.txt]\nfoo = editorconfig ;)\nbar = value # not comment\n# comment\n")
        #expect(file.sections.count == 1)
        #expect(Self.pairs(file.sections[0]) == ["foo=editorconfig ;)", "bar=value # not comment"])
    }

    @Test("keys are lowercased; values only for the properties whose values are case-insensitive")
    func lowercasing() {
        let file = EditorConfigFile(text: "[*]\nIndent_Style = Space\nEND_OF_LINE = CRLF\nTest_Property = TestValue\n")
        #expect(Self.pairs(file.sections[0]) == ["indent_style=space", "end_of_line=crlf", "test_property=TestValue"])
    }

    @Test("whitespace is trimmed around lines, keys and values, and kept inside them; a missing value is empty")
    func whitespace() {
        let file = EditorConfigFile(
            text: "  [ test 7 ]  \n  key  =   value with whitespace inside  \nke y=v\nempty=\nspaces=   \n")
        #expect(Self.pairs(file.sections[0]) == ["key=value with whitespace inside", "ke y=v", "empty=", "spaces="])
        #expect(file.sections[0].glob?.matches(" test 7 ") == true)
    }

    @Test("root counts only in the preamble, in any case; a UTF-8 BOM and CRLF lines are read")
    func rootBOMAndCRLF() {
        #expect(EditorConfigFile(text: "root = TrUe\n[*]\nk=v\n").isRoot)
        let inSection = EditorConfigFile(text: "[*]\nroot = true\n")
        #expect(!inSection.isRoot && Self.pairs(inSection.sections[0]) == ["root=true"])
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("root = true\r\n\r\n[*]\r\nkey = value\r\n".utf8)
        let file = EditorConfigFile(bytes: bytes)
        #expect(file.isRoot && Self.pairs(file.sections[0]) == ["key=value"])
    }

    @Test("keys up to 1,024 bytes, values up to 4,096 and section names up to 4,096 are read; longer ones are not")
    func limits() {
        let key = String(repeating: "k", count: 1024)
        let value = String(repeating: "v", count: 4096)
        let section = String(repeating: "s", count: 4096)
        let file = EditorConfigFile(text: "[\(section)]\n\(key)=x\nk=\(value)\n\(key)k=x\nk2=\(value)v\n")
        #expect(file.sections[0].pairs.count == 2)
        #expect(file.sections[0].glob?.matches(section) == true)
        #expect(EditorConfigFile(text: "[\(section)s]\nk=v\n").sections[0].glob == nil)
    }

    @Test("lines that are none of blank, comment, section or pair are ignored; pairs before a section do not apply")
    func invalidLines() {
        let file = EditorConfigFile(text: "indent_size = 2\njust text\n[*]\n[unclosed\nk = v\n=no key\n")
        #expect(file.sections.count == 1 && Self.pairs(file.sections[0]) == ["k=v"])
    }

    @Test("farther files first, nearer files and later sections win; order of first appearance; root stops")
    func cascade() throws {
        let fixture = try GitFixture(initialize: false)
        try fixture.write(".editorconfig", "[*]\nouter = 1\n")
        try fixture.write("repo/.editorconfig", "root = true\n[*.b]\noption1 = a\noption2 = a\n[*]\nkeep = yes\n")
        try fixture.write("repo/sub/.editorconfig", "[b.b]\noption2 = b\n[*.b]\noption1 = c\n")
        var config = EditorConfig(workspace: fixture.path)
        let pairs = config.pairs(for: "repo/sub/b.b").map { "\($0.key)=\($0.value)" }
        #expect(pairs == ["option1=c", "option2=b", "keep=yes"])
        #expect(config.pairs(for: "other.b").map(\.key) == ["outer"])
    }

    @Test("unset is reported as written and removes the property for style-enforcer")
    func unset() throws {
        let fixture = try GitFixture(initialize: false)
        try fixture.write(".editorconfig", "root = true\n[*]\nindent_size = 2\ncharset = utf-8\n")
        try fixture.write("unset/.editorconfig", "[*]\nindent_size = unset\ncharset = UNSET\n")
        var config = EditorConfig(workspace: fixture.path)
        let pairs = config.pairs(for: "unset/a.txt").map { "\($0.key)=\($0.value)" }
        #expect(pairs == ["indent_size=unset", "charset=unset", "tab_width=unset"])
        #expect(config.properties(for: "unset/a.txt").isEmpty)
        #expect(
            config.properties(for: "a.txt") == EditorConfig.Properties(indentSize: 2, tabWidth: 2, charset: "utf-8"))
    }

    @Test("indent_style = tab implies indent_size = tab; indent_size = tab takes tab_width; tab_width defaults")
    func indentationDefaults() throws {
        let fixture = try GitFixture(initialize: false)
        try fixture.write(
            ".editorconfig",
            "root = true\n[a.c]\nindent_style = tab\n[b.c]\nindent_style = tab\ntab_width = 2\n"
                + "[c.c]\nindent_size = 4\n[d.c]\nindent_size = tab\n")
        var config = EditorConfig(workspace: fixture.path)
        func text(_ path: String) -> [String] { config.pairs(for: path).map { "\($0.key)=\($0.value)" } }
        #expect(text("a.c") == ["indent_style=tab", "indent_size=tab"])
        #expect(text("b.c") == ["indent_style=tab", "tab_width=2", "indent_size=2"])
        #expect(text("c.c") == ["indent_size=4", "tab_width=4"])
        #expect(text("d.c") == ["indent_size=tab"])
        #expect(
            config.properties(for: "b.c") == EditorConfig.Properties(indentStyle: "tab", indentSize: 2, tabWidth: 2))
        var old = EditorConfig(workspace: fixture.path, version: EditorConfigVersion(0, 8, 0))
        #expect(old.pairs(for: "a.c").map(\.key) == ["indent_style"])
    }

    @Test("devflow editorconfig: key=value lines, [path] headers for several paths, errors for bad options")
    func report() throws {
        let fixture = try GitFixture(initialize: false)
        try fixture.write("cfg.in", "root = true\n[*.c]\nkey1 = value1\n[*.cpp]\nkey2 = value2\n")
        try fixture.write("path_with_special_[chars/cfg.in", "[test.a]\nkey = value\n")
        let one = try EditorConfigReport.text(for: ["x.c"], fileName: "cfg.in", directory: fixture.path)
        #expect(one == "key1=value1\n")
        let two = try EditorConfigReport.text(
            for: ["\(fixture.path)/x.c", "y.cpp"], fileName: "cfg.in", directory: fixture.path)
        #expect(two == "[\(fixture.path)/x.c]\nkey1=value1\n[y.cpp]\nkey2=value2\n")
        let special = try EditorConfigReport.text(
            for: ["path_with_special_[chars/test.a"], fileName: "cfg.in", directory: fixture.path)
        #expect(special == "key=value\n")
        #expect(throws: EditorConfigReport.UsageError.self) {
            try EditorConfigReport.text(for: ["x.c"], version: "99.0.0", directory: fixture.path)
        }
        #expect(throws: EditorConfigReport.UsageError.self) {
            try EditorConfigReport.text(for: ["x.c"], version: "zero", directory: fixture.path)
        }
        #expect(throws: EditorConfigReport.UsageError.self) {
            try EditorConfigReport.text(for: [], directory: fixture.path)
        }
    }
}
