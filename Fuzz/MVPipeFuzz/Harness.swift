// libFuzzer driver over mvpipe's hostile-input parsers: the Postfix and ASSP log line parsers and the
// config decoder. Built only by scripts/fuzz (the target exists only when MVPIPE_FUZZ is set, see
// Package.swift), with `-sanitize=fuzzer,address` and `-D MVPIPE_LIBFUZZER`:
//
//     MVPIPE_FUZZ_TARGET=postfix|assp|config mvpipe-fuzz [libFuzzer flags] [CORPUS...]
//
// Without MVPIPE_LIBFUZZER it only replays files: `mvpipe-fuzz TARGET FILE...` (main.swift).
// The checks here mirror Tests/MVPipeTests/Fuzz/FuzzRegressionTests.swift, which replays the
// reproducers kept in Tests/Fixtures/fuzz/ in the normal test suite.
import Detectors
import Foundation
import Logging
import Notifiers
import Pipeline
@testable import Sources

/// Every byte range a parser returns must lie inside the line; touching it makes ASan check it.
@inline(never)
func touch(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>?) {
    guard let range else { return }
    precondition(range.lowerBound >= 0 && range.upperBound <= line.count, "range \(range) outside line of \(line.count) bytes")
    _ = LogBytes(line, range).escaped
}

func fuzzPostfix(_ line: UnsafeBufferPointer<UInt8>) {
    let parsed = PostfixLine.parse(line)
    precondition(parsed.messageOffset >= 0 && parsed.messageOffset <= line.count)
    touch(line, parsed.tagRange)
    if let ts = parsed.timestamp {
        touch(line, ts.hostRange)
        precondition(ts.restOffset <= line.count)
        precondition((1...12).contains(ts.month) && (1...31).contains(ts.day) && ts.hour < 24 && ts.minute < 60 && ts.second <= 60)
    }
    switch parsed.event {
    case .smtpdClient(let q, let name, let ip, let method, let user):
        _ = q.description
        touch(line, name); touch(line, ip); touch(line, method)
        _ = user?.escaped
    case .qmgrQueued(_, let from, let size, let nrcpt):
        touch(line, from)
        precondition(size >= 0 && nrcpt >= 0)
    case .pickup(_, _, let from):
        touch(line, from)
    case .qmgrRemoved, .other, .malformed:
        break
    }
}

/// The LogDateFormats the ASSP target parses every input with: the default and two others ASSP allows.
let asspFormats = [ASSPDateFormat.standard, try! ASSPDateFormat("DD.MMM.YYYY hh:mm:ss"), try! ASSPDateFormat("YYYY-MM-DD hh:mm:ss")]

func fuzzASSP(_ line: UnsafeBufferPointer<UInt8>) {
    for format in asspFormats {
        let parsed = ASSPLine.parse(line, format: format)
        precondition(parsed.commentOffset >= 0 && parsed.commentOffset <= parsed.commentEnd || parsed.timestamp == nil)
        precondition(parsed.commentEnd <= line.count)
        touch(line, parsed.messageID); touch(line, parsed.worker); touch(line, parsed.clientIP)
        touch(line, parsed.from); touch(line, parsed.to)
        if let ts = parsed.timestamp {
            precondition(ts.restOffset <= line.count)
            precondition((1...12).contains(ts.month) && (1...31).contains(ts.day) && ts.hour < 24 && ts.minute < 60 && ts.second <= 60)
        }
        switch parsed.event {
        case .authUser(_, let user, let forUser):
            _ = user.escaped
            touch(line, forUser)
        case .connected(let session, let ip):
            touch(line, session); touch(line, ip)
        case .disconnected(let session, let ip):
            touch(line, session); touch(line, ip)
        case .authAttempt, .authSucceeded, .authFailed, .replyError, .recipientAccepted, .messageAccepted, .other,
             .continuation, .malformed:
            break
        }
    }
}

let registry = Registry(sources: BuiltinSources.all, detectors: BuiltinDetectors.all, notifiers: BuiltinNotifiers.all)
let scratch = NSTemporaryDirectory() + "mvpipe-fuzz-\(getpid())"
let quiet = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }

func fuzzConfig(_ bytes: UnsafeBufferPointer<UInt8>) {
    do {
        let config = try PipelineConfig.parse(Data(bytes), registry: registry, baseDirectory: scratch,
                                              environment: [:], logger: quiet, consoleStream: .standardError)
        _ = (config.historyDays, config.needsBuckets, config.detectors(for: "user@example.org"))
    } catch is ConfigError {
        // The expected outcome for nearly every input.
    } catch {
        preconditionFailure("config decoder threw \(type(of: error)), not a ConfigError: \(error)")
    }
}

typealias Body = @Sendable (UnsafeBufferPointer<UInt8>) -> Void

/// The fuzz targets by name.
let targets: [String: Body] = ["postfix": fuzzPostfix, "assp": fuzzASSP, "config": fuzzConfig]

#if MVPIPE_LIBFUZZER
/// The target libFuzzer runs: `MVPIPE_FUZZ_TARGET` (libFuzzer owns the command line).
let selected: Body = {
    let name = ProcessInfo.processInfo.environment["MVPIPE_FUZZ_TARGET"] ?? ""
    guard let body = targets[name] else {
        FileHandle.standardError.write(Data("set MVPIPE_FUZZ_TARGET to one of \(targets.keys.sorted())\n".utf8))
        exit(64)
    }
    return body
}()

/// One libFuzzer input.
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selected(UnsafeBufferPointer(start: data, count: size))
    return 0
}

/// libFuzzer's archive refers to this symbol; main.swift passes ``fuzzOneInput(_:_:)`` to `LLVMFuzzerRunDriver`.
@_cdecl("LLVMFuzzerTestOneInput")
public func llvmFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzOneInput(data, size)
}
#endif
