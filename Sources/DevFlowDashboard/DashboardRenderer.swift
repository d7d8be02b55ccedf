import Mustache

/// Renders the dashboard's pages from the embedded Mustache templates. `{{value}}` is HTML-escaped (quotes too), so
/// what comes from a run (a step name, a branch, a log line, a PR title) is always shown as text; only the SVG the
/// dashboard draws itself goes in unescaped, through `{{{chart}}}`.
public struct DashboardRenderer: Sendable {
    let library: MustacheLibrary

    /// Parses the templates; fails only if an embedded template is malformed (a test renders each one).
    public init() throws {
        var library = MustacheLibrary()
        for (name, bytes) in DashboardResources.templates {
            try library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        self.library = library
    }

    /// The HTML of `page` in `frame`.
    public func render(_ page: DashboardPage, frame: PageFrame) -> String {
        var model = page.model
        model["frame"] = frame.model(page: page.name, title: page.title)
        return library.render(model, withTemplate: page.name) ?? ""
    }
}

/// A page to render: its template's name and the values the template reads.
public struct DashboardPage: @unchecked Sendable {
    /// The template (`runs`, `run`, `log`, `breakers`, `dora`, `insights`, `sign-in`, `error`).
    public let name: String
    /// The page title, before ` · DevFlow`.
    public let title: String
    /// What the template reads; built only from strings, numbers, booleans, arrays and dictionaries.
    let model: [String: Any]

    init(_ name: String, title: String, _ model: [String: Any?]) {
        self.name = name
        self.title = title
        self.model = model.compactMapValues { $0 }
    }

    /// The sign-in form, with an error when a token was refused.
    public static func signIn(next: String, error: String? = nil) -> DashboardPage {
        DashboardPage("sign-in", title: "Sign in", ["next": next, "error": error])
    }

    /// A page that says what went wrong and links back.
    public static func error(heading: String, message: String, back: String = "/") -> DashboardPage {
        DashboardPage("error", title: heading, ["heading": heading, "message": message, "back": back])
    }
}

/// What every page shows around its content: who is signed in, with which role, and the form token.
public struct PageFrame: Sendable {
    /// The signed-in token's name; nil on the sign-in page.
    public var tokenName: String?
    /// Its role (`viewer`, `operator`, `admin`).
    public var role: String
    /// The CSRF token every form and unsafe API call from the page carries.
    public var csrf: String

    /// Creates a frame.
    public init(tokenName: String?, role: String, csrf: String) {
        self.tokenName = tokenName
        self.role = role
        self.csrf = csrf
    }

    func model(page: String, title: String) -> [String: Any] {
        [
            "title": title, "page": page, "csrf": csrf, "role": role,
            "tokenName": tokenName ?? "", "signedIn": tokenName != nil, "assetVersion": DashboardResources.version,
            "onRuns": page == "runs" || page == "run" || page == "log", "onBreakers": page == "breakers",
            "onDORA": page == "dora", "onInsights": page == "insights",
        ]
    }
}
