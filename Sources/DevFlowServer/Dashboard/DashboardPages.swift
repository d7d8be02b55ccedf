import DevFlowDashboard
import Foundation
import HTTPTypes
import Hummingbird

/// Turns the dashboard's rendered pages into responses, with the headers every page carries: a Content Security
/// Policy that allows only the server's own scripts (no inline script can run, whatever a log or a branch name
/// holds), no framing, no sniffing, no caching of pages.
struct DashboardPages: Sendable {
    let renderer: DashboardRenderer

    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
        .cacheControl: "no-store",
    ]

    /// `page` as an HTML response.
    func page(_ page: DashboardPage, frame: PageFrame, status: HTTPResponse.Status = .ok) -> Response {
        var headers = Self.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(
            status: status, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: renderer.render(page, frame: frame))))
    }

    /// An error page.
    func error(
        _ status: HTTPResponse.Status, heading: String, message: String, back: String = "/", frame: PageFrame
    ) -> Response {
        page(.error(heading: heading, message: message, back: back), frame: frame, status: status)
    }

    /// A 303 to `location` (after a form post, or to the sign-in form).
    static func redirect(to location: String, cookie: Cookie? = nil) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        if let cookie { response.setCookie(cookie) }
        return response
    }
}
