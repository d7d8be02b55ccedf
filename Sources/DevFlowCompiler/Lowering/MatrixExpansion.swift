/// Expands a matrix into legs: the cartesian product of its dimensions, minus `exclude`, plus `include`.
enum MatrixExpansion {
    /// The expansion result.
    struct Legs {
        /// Each leg's values by dimension (and extra include keys).
        var combinations: [[String: String]]
        /// The number of legs (also when too many to materialise).
        var count: Int
        /// Whether each include entry matched or added a leg.
        var includeMatched: [Bool]
    }

    /// Expands `matrix`; past `MatrixCheck.maximumLegs` only the count is computed.
    static func legs(of matrix: MatrixDecl) -> Legs {
        let dimensions = matrix.dimensions.filter { !$0.values.isEmpty }
        var product = 1
        for dimension in dimensions {
            product =
                product.multipliedReportingOverflow(by: dimension.values.count).overflow
                ? Int.max : product * dimension.values.count
        }
        if dimensions.isEmpty { product = 0 }
        // Past four times the leg limit the product is refused before expansion, so exclude cannot rescue it.
        if product > MatrixCheck.maximumLegs * 4 {
            return Legs(combinations: [], count: product, includeMatched: matrix.include.map { _ in true })
        }
        var combinations: [[String: String]] = dimensions.isEmpty ? [] : [[:]]
        for dimension in dimensions {
            var next: [[String: String]] = []
            next.reserveCapacity(combinations.count * dimension.values.count)
            for combination in combinations {
                for value in dimension.values {
                    var extended = combination
                    extended[dimension.name.value] = value.value
                    next.append(extended)
                }
            }
            combinations = next
        }
        let excludes = matrix.exclude.map { entry in entry.map { ($0.key.value, $0.value.value) } }
        combinations.removeAll { leg in
            excludes.contains { entry in !entry.isEmpty && entry.allSatisfy { leg[$0.0] == $0.1 } }
        }
        let dimensionNames = Set(dimensions.map(\.name.value))
        var matched: [Bool] = []
        for entry in matrix.include {
            let pairs = entry.map { ($0.key.value, $0.value.value) }
            let keys = pairs.filter { dimensionNames.contains($0.0) }
            var hit = false
            if !keys.isEmpty || dimensionNames.isEmpty {
                for index in combinations.indices
                where keys.allSatisfy({ combinations[index][$0.0] == $0.1 }) && !dimensionNames.isEmpty {
                    hit = true
                    for (key, value) in pairs where !dimensionNames.contains(key) { combinations[index][key] = value }
                }
            }
            if !hit && dimensionNames.allSatisfy({ name in pairs.contains { $0.0 == name } }) && !pairs.isEmpty {
                var leg: [String: String] = [:]
                for (key, value) in pairs { leg[key] = value }
                combinations.append(leg)
                hit = true
            }
            matched.append(hit)
        }
        return Legs(combinations: combinations, count: combinations.count, includeMatched: matched)
    }

    /// `test[os=linux,suite=Core]`: values sorted by dimension name.
    static func legName(step: String, values: [String: String]) -> String {
        step + "[" + values.keys.sorted().map { "\($0)=\(values[$0]!)" }.joined(separator: ",") + "]"
    }
}
