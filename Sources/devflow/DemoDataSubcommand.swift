import ArgumentParser
import DevFlowServer
import DevFlowStore
import Foundation

/// `devflow demo-data --db PATH`: fills a new store with made-up history (what `devflow serve --demo-data` does),
/// for trying the dashboard or measuring analytics on a large history.
struct DemoDataSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Fill a new, throwaway store with months of made-up runs, deployments and failures.")

    @Option(help: "The SQLite database to create (it must hold no runs).")
    var db: String

    @Option(help: "Days of history, ending now (1 to 3650).")
    var days = 90

    @Option(help: "Runs a day on average (0.1 to 10000).")
    var runsPerDay = 12.0

    @Option(help: "The generator's seed: the same seed gives the same history.")
    var seed: UInt64 = 42

    func validate() throws {
        guard (1...3650).contains(days) else { throw ValidationError("--days must be from 1 to 3650, found \(days)") }
        guard (0.1...10_000).contains(runsPerDay) else {
            throw ValidationError("--runs-per-day must be from 0.1 to 10000, found \(runsPerDay)")
        }
    }

    func run() throws {
        let store = try SQLiteRunStore(path: db)
        do {
            let count = try DemoHistory(days: days, runsPerDay: runsPerDay, seed: seed).fill(store)
            print("\(db): \(count) runs over \(days) days")
        } catch let error as StoreError {
            throw ValidationError(error.description)
        }
    }
}
