import DevFlowFuzzSupport
import DevFlowWebhooks
import Foundation

/// Bytes → a forge's webhook delivery, read as `POST /hooks/{forge}` reads it (`Forges`): the first line names the
/// forge (`github`, `gitlab`, `bitbucket`), `Name: value` lines up to an empty line are the headers, the rest is the
/// body. Invariants: the same delivery or rejection twice; the repository whose secret is looked up is the one the
/// delivery is for; a delivery survives the JSON the queue stores it in; its planner inputs are the same twice; a
/// rejection says why on one line; a request signed with the repository's secret verifies, and one signed with
/// another secret is refused as forged.
func fuzzWebhooks(_ bytes: [UInt8]) {
    let (forge, request) = webhook(bytes)
    let parsed = parse(request, forge: forge)
    if parsed != parse(request, forge: forge) { Invariants.fail("\(forge): the same delivery read differently") }
    let repository = name(request, forge: forge)
    if repository != name(request, forge: forge) { Invariants.fail("\(forge): the repository read differently") }
    switch parsed {
    case .failure(let rejection): check(rejection, forge: forge)
    case .success(let delivery):
        guard case .success(let named) = repository, named == delivery.repository, !named.isEmpty else {
            Invariants.fail("\(forge): the secret would be looked up for another repository than the delivery's")
        }
        if delivery.forge != forge { Invariants.fail("\(forge): the delivery names another forge") }
        guard let stored = try? JSONEncoder().encode(delivery),
            let read = try? JSONDecoder().decode(ForgeDelivery.self, from: stored), read == delivery
        else { Invariants.fail("\(forge): the delivery does not survive the queue's JSON") }
        if delivery.plannerInputs != delivery.plannerInputs { Invariants.fail("\(forge): planner inputs differ") }
    }
    guard case .success(let named) = repository else { return }
    let secret = "fuzz-secret"
    let signed = sign(request, forge: forge, secret: secret)
    do throws(WebhookRejection) {
        try Forges.verify(signed, forge: forge, secret: secret)
    } catch {
        Invariants.fail("\(forge): a request signed with its secret was refused: \(error.message)")
    }
    do throws(WebhookRejection) {
        try Forges.verify(sign(request, forge: forge, secret: "another-secret"), forge: forge, secret: secret)
        Invariants.fail("\(forge): a request signed with another secret was accepted")
    } catch {
        guard case .forged = error else { Invariants.fail("\(forge): a wrong signature is '\(error.kind)'") }
    }
    let received: Result<ForgeDelivery, WebhookRejection>
    do throws(WebhookRejection) {
        received = .success(try Forges.receive(signed, forge: forge) { $0 == named ? secret : nil })
    } catch { received = .failure(error) }
    if received != parse(signed, forge: forge) {
        Invariants.fail("\(forge): receiving a signed request differs from reading it")
    }
}

func parse(_ request: WebhookRequest, forge: ForgeKind) -> Result<ForgeDelivery, WebhookRejection> {
    do throws(WebhookRejection) { return .success(try Forges.parse(request, forge: forge)) } catch {
        return .failure(error)
    }
}

func name(_ request: WebhookRequest, forge: ForgeKind) -> Result<String, WebhookRejection> {
    do throws(WebhookRejection) { return .success(try Forges.repositoryName(of: request, forge: forge)) } catch {
        return .failure(error)
    }
}

func check(_ rejection: WebhookRejection, forge: ForgeKind) {
    if rejection.message.isEmpty || rejection.message.contains(where: \.isNewline) {
        Invariants.fail("\(forge): a rejection is empty or spans lines: \(rejection.message.prefix(300))")
    }
    if ![400, 401, 404].contains(rejection.httpStatus) {
        Invariants.fail("\(forge): a rejection answers \(rejection.httpStatus)")
    }
}

/// `request` signed (or given the token) the way `forge` does with `secret`.
func sign(_ request: WebhookRequest, forge: ForgeKind, secret: String) -> WebhookRequest {
    var signed = request
    switch forge {
    case .github: signed.setHeader("X-Hub-Signature-256", Forges.signature(of: request.body, secret: secret))
    case .gitlab: signed.setHeader("X-Gitlab-Token", secret)
    case .bitbucket: signed.setHeader("X-Hub-Signature", Forges.signature(of: request.body, secret: secret))
    }
    return signed
}

/// The forge, headers and body in `bytes` (a first line that names no forge picks one by its length).
func webhook(_ bytes: [UInt8]) -> (ForgeKind, WebhookRequest) {
    var lines = bytes.split(separator: 0x0A, maxSplits: 1, omittingEmptySubsequences: false)
    let first = String(decoding: lines.first ?? [], as: UTF8.self)
    let forge = ForgeKind(rawValue: first) ?? ForgeKind.allCases[first.utf8.count % ForgeKind.allCases.count]
    var rest = lines.count > 1 ? lines.removeLast() : []
    var headers: [String: String] = [:]
    while let end = rest.firstIndex(of: 0x0A) {
        let line = rest[rest.startIndex..<end]
        rest = rest[(end + 1)...]
        if line.isEmpty { break }
        let text = String(decoding: line, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":") else { continue }
        headers[String(text[..<colon])] = String(text[text.index(after: colon)...].drop { $0 == " " })
    }
    return (forge, WebhookRequest(headers: headers, body: Array(rest)))
}

#if DEVFLOW_FUZZ
    /// One input from libFuzzer.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        fuzzWebhooks(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    /// The entry point SwiftPM links the executable with: libFuzzer's driver.
    @_cdecl("fuzz_webhooks_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        runFuzzer(argc, argv, fuzzOne)
    }
#else
    @main struct Replay {
        static func main() { Invariants.replay(fuzzWebhooks) }
    }
#endif
