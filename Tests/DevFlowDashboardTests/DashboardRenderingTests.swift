import Foundation
import Testing

@testable import DevFlowDashboard

/// The dashboard library alone: every template and asset embedded, charts escape what they label, durations read well.
struct DashboardRenderingTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/DevFlowDashboard").standardizedFileURL

    @Test func everyTemplateAndAssetFileIsEmbeddedAndListed() throws {
        let templates = try FileManager.default.contentsOfDirectory(
            atPath: Self.folder.appendingPathComponent("Templates").path
        )
        .filter { $0.hasSuffix(".mustache") }.map { String($0.dropLast(".mustache".count)) }
        #expect(Set(templates) == Set(DashboardResources.templates.keys))
        let assets = try FileManager.default.contentsOfDirectory(
            atPath: Self.folder.appendingPathComponent("Assets").path)
        #expect(Set(assets) == Set(DashboardResources.assets.keys))
        #expect(DashboardResources.assets.values.allSatisfy { !$0.bytes.isEmpty })
    }

    @Test func signInAndErrorPagesRenderWithTheirFrame() throws {
        let renderer = try DashboardRenderer()
        let frame = PageFrame(tokenName: nil, role: "", csrf: "")
        let html = renderer.render(.signIn(next: "/runs/1\"><b>", error: "nope <i>"), frame: frame)
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains(#"value="/runs/1&quot;&gt;&lt;b&gt;""#))
        #expect(html.contains("nope &lt;i&gt;"))
        #expect(!html.contains("<header"))
        let signedIn = renderer.render(
            .error(heading: "Oops", message: "m"), frame: PageFrame(tokenName: "ada", role: "operator", csrf: "c1"))
        #expect(signedIn.contains(#"<span class="who">ada (operator)</span>"#))
        #expect(signedIn.contains(#"<meta name="csrf-token" content="c1">"#))
        #expect(signedIn.contains("/assets/dashboard.js?v=\(DashboardResources.version)"))
    }

    @Test func chartsEscapeLabelsAndScaleToTheLargestBar() {
        let svg = SVGChart.bars(
            [.init(label: "<a>", value: 2, title: "two \"quoted\""), .init(label: "b", value: 4, title: "four")],
            description: "Deploys & <fails>")
        #expect(svg.contains(#"aria-label="Deploys &amp; &lt;fails&gt;""#))
        #expect(svg.contains("<title>two &quot;quoted&quot;</title>"))
        #expect(!svg.contains("<a>"))
        #expect(svg.contains(#"height="88.0""#))  // the largest bar fills the plot (120 − 14 − 18)
        #expect(svg.contains(#"height="44.0""#))
        #expect(SVGChart.bars([], description: "none").hasSuffix("</svg>"))
    }

    @Test func durationsReadLikePeopleWriteThem() {
        #expect(DisplayFormat.duration(seconds: 0.42) == "0.4s")
        #expect(DisplayFormat.duration(seconds: 45) == "45s")
        #expect(DisplayFormat.duration(seconds: 63) == "1m 3s")
        #expect(DisplayFormat.duration(seconds: 7500) == "2h 5m")
        #expect(DisplayFormat.duration(seconds: 3 * 86_400 + 4 * 3600) == "3d 4h")
        #expect(DisplayFormat.duration(seconds: -1) == "")
        #expect(DisplayFormat.text(iso: "2026-12-02T14:05:09.123Z") == "2026-12-02 14:05 UTC")
        #expect(DisplayFormat.pathSegment("a b/c") == "a%20b%2Fc")
    }
}
