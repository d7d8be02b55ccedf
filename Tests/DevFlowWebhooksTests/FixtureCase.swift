import DevFlowGraph
import DevFlowTestSupport
import DevFlowWebhooks
import Foundation
import Testing

/// One payload fixture: `Fixtures/<forge>/<name>.json` (the body as the forge sends it), `<name>.headers.json`
/// (its headers) and `<name>.expected.json` (the golden parse and planner inputs).
struct FixtureCase: CustomTestStringConvertible, Sendable {
    let forge: ForgeKind
    let name: String

    var testDescription: String { "\(forge.rawValue)/\(name)" }

    static let directory = "Tests/DevFlowWebhooksTests/Fixtures"

    /// Every case of every forge, sorted.
    static var all: [FixtureCase] {
        ForgeKind.allCases.flatMap { forge in
            Repository.files(under: "\(directory)/\(forge.rawValue)", extensions: ["json"])
                .filter { !$0.hasSuffix(".headers.json") && !$0.hasSuffix(".expected.json") }
                .map { FixtureCase(forge: forge, name: String($0.dropLast(".json".count))) }
        }
    }

    func path(_ suffix: String) -> String {
        Repository.path("\(Self.directory)/\(forge.rawValue)/\(name)\(suffix)")
    }

    /// The request as the forge sends it.
    func request() throws -> WebhookRequest {
        let body = try Data(contentsOf: URL(fileURLWithPath: path(".json")))
        let headerData = try Data(contentsOf: URL(fileURLWithPath: path(".headers.json")))
        let headers = try JSONDecoder().decode([String: String].self, from: headerData)
        return WebhookRequest(headers: headers, body: Array(body))
    }

    /// The request signed (or given the token) the way the forge does with `secret`.
    func signedRequest(secret: String) throws -> WebhookRequest {
        Signing.sign(try request(), forge: forge, secret: secret)
    }
}

/// Signs requests the way each forge does.
enum Signing {
    static func sign(_ request: WebhookRequest, forge: ForgeKind, secret: String) -> WebhookRequest {
        var signed = request
        switch forge {
        case .github: signed.setHeader("X-Hub-Signature-256", Forges.signature(of: request.body, secret: secret))
        case .gitlab: signed.setHeader("X-Gitlab-Token", secret)
        case .bitbucket: signed.setHeader("X-Hub-Signature", Forges.signature(of: request.body, secret: secret))
        }
        return signed
    }
}

/// What the golden files hold: the delivery and what the server would plan from it.
struct GoldenParse: Codable {
    struct Input: Codable {
        var action: String
        var reason: String?
        var kind: String?
        var branch: String?
        var base_branch: String?
        var tag: String?
        var changed_paths: [String]?
        var commit: String?
        var ref: String?
        var fetch_ref: String?
        var clone_url: String?
        var from_fork: Bool?
        var activity: String?
        var summary: String?

        init(_ input: PlannerInput) {
            switch input {
            case .ignore(let reason):
                action = "ignore"
                self.reason = reason
            case .plan(let trigger):
                action = "plan"
                kind = trigger.event.kind
                branch = trigger.event.branch
                base_branch = trigger.event.baseBranch
                tag = trigger.event.tag
                changed_paths = trigger.event.changedPaths
                commit = trigger.commit
                ref = trigger.ref
                fetch_ref = trigger.fetchRef
                clone_url = trigger.cloneURL
                from_fork = trigger.fromFork
                activity = trigger.activity
                summary = trigger.summary
            }
        }
    }

    var delivery: ForgeDelivery
    var planner_inputs: [Input]

    init(_ delivery: ForgeDelivery) {
        self.delivery = delivery
        planner_inputs = delivery.plannerInputs.map(Input.init)
    }

    /// Pretty, sorted JSON with a final newline.
    func rendered() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}

/// Every payload fixture parses, after verification, to its golden delivery and planner inputs.
@Suite struct PayloadFixtureTests {
    static let secret = "It's a Secret to Everybody"

    @Test func everyForgeHasFixtures() {
        for forge in ForgeKind.allCases {
            #expect(FixtureCase.all.filter { $0.forge == forge }.count >= 6, "\(forge.rawValue) has too few fixtures")
        }
    }

    @Test(arguments: FixtureCase.all)
    func fixtureParsesToItsGolden(_ fixture: FixtureCase) throws {
        let request = try fixture.signedRequest(secret: Self.secret)
        let delivery = try Forges.receive(request, forge: fixture.forge) { _ in Self.secret }
        let rendered = try GoldenParse(delivery).rendered()
        let mismatch = Golden.mismatch(rendered, path: fixture.path(".expected.json"))
        #expect(mismatch == nil, "\(mismatch ?? "")")
    }

    @Test(arguments: FixtureCase.all)
    func goldenDeliveryDecodesBackToTheParse(_ fixture: FixtureCase) throws {
        let delivery = try Forges.parse(try fixture.request(), forge: fixture.forge)
        let golden = try Data(contentsOf: URL(fileURLWithPath: fixture.path(".expected.json")))
        let decoded = try JSONDecoder().decode(GoldenParse.self, from: golden)
        #expect(decoded.delivery == delivery)
    }

    @Test(arguments: FixtureCase.all)
    func theRepositoryNameIsReadBeforeTrust(_ fixture: FixtureCase) throws {
        let request = try fixture.request()
        let name = try Forges.repositoryName(of: request, forge: fixture.forge)
        #expect(name == (try Forges.parse(request, forge: fixture.forge)).repository)
    }
}
