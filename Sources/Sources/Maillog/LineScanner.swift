import Pipeline

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a ``LogByteSource`` into lines in bounded memory: one buffer of `chunkSize + maxLineLength` bytes,
/// reused for every file of a run. Lines longer than `maxLineLength` are skipped (and counted), however long.
final class LineScanner {
    /// What one pass over a file did.
    struct Outcome: Sendable {
        /// Content offset just after the last complete line handled: where the next run starts.
        var endOffset: UInt64
        /// Lines seen (including skipped ones).
        var lines = 0
        /// Lines skipped as unparsable.
        var unparsable = 0
        /// Lines skipped as unusable.
        var unusable = 0
        /// Lines skipped for being longer than the limit.
        var overlong = 0
        /// Whether the content was read to its end.
        var reachedEnd = false
        /// Bytes after the last newline, left for the next run (a line still being written).
        var pendingBytes: UInt64 = 0
        /// The read error that stopped the pass, if any.
        var error: LogReadError?

        /// All skipped lines.
        var skipped: Int { unparsable + unusable + overlong }
    }

    /// Bytes asked of the source per read.
    let chunkSize: Int
    /// The longest line handled; longer ones are skipped.
    let maxLineLength: Int
    private let capacity: Int
    private let buffer: UnsafeMutablePointer<UInt8>

    /// Creates a scanner with its buffer.
    init(chunkSize: Int = 1 << 20, maxLineLength: Int = 1 << 16) {
        self.chunkSize = chunkSize
        self.maxLineLength = maxLineLength
        capacity = chunkSize + maxLineLength
        buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    /// Reads `source` (already positioned at content offset `startOffset`) to its end and hands every complete
    /// line to `handler`. A last line without a newline is handled only when `finalLineComplete` (a compressed,
    /// finished file); otherwise it is left for the next run.
    func scan<H: LogLineHandler>(_ source: any LogByteSource, startOffset: UInt64, finalLineComplete: Bool,
                                 handler: inout H) -> Outcome {
        var outcome = Outcome(endOffset: startOffset)
        var start = 0
        var end = 0
        var base = startOffset  // content offset of buffer[0]
        var discarding = false  // inside a line longer than the buffer
        while true {
            if start > 0 {
                let remaining = end - start
                if remaining > 0 { memmove(buffer, buffer + start, remaining) }
                base += UInt64(start)
                end = remaining
                start = 0
            }
            if end == capacity {
                // No newline in a full buffer: drop the bytes, skip the rest of this line.
                if !discarding {
                    discarding = true
                    outcome.overlong += 1
                    outcome.lines += 1
                }
                base += UInt64(end)
                end = 0
            }
            let n: Int
            do {
                n = try source.read(into: buffer + end, count: capacity - end)
            } catch let error as LogReadError {
                outcome.error = error
                break
            } catch {
                outcome.error = LogReadError("\(error)")
                break
            }
            if n == 0 {
                outcome.reachedEnd = true
                break
            }
            TestKillPoint.read.reached(n)
            var scanFrom = end
            end += n
            while scanFrom < end, let hit = memchr(buffer + scanFrom, 0x0A, end - scanFrom) {
                let newline = hit.assumingMemoryBound(to: UInt8.self) - buffer
                if discarding {
                    discarding = false
                } else {
                    deliver(start, newline, &outcome, &handler)
                }
                start = newline + 1
                scanFrom = start
                outcome.endOffset = base + UInt64(start)
            }
        }
        if outcome.reachedEnd && finalLineComplete && end > start {
            if discarding {
                outcome.endOffset = base + UInt64(end)
            } else {
                deliver(start, end, &outcome, &handler)
                outcome.endOffset = base + UInt64(end)
            }
            start = end
        }
        let tail = base + UInt64(end)
        outcome.pendingBytes = tail > outcome.endOffset ? tail - outcome.endOffset : 0
        return outcome
    }

    @inline(__always)
    private func deliver<H: LogLineHandler>(_ start: Int, _ newline: Int, _ outcome: inout Outcome, _ handler: inout H) {
        var stop = newline
        if stop > start && buffer[stop - 1] == 0x0D { stop -= 1 }
        outcome.lines += 1
        if stop - start > maxLineLength {
            outcome.overlong += 1
            return
        }
        switch handler.handle(UnsafeBufferPointer(start: buffer + start, count: stop - start)) {
        case .used, .ignored: break
        case .unparsable: outcome.unparsable += 1
        case .unusable: outcome.unusable += 1
        }
    }
}
