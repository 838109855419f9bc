import CCurl

/// Owns one libcurl easy handle for a single transfer, plus everything the
/// handle points at while it runs: the error buffer, header lists, the
/// upload source and the collected response. All of it is released in
/// `deinit`, after `curl_easy_cleanup`, so libcurl never sees a dangling
/// pointer.
///
/// Callbacks receive `Unmanaged.passUnretained(self)` as their user data.
/// That is safe because callbacks only run inside ``perform()``, while
/// `self` is necessarily alive, and the handle dies with `self`. Not
/// thread-safe: use one instance per transfer, on one thread.
final class CurlEasy {
    /// The `CURL *` handle.
    private let handle: UnsafeMutableRawPointer
    /// `CURLOPT_ERRORBUFFER` storage (`CURL_ERROR_SIZE` bytes).
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let errorBufferSize: Int
    /// Lists handed to libcurl (which does not copy them); freed in deinit.
    private var lists: [UnsafeMutablePointer<curl_slist>] = []

    /// Bytes served to `CURLOPT_READFUNCTION`.
    private(set) var upload: [UInt8] = []
    private var uploadOffset = 0

    /// Response body collected by `CURLOPT_WRITEFUNCTION` (if enabled).
    private(set) var body: [UInt8] = []
    /// Body bytes above this limit abort the transfer (`CURLE_WRITE_ERROR`).
    private var maxBodyBytes = Int.max
    private var collectBody = false
    private var bodyOverflow = false

    /// Status line and header fields of the most recent response block
    /// (reset by each new status line: redirects, `100 Continue`).
    private(set) var statusLine = ""
    private(set) var headerFields: [(name: String, value: String)] = []

    /// Creates a handle. Always sets `CURLOPT_NOSIGNAL`, the error buffer and
    /// a write callback (so a body is never printed to stdout).
    init() throws(CurlError) {
        try Curl.initialize()
        guard let h = curl_easy_init() else {
            throw CurlError(curlCode: CURLE_FAILED_INIT.rawValue, detail: "curl_easy_init returned NULL", replyCode: nil)
        }
        handle = h
        errorBufferSize = Int(mvp_error_size())
        errorBuffer = .allocate(capacity: errorBufferSize)
        errorBuffer.initialize(repeating: 0, count: errorBufferSize)

        let me = Unmanaged.passUnretained(self).toOpaque()
        try check(mvp_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        try check(mvp_setopt_ptr(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)), "ERRORBUFFER")
        try check(mvp_setopt_write_cb(handle, curlKitWriteCallback), "WRITEFUNCTION")
        try check(mvp_setopt_ptr(handle, CURLOPT_WRITEDATA, me), "WRITEDATA")
    }

    deinit {
        curl_easy_cleanup(handle)
        for list in lists { curl_slist_free_all(list) }
        errorBuffer.deinitialize(count: errorBufferSize)
        errorBuffer.deallocate()
    }

    // MARK: Options

    func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(mvp_setopt_long(handle, option, value), "option \(option.rawValue)")
    }

    func set(_ option: CURLoption, _ value: Bool) throws(CurlError) {
        try set(option, value ? 1 : 0)
    }

    func set(_ option: CURLoption, offset value: Int64) throws(CurlError) {
        try check(mvp_setopt_off_t(handle, option, curl_off_t(value)), "option \(option.rawValue)")
    }

    /// Sets a string option. libcurl copies it, so a temporary C string is fine.
    func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        let rc = value.withCString { mvp_setopt_str(handle, option, $0) }
        try check(rc, "option \(option.rawValue)")
    }

    /// Sets a `struct curl_slist *` option; the list lives until deinit.
    func set(_ option: CURLoption, list values: [String]) throws(CurlError) {
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for value in values {
            guard let appended = value.withCString({ curl_slist_append(list, $0) }) else {
                if let list { curl_slist_free_all(list) }
                throw CurlError(curlCode: CURLE_OUT_OF_MEMORY.rawValue, detail: "curl_slist_append failed", replyCode: nil)
            }
            list = appended
        }
        if let list { lists.append(list) }
        try check(mvp_setopt_slist(handle, option, list), "option \(option.rawValue)")
    }

    /// Sets the request body for POST/PUT via `CURLOPT_COPYPOSTFIELDS`
    /// (libcurl keeps its own copy; the size is set first so NUL bytes are kept).
    func setPostBody(_ bytes: [UInt8]) throws(CurlError) {
        try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(bytes.count))
        let rc: CURLcode
        if bytes.isEmpty {
            rc = "".withCString { mvp_setopt_str(handle, CURLOPT_COPYPOSTFIELDS, $0) }
        } else {
            rc = bytes.withUnsafeBytes { raw in
                mvp_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
            }
        }
        try check(rc, "COPYPOSTFIELDS")
    }

    /// Enables an upload (`CURLOPT_UPLOAD`) fed from `bytes` by
    /// `CURLOPT_READFUNCTION`, with `CURLOPT_INFILESIZE_LARGE` set.
    func setUpload(_ bytes: [UInt8]) throws(CurlError) {
        upload = bytes
        uploadOffset = 0
        try check(mvp_setopt_read_cb(handle, curlKitReadCallback), "READFUNCTION")
        try check(mvp_setopt_ptr(handle, CURLOPT_READDATA, Unmanaged.passUnretained(self).toOpaque()), "READDATA")
        try set(CURLOPT_INFILESIZE_LARGE, offset: Int64(bytes.count))
        try set(CURLOPT_UPLOAD, true)
    }

    /// Collects the response body (up to `maxBytes`) instead of discarding it.
    func collectResponseBody(maxBytes: Int) {
        collectBody = true
        maxBodyBytes = maxBytes
    }

    /// Collects the response header block via `CURLOPT_HEADERFUNCTION`.
    func collectResponseHeaders() throws(CurlError) {
        try check(mvp_setopt_header_cb(handle, curlKitHeaderCallback), "HEADERFUNCTION")
        try check(mvp_setopt_ptr(handle, CURLOPT_HEADERDATA, Unmanaged.passUnretained(self).toOpaque()), "HEADERDATA")
    }

    // MARK: Transfer

    /// Runs the transfer (blocking). On failure throws a ``CurlError`` with
    /// the error buffer text and the protocol reply code, if any.
    ///
    /// SIGPIPE is blocked on this thread meanwhile (``BrokenPipe``): libcurl sends with MSG_NOSIGNAL where it
    /// can, and a peer that resets a connection in a corner case it cannot cover must fail the transfer, not end
    /// mvpipe (`CURLOPT_NOSIGNAL` keeps libcurl from changing the process-wide disposition itself).
    func perform() throws(CurlError) {
        errorBuffer[0] = 0
        let rc = BrokenPipe.withSignalBlocked { curl_easy_perform(handle) }
        guard rc == CURLE_OK else {
            var detail = String(cString: errorBuffer)
            if bodyOverflow && detail.isEmpty { detail = "response body exceeds \(maxBodyBytes) bytes" }
            let reply = responseCode()
            throw CurlError(curlCode: rc.rawValue, detail: detail, replyCode: reply > 0 ? reply : nil)
        }
    }

    /// `CURLINFO_RESPONSE_CODE`: last HTTP status or SMTP reply code (0 if none).
    func responseCode() -> Int {
        var code: Int = 0
        _ = mvp_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    private func check(_ rc: CURLcode, _ what: String) throws(CurlError) {
        guard rc == CURLE_OK else {
            throw CurlError(curlCode: rc.rawValue, detail: "curl_easy_setopt \(what) failed", replyCode: nil)
        }
    }

    // MARK: Callback bodies

    fileprivate func receive(_ data: UnsafeRawBufferPointer) -> Int {
        guard collectBody else { return data.count }
        if body.count + data.count > maxBodyBytes {
            bodyOverflow = true
            return 0 // makes libcurl abort with CURLE_WRITE_ERROR
        }
        body.append(contentsOf: data)
        return data.count
    }

    fileprivate func send(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let n = min(buffer.count, upload.count - uploadOffset)
        guard n > 0 else { return 0 }
        upload.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + uploadOffset, byteCount: n)
        }
        uploadOffset += n
        return n
    }

    fileprivate func header(_ data: UnsafeRawBufferPointer) -> Int {
        // Strip CR/LF as bytes: "\r\n" is one Character, so String suffix
        // checks for "\r" or "\n" alone would not match it.
        var end = data.count
        while end > 0, data[end - 1] == 0x0A || data[end - 1] == 0x0D { end -= 1 }
        let line = String(decoding: UnsafeRawBufferPointer(rebasing: data[0..<end]), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            // A new response block (after 1xx or a redirect): forget the old one.
            statusLine = line
            headerFields.removeAll()
        } else if line.isEmpty {
            // End of a header block.
        } else if line.first == " " || line.first == "\t", let last = headerFields.popLast() {
            // Obsolete line folding: continuation of the previous field.
            headerFields.append((last.name, last.value + " " + line.trimmingSpaces()))
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon]).trimmingSpaces()
            let value = String(line[line.index(after: colon)...]).trimmingSpaces()
            headerFields.append((name, value))
        }
        return data.count
    }
}

extension String {
    /// Strips leading/trailing spaces and tabs (no Foundation needed).
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

// C-convention trampolines: no captures, context comes through `userdata`.

private let curlKitWriteCallback: mvp_data_cb = { ptr, size, nitems, userdata in
    let count = size * nitems
    guard let userdata, let ptr else { return count }
    let easy = Unmanaged<CurlEasy>.fromOpaque(userdata).takeUnretainedValue()
    return easy.receive(UnsafeRawBufferPointer(start: ptr, count: count))
}

private let curlKitReadCallback: mvp_data_cb = { ptr, size, nitems, userdata in
    guard let userdata, let ptr else { return 0 }
    let easy = Unmanaged<CurlEasy>.fromOpaque(userdata).takeUnretainedValue()
    return easy.send(into: UnsafeMutableRawBufferPointer(start: ptr, count: size * nitems))
}

private let curlKitHeaderCallback: mvp_data_cb = { ptr, size, nitems, userdata in
    let count = size * nitems
    guard let userdata, let ptr else { return count }
    let easy = Unmanaged<CurlEasy>.fromOpaque(userdata).takeUnretainedValue()
    return easy.header(UnsafeRawBufferPointer(start: ptr, count: count))
}
