import Detectors
import Foundation
import Logging
import Notifiers
import Pipeline
@testable import Sources
import Testing

/// Replays the fuzz reproducers (Tests/Fixtures/fuzz) and seeds (Fuzz/corpus) through the parsers with the
/// invariants scripts/fuzz checks (Fuzz/MVPipeFuzz/Harness.swift), and runs a short seeded mutation pass so
/// the same checks also run under `swift test` (and its ASan/TSan runs) without libFuzzer.
@Suite("fuzz regression") struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Every file of `folder` (relative to the package root), sorted by name.
    static func files(_ folder: String) throws -> [(name: String, bytes: [UInt8])] {
        let dir = root.appendingPathComponent(folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") && $0 != "README.md" }
        return try names.sorted().map { ($0, Array(try Data(contentsOf: dir.appendingPathComponent($0)))) }
    }

    /// Whether every range lies inside a line of `count` bytes.
    static func inside(_ count: Int, _ ranges: Range<Int>?...) -> Bool {
        ranges.allSatisfy { r in r.map { $0.lowerBound >= 0 && $0.upperBound <= count } ?? true }
    }

    /// PostfixLine.parse's invariants; a description of the first one broken, or nil.
    static func checkPostfix(_ line: [UInt8]) -> String? {
        let parsed = PostfixLine.parse(line)
        let n = line.count
        guard parsed.messageOffset >= 0, parsed.messageOffset <= n, inside(n, parsed.tagRange) else { return "offsets outside the line" }
        if let ts = parsed.timestamp {
            guard inside(n, ts.hostRange), ts.restOffset <= n else { return "timestamp ranges outside the line" }
            guard (1...12).contains(ts.month), (1...31).contains(ts.day), ts.hour < 24, ts.minute < 60, ts.second <= 60 else {
                return "impossible time \(ts)"
            }
        }
        switch parsed.event {
        case .smtpdClient(let q, let name, let ip, let method, let user):
            guard inside(n, name, ip, method) else { return "client ranges outside the line" }
            _ = (q.description, user?.escaped)
        case .qmgrQueued(_, let from, let size, let nrcpt):
            guard inside(n, from), size >= 0, nrcpt >= 0 else { return "qmgr fields out of range" }
        case .pickup(_, _, let from):
            guard inside(n, from) else { return "pickup range outside the line" }
        case .qmgrRemoved, .other, .malformed:
            break
        }
        return nil
    }

    /// ASSPLine.parse's invariants, with the default LogDateFormat and two others ASSP allows.
    static func checkASSP(_ line: [UInt8]) -> String? {
        let n = line.count
        for format in [ASSPDateFormat.standard, try! ASSPDateFormat("DD.MMM.YYYY hh:mm:ss"), try! ASSPDateFormat("YYYY-MM-DD hh:mm:ss")] {
            let parsed = ASSPLine.parse(line, format: format)
            guard parsed.commentEnd <= n, parsed.timestamp == nil || (parsed.commentOffset >= 0 && parsed.commentOffset <= parsed.commentEnd),
                  inside(n, parsed.messageID, parsed.worker, parsed.clientIP, parsed.from, parsed.to) else { return "ranges outside the line" }
            if let ts = parsed.timestamp {
                guard ts.restOffset <= n else { return "timestamp rest outside the line" }
                guard (1...12).contains(ts.month), (1...31).contains(ts.day), ts.hour < 24, ts.minute < 60, ts.second <= 60 else {
                    return "impossible time \(ts)"
                }
            }
            switch parsed.event {
            case .authUser(_, let user, let forUser):
                guard inside(n, forUser) else { return "foruser outside the line" }
                _ = user.escaped
            case .connected(let session, let ip):
                guard inside(n, session, ip) else { return "connection ranges outside the line" }
            case .disconnected(let session, let ip):
                guard inside(n, session, ip) else { return "connection ranges outside the line" }
            case .authAttempt, .authSucceeded, .authFailed, .replyError, .recipientAccepted, .messageAccepted, .other,
                 .continuation, .malformed:
                break
            }
        }
        return nil
    }

    static let registry = Registry(sources: BuiltinSources.all, detectors: BuiltinDetectors.all, notifiers: BuiltinNotifiers.all)

    /// PipelineConfig.parse either builds a pipeline or throws a ConfigError, never anything else.
    static func checkConfig(_ bytes: [UInt8]) -> String? {
        do {
            let config = try PipelineConfig.parse(Data(bytes), registry: registry, baseDirectory: NSTemporaryDirectory(),
                                                  environment: [:], logger: Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() },
                                                  consoleStream: .standardError)
            _ = (config.historyDays, config.needsBuckets, config.detectors(for: "user@example.org"))
            return nil
        } catch is ConfigError {
            return nil
        } catch {
            return "threw \(type(of: error)) instead of a ConfigError: \(error)"
        }
    }

    static func check(_ target: String, _ bytes: [UInt8]) -> String? {
        switch target {
        case "postfix": checkPostfix(bytes)
        case "assp": checkASSP(bytes)
        default: checkConfig(bytes)
        }
    }

    @Test(arguments: ["postfix", "assp", "config"])
    func reproducersAndSeedsStillPass(target: String) throws {
        let reproducers = try Self.files("Tests/Fixtures/fuzz/\(target)")
        let seeds = try Self.files("Fuzz/corpus/\(target)")
        #expect(!reproducers.isEmpty && !seeds.isEmpty)
        for (name, bytes) in reproducers + seeds {
            let problem = Self.check(target, bytes)
            #expect(problem == nil, "\(target)/\(name): \(problem ?? "")")
        }
    }

    /// Every prefix of every seed line: the cut-short lines a crash or a partly written log leaves.
    @Test(arguments: ["postfix", "assp"])
    func everyPrefixOfEverySeed(target: String) throws {
        var checked = 0
        for (name, bytes) in try Self.files("Fuzz/corpus/\(target)") {
            for end in 0...bytes.count {
                let problem = Self.check(target, Array(bytes[..<end]))
                #expect(problem == nil, "\(target)/\(name) cut at \(end): \(problem ?? "")")
                checked += 1
            }
        }
        #expect(checked > 1_000)
    }

    /// Byte flips, inserted interesting bytes, deletions, duplicated spans and splices of two seeds.
    static func mutate(_ input: [UInt8], other: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var bytes = input
        let interesting: [UInt8] = [0, 0x09, 0x0A, 0x0D, 0x20, 0x22, 0x2C, 0x2D, 0x3A, 0x3C, 0x3E, 0x5B, 0x5D, 0x7B, 0x7D, 0x5C, 0x7F, 0x80, 0xC3, 0xFF]
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1: bytes.insert(interesting.randomElement(using: &rng)!, at: at)
            case 2 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &rng)))
            case 3 where !bytes.isEmpty: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + Int.random(in: 1...16, using: &rng))], at: at)
            case 4 where !other.isEmpty: bytes = Array(bytes[..<at]) + other[Int.random(in: 0..<other.count, using: &rng)...]
            case 5 where !bytes.isEmpty: bytes[at] = UInt8.random(in: 0x30...0x39, using: &rng)
            default: break
            }
        }
        return bytes
    }

    @Test(arguments: [("postfix", 40_000), ("assp", 40_000), ("config", 3_000)])
    func seededMutations(target: String, count: Int) throws {
        let seeds = try Self.files("Fuzz/corpus/\(target)").map(\.bytes) + Self.files("Tests/Fixtures/fuzz/\(target)").map(\.bytes)
        var rng = SeededRandom(state: 0x6D76_7069_7065 ^ UInt64(target.utf8.count))
        var failures = 0
        for i in 0..<count {
            let input = Self.mutate(seeds[i % seeds.count], other: seeds.randomElement(using: &rng)!, &rng)
            if let problem = Self.check(target, input), failures < 5 {
                failures += 1
                Issue.record("\(target) mutation \(i): \(problem); input \(input.map { String($0, radix: 16) })")
            }
        }
    }
}
