import Foundation

/// Small charts drawn by the server as inline SVG: no script, no CDN, readable without colour (each bar has a
/// `<title>` with its label and value, and the chart an `aria-label` that says what it shows).
public enum SVGChart {
    /// One bar: its label (shown under it when there is room), its value and the text its tooltip says.
    public struct Bar: Sendable, Equatable {
        /// The label on the axis (`12-02`).
        public var label: String
        /// The bar's height in the chart's unit.
        public var value: Double
        /// The tooltip (`2026-12-02: 4 deployments`).
        public var title: String
        /// A CSS class for a bar that stands out (`bad`, `good`).
        public var tone: String?

        /// Creates a bar.
        public init(label: String, value: Double, title: String, tone: String? = nil) {
            self.label = label
            self.value = value
            self.title = title
            self.tone = tone
        }
    }

    /// A bar chart of `bars`, scaled to the largest value; `description` is its accessible name.
    public static func bars(_ bars: [Bar], description: String, unit: (Double) -> String = { String(format: "%g", $0) })
        -> String
    {
        let width = 320.0
        let height = 120.0
        let top = 14.0
        let bottom = 18.0
        let plot = height - top - bottom
        let largest = bars.map(\.value).filter(\.isFinite).max() ?? 0
        let scale = largest > 0 ? plot / largest : 0
        var svg =
            "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" "
            + "aria-label=\"\(escape(description))\">"
            + "<title>\(escape(description))</title>"
        svg +=
            "<line class=\"axis\" x1=\"0\" y1=\"\(format(top + plot))\" x2=\"\(Int(width))\" y2=\"\(format(top + plot))\"/>"
        svg += "<text class=\"max\" x=\"2\" y=\"10\">\(escape(unit(largest)))</text>"
        guard !bars.isEmpty else { return svg + "</svg>" }
        let slot = width / Double(bars.count)
        let gap = min(4, slot * 0.2)
        let labelEvery = max(1, Int((Double(bars.count) / 8).rounded(.up)))
        for (index, bar) in bars.enumerated() {
            let value = bar.value.isFinite ? max(0, bar.value) : 0
            let barHeight = value * scale
            let x = Double(index) * slot + gap / 2
            let tone = bar.tone.map { " \(escape($0))" } ?? ""
            svg +=
                "<rect class=\"bar\(tone)\" x=\"\(format(x))\" y=\"\(format(top + plot - barHeight))\" "
                + "width=\"\(format(slot - gap))\" height=\"\(format(barHeight))\"><title>\(escape(bar.title))</title></rect>"
            if index % labelEvery == 0 {
                svg +=
                    "<text class=\"label\" x=\"\(format(x))\" y=\"\(format(height - 4))\">\(escape(bar.label))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// Text safe inside SVG/HTML elements and attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
