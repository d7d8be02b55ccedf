import DevFlowAnalytics
import DevFlowStore
import Foundation

/// `devflow dora` and `devflow insights PIPELINE`: reports computed from the run database.
public enum AnalyticsCommands {
    /// The report formats.
    public enum Format: String, CaseIterable, Sendable {
        /// Aligned text for people.
        case text
        /// The API's JSON.
        case json
    }

    /// `devflow dora [--repo R] [--environment E] [--window 90d] [--fix-window 1d] [--format text|json]`.
    public static func dora(
        database: String?, repository: String?, environment: String?, window: String, fixWindow: String,
        format: Format, now: Date = Date(), directory: String = FileManager.default.currentDirectoryPath
    ) -> StoreCommands.Output {
        report(database: database, directory: directory, format: format) { analytics in
            let dora = DORA(fixWindow: try AnalyticsWindow.seconds(fixWindow))
            let report = try analytics.dora(
                repository: repository, environment: environment, window: AnalyticsWindow(window, until: now),
                dora: dora)
            return (try Analytics.json(report), AnalyticsText.render(report))
        }
    }

    /// `devflow insights PIPELINE [--repo R] [--window 30d] [--format text|json]`.
    public static func insights(
        database: String?, pipeline: String, repository: String?, window: String, format: Format, now: Date = Date(),
        directory: String = FileManager.default.currentDirectoryPath
    ) -> StoreCommands.Output {
        report(database: database, directory: directory, format: format) { analytics in
            let report = try analytics.insights(
                pipeline: pipeline, repository: repository, window: AnalyticsWindow(window, until: now))
            return (try Analytics.json(report), AnalyticsText.render(report))
        }
    }

    private static func report(
        database: String?, directory: String, format: Format,
        _ make: (Analytics) throws -> (json: Data, text: String)
    ) -> StoreCommands.Output {
        let store: any ServerStore
        switch StoreCommands.open(database, directory: directory) {
        case .success(let opened): store = opened
        case .failure(let output): return output
        }
        do {
            let (json, text) = try make(Analytics(source: store))
            return StoreCommands.Output(text: format == .json ? String(decoding: json, as: UTF8.self) + "\n" : text)
        } catch let error as AnalyticsError {
            return StoreCommands.Output(errors: "devflow: \(error.message)\n", code: 2)
        } catch {
            return StoreCommands.Output(errors: "devflow: cannot read the run database: \(error)\n", code: 3)
        }
    }
}
