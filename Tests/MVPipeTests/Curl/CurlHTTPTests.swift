import CCurl
@testable import Notifiers
import Foundation
import Testing

@Suite("HTTP transport against a real local server")
struct CurlHTTPTests {
    @Test func postJSONBodyAndHeadersArriveExactly() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        let json = #"{"text":"disk full on mx1 — 99% \u00e9","blocks":[{"type":"section"}],"nul":"a\u0000b"}"#
        let response = try HTTPRequest(
            method: .post, url: "http://127.0.0.1:\(server.port)/hook?x=1",
            headers: [("Content-Type", "application/json; charset=utf-8"),
                      ("X-Mvpipe-Test", "a  b:c"), ("User-Agent", "mvpipe/0.1")],
            body: Array(json.utf8)
        ).perform()

        #expect(response.status == 200)
        #expect(response.bodyString == #"{"ok": true}"#)
        #expect(response.header("content-type") == "application/json")
        let reqs = try appRequests(server)
        try #require(reqs.count == 1)
        let r = reqs[0]
        #expect(r["method"] as? String == "POST")
        #expect(r["path"] as? String == "/hook?x=1")
        #expect(recordBytes(r, "body_b64") == Array(json.utf8))
        #expect(headerValues(r, "content-type") == ["application/json; charset=utf-8"])
        #expect(headerValues(r, "x-mvpipe-test") == ["a  b:c"])
        #expect(headerValues(r, "user-agent") == ["mvpipe/0.1"])
        #expect(headerValues(r, "content-length") == ["\(json.utf8.count)"])
        #expect(headerValues(r, "expect").isEmpty)
    }

    @Test func getSendsNoBody() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        let response = try HTTPRequest(method: .get, url: "http://127.0.0.1:\(server.port)/hook/status").perform()
        #expect(response.status == 200)
        let reqs = try appRequests(server)
        try #require(reqs.count == 1)
        #expect(reqs[0]["method"] as? String == "GET")
        #expect(recordBytes(reqs[0], "body_b64").isEmpty)
    }

    @Test func httpErrorStatusesAreReturnedNotThrown() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        let base = "http://127.0.0.1:\(server.port)"
        let body = Array(#"{"text":"hi"}"#.utf8)

        let notFound = try HTTPRequest(method: .post, url: "\(base)/slack/notfound", body: body).perform()
        #expect(notFound.status == 404)
        #expect(notFound.bodyString == "no_service")

        let first = try HTTPRequest(method: .post, url: "\(base)/slack/error-once", body: body).perform()
        #expect(first.status == 500)
        #expect(first.bodyString == "internal_error")
        let second = try HTTPRequest(method: .post, url: "\(base)/slack/error-once", body: body).perform()
        #expect(second.status == 200)
        #expect(second.bodyString == "ok")
        #expect(try appRequests(server).count == 3)
    }

    @Test func retryAfterHeaderIsReadable() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/slack/ratelimit-once"
        let limited = try HTTPRequest(method: .post, url: url, body: Array("x".utf8)).perform()
        #expect(limited.status == 429)
        #expect(limited.header("retry-after") == "1")
        #expect(limited.header("RETRY-AFTER") == "1")
        #expect(limited.header("x-missing") == nil)
        let ok = try HTTPRequest(method: .post, url: url, body: Array("x".utf8)).perform()
        #expect(ok.status == 200)
        #expect(ok.header("retry-after") == nil)
    }

    @Test func scriptedResponsesAreServedInOrderThenDefault() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        try scriptResponses(server, path: "/hook", responses: [
            ["status": 503, "headers": ["Retry-After": "7", "X-A": "1"], "body": "busy"],
            ["status": 201, "body": ["id": 5]],
        ])
        let url = "http://127.0.0.1:\(server.port)/hook"
        let r1 = try HTTPRequest(method: .post, url: url).perform()
        let r2 = try HTTPRequest(method: .post, url: url).perform()
        let r3 = try HTTPRequest(method: .post, url: url).perform()
        #expect(r1.status == 503 && r1.header("retry-after") == "7" && r1.bodyString == "busy")
        #expect(r2.status == 201 && r2.bodyString == #"{"id": 5}"#)
        #expect(r3.status == 200)
    }

    @Test func matrixPutKeepsPercentEncodedPathAndIsIdempotent() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        let path = "/_matrix/client/v3/rooms/!abc%3Aexample.org/send/m.room.message/mvp-txn-1"
        let body = Array(#"{"msgtype":"m.text","body":"queue > 1000"}"#.utf8)
        func put(_ token: String) throws -> HTTPResponse {
            try HTTPRequest(method: .put, url: "http://127.0.0.1:\(server.port)\(path)",
                            headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                            body: body).perform()
        }
        let first = try put("TOKEN")
        let again = try put("TOKEN")
        let denied = try put("WRONG")
        #expect(first.status == 200)
        #expect(first.bodyString.contains("\"event_id\": \"$"))
        #expect(again.bodyString == first.bodyString)
        #expect(denied.status == 401)
        #expect(denied.bodyString.contains("M_UNKNOWN_TOKEN"))

        let reqs = try appRequests(server)
        try #require(reqs.count == 3)
        #expect(reqs.allSatisfy { $0["method"] as? String == "PUT" && $0["path"] as? String == path })
        #expect(recordBytes(reqs[0], "body_b64") == body)
        #expect(headerValues(reqs[0], "authorization") == ["Bearer TOKEN"])
    }

    @Test func matrixRateLimitIsAResponse() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/_matrix/client/v3/rooms/!ratelimit-once%3Aexample.org/send/m.room.message/t1"
        let req = HTTPRequest(method: .put, url: url, headers: [("Authorization", "Bearer TOKEN")], body: Array("{}".utf8))
        let limited = try req.perform()
        #expect(limited.status == 429)
        #expect(limited.bodyString.contains("M_LIMIT_EXCEEDED"))
        #expect(limited.bodyString.contains("\"retry_after_ms\": 500"))
        #expect(try req.perform().status == 200)
    }

    @Test func redirectsAreNotFollowed() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        try scriptResponses(server, path: "/hook", responses: [
            ["status": 307, "headers": ["Location": "http://127.0.0.1:\(server.port)/hook/other"], "body": ""],
        ])
        let r = try HTTPRequest(method: .post, url: "http://127.0.0.1:\(server.port)/hook", body: Array("x".utf8)).perform()
        #expect(r.status == 307)
        #expect(r.header("location") == "http://127.0.0.1:\(server.port)/hook/other")
        #expect(try appRequests(server).map { $0["path"] as? String } == ["/hook"])
    }

    @Test func onlyFinalResponseHeadersAfter100Continue() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        let r = try HTTPRequest(method: .post, url: "http://127.0.0.1:\(server.port)/slack/ok",
                                headers: [("Expect", "100-continue")], body: Array("payload".utf8)).perform()
        #expect(r.status == 200)
        #expect(r.bodyString == "ok")
        #expect(r.headers.filter { $0.name.lowercased() == "content-length" }.count == 1)
        let reqs = try appRequests(server)
        try #require(reqs.count == 1)
        #expect(headerValues(reqs[0], "expect") == ["100-continue"])
        #expect(recordBytes(reqs[0], "body_b64") == Array("payload".utf8))
    }

    @Test func connectionRefusedThrowsTransient() throws {
        let port = try closedPort()
        let error = #expect(throws: CurlError.self) {
            _ = try HTTPRequest(method: .post, url: "http://127.0.0.1:\(port)/hook", connectTimeout: 2, totalTimeout: 5).perform()
        }
        #expect(error?.kind == .transport)
        #expect(error?.code == Int(CURLE_COULDNT_CONNECT.rawValue))
        #expect(error?.isConnectionFailure == true)
        #expect(error?.isTransient == true)
        #expect(error?.replyCode == nil)
        #expect(error?.detail.isEmpty == false)
    }

    @Test func hungServerTimesOutTransient() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        // The server would answer after 600 s: only the timeout can end the request before that (600 s only turns a
        // broken timeout into a failure). 5 s is ample to connect and send over loopback on a loaded machine, so the
        // request is always in the server's log when the answer is what times out.
        try scriptResponses(server, path: "/hook", responses: [["status": 200, "delay": 600]])
        let error = #expect(throws: CurlError.self) {
            _ = try HTTPRequest(method: .post, url: "http://127.0.0.1:\(server.port)/hook",
                                body: Array("x".utf8), connectTimeout: 5, totalTimeout: 5).perform()
        }
        #expect(error?.code == Int(CURLE_OPERATION_TIMEDOUT.rawValue))
        #expect(error?.isTimeout == true)
        #expect(error?.isTransient == true)
        #expect(try appRequests(server).count == 1) // the request did reach the server
    }

    @Test func headerInjectionIsRejectedBeforeNetwork() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        for header in [("X-A", "ok\r\nX-Injected: 1"), ("X-A\r\nX-B", "v"), ("X-A", "a\nb"), ("Bad Name", "v"), ("", "v")] {
            let error = #expect(throws: CurlError.self) {
                _ = try HTTPRequest(method: .post, url: "http://127.0.0.1:\(server.port)/hook", headers: [header]).perform()
            }
            #expect(error?.kind == .invalidRequest)
            #expect(error?.isTransient == false)
        }
        #expect(try appRequests(server).isEmpty)
    }

    @Test func nonHTTPSchemesAreRefused() throws {
        let error = #expect(throws: CurlError.self) {
            _ = try HTTPRequest(method: .get, url: "file:///etc/passwd").perform()
        }
        #expect(error?.code == Int(CURLE_UNSUPPORTED_PROTOCOL.rawValue))
        #expect(error?.isTransient == false)
    }

    @Test func responseBodyLimitIsEnforced() throws {
        let dir = try TempDir(); defer { dir.remove() }
        let server = try startHTTPServer(dir); defer { server.stop() }
        try scriptResponses(server, path: "/hook", responses: [["status": 200, "body": String(repeating: "x", count: 5000)]])
        let error = #expect(throws: CurlError.self) {
            _ = try HTTPRequest(method: .get, url: "http://127.0.0.1:\(server.port)/hook", maxResponseBytes: 1000).perform()
        }
        #expect(error?.code == Int(CURLE_WRITE_ERROR.rawValue))
    }
}
