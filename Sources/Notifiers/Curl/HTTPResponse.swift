/// The last HTTP response of a transfer. Any status (including 4xx/5xx) is
/// a response, not an error.
struct HTTPResponse: Sendable {
    /// The HTTP status code, e.g. `200`, `429`, `500`.
    var status: Int
    /// Header fields of the final response block, in arrival order (headers
    /// of `100 Continue` or redirect responses are not included).
    var headers: [(name: String, value: String)]
    /// The raw response body.
    var body: [UInt8]

    /// Creates a response.
    init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the first header field named `name` (case-insensitive),
    /// e.g. `header("retry-after")`; `nil` if absent.
    func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The body decoded as UTF-8 (invalid sequences become U+FFFD).
    var bodyString: String {
        String(decoding: body, as: UTF8.self)
    }

    /// True for 2xx statuses.
    var isSuccess: Bool { (200..<300).contains(status) }
}
