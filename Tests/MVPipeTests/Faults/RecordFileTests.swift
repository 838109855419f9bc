import Foundation
import Testing

/// The reader of the test servers' record files (`RecordFile`): a record still being written when a test reads
/// the file is left for the next read instead of failing the test with a JSON parse error (issue 16:
/// `DeliveryCrashTests` read the request log mid-line).
@Suite("record files read mid-write") struct RecordFileTests {
    @Test func aLastLineWithoutItsNewlineIsLeftForTheNextRead() throws {
        let dir = try TemporaryDirectory("mvpipe-records")
        let path = dir.file("http.jsonl")
        #expect(try RecordFile.records(path).isEmpty, "no file yet: no records")
        try dir.write("http.jsonl", "{\"path\": \"/hook/a\"}\n{\"path\": \"/hook/b\"}\n{\"path\": \"/ho")
        #expect(try RecordFile.records(path).map { $0["path"] as? String } == ["/hook/a", "/hook/b"])
        try dir.write("http.jsonl", "{\"path\": \"/hook/a\"}\n{\"path\": \"/hook/b\"}\n{\"path\": \"/hook/c\"}\n")
        #expect(try RecordFile.records(path).map { $0["path"] as? String } == ["/hook/a", "/hook/b", "/hook/c"])
        try dir.write("http.jsonl", "{\"path\": \"/ho")
        #expect(try RecordFile.records(path).isEmpty)
    }

    @Test func aCompleteLineThatIsNotAnObjectIsAnError() throws {
        let dir = try TemporaryDirectory("mvpipe-records")
        try dir.write("http.jsonl", "{\"path\": \"/hook/a\"}\n[1, 2]\n")
        #expect(throws: SetupError.self) { try RecordFile.records(dir.file("http.jsonl")) }
    }
}
