import Testing

@testable import DevFlowProcess

/// The splitter against a simple reference, over every way of cutting the input into reads.
@Suite struct LineSplitterTests {
    /// The reference: split on newlines, cut each line into `limit`-sized chunks, drop the empty tail.
    func expected(_ input: [UInt8], limit: Int) -> [([UInt8], Bool)] {
        var lines = input.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if input.last == 0x0A || input.isEmpty { lines.removeLast() }
        var result: [([UInt8], Bool)] = []
        for line in lines {
            if line.isEmpty {
                result.append(([], true))
                continue
            }
            var start = 0
            while start < line.count {
                let end = min(start + limit, line.count)
                result.append((Array(line[start..<end]), end == line.count))
                start = end
            }
        }
        return result
    }

    func split(_ input: [UInt8], limit: Int, reads: [Int]) -> [([UInt8], Bool)] {
        var splitter = LineSplitter(stream: .stdout, limit: limit)
        var result: [([UInt8], Bool)] = []
        var offset = 0
        for size in reads {
            let buffer = Array(input[offset..<offset + size]) + [0xEE, 0xEE]  // Junk past `count` must be ignored.
            splitter.feed(buffer, count: size) { result.append((Array($0.bytes), $0.isComplete)) }
            offset += size
            #expect(splitter.pending.count <= limit)
        }
        splitter.finish { result.append((Array($0.bytes), $0.isComplete)) }
        return result
    }

    @Test(arguments: [1, 2, 3, 4, 7])
    func everyCutAgreesWithTheReference(limit: Int) {
        let inputs: [String] = [
            "", "\n", "\n\n", "a", "abc", "abcd\n", "abcdefgh\nij\n\nklmnopq", "abc\nabcd\nabcdefgh",
        ]
        for text in inputs {
            let input = Array(text.utf8)
            let reference = expected(input, limit: limit)
            // All reads of one size, then two-read cuts at every position.
            for size in 1...max(1, input.count) {
                var reads: [Int] = []
                var left = input.count
                while left > 0 {
                    reads.append(min(size, left))
                    left -= size
                }
                let got = split(input, limit: limit, reads: reads)
                #expect(got.map(\.0) == reference.map(\.0), "\(text) limit \(limit) reads \(reads)")
                #expect(got.map(\.1) == reference.map(\.1), "\(text) limit \(limit) reads \(reads)")
            }
            for cut in 0...input.count {
                let got = split(input, limit: limit, reads: [cut, input.count - cut])
                #expect(got.map(\.0) == reference.map(\.0), "\(text) limit \(limit) cut \(cut)")
                #expect(got.map(\.1) == reference.map(\.1), "\(text) limit \(limit) cut \(cut)")
            }
        }
    }
}
