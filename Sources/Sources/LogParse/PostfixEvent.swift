/// What one Postfix log line says, as far as per-user outgoing volume is concerned.
///
/// `Range<Int>` payloads are byte ranges into the line that was parsed (no copy is made for them); copy them
/// with ``LogBytes/init(_:_:)`` while the line is still in memory. Queue IDs are stored inline, so the whole event
/// is plain bytes: parsing a line allocates nothing and copying an event is a memory copy.
enum PostfixEvent: Sendable, Hashable {
    /// smtpd accepted a client for a queue file:
    /// `QUEUEID: client=NAME[IP][:PORT][, sasl_method=M, sasl_username=USER][, sasl_sender=S][, orig_queue_id=Q][, orig_client=C]`.
    /// Without SASL (inbound mail) the SASL fields are nil.
    case smtpdClient(queueID: QueueID, clientName: Range<Int>, clientIP: Range<Int>,
                     saslMethod: Range<Int>?, saslUsername: Range<Int>?)
    /// qmgr put a message into the active queue: `QUEUEID: from=<ADDR>, size=N, nrcpt=N (queue active)`.
    /// qmgr repeats this line each time a deferred message is retried; count nrcpt from the first one.
    case qmgrQueued(queueID: QueueID, from: Range<Int>, size: Int, nrcpt: Int)
    /// qmgr removed the queue file: `QUEUEID: removed`.
    case qmgrRemoved(queueID: QueueID)
    /// A local submission (sendmail/postdrop) picked up: `QUEUEID: uid=N from=<ADDR>`.
    case pickup(queueID: QueueID, uid: Int, from: Range<Int>)
    /// A well-formed syslog line that does not matter here: other daemons and messages, `warning: ...` (including
    /// failed SASL logins, which also carry `sasl_username=`), `NOQUEUE: reject: ...`, `connect from`, ...
    case other
    /// Not a parsable line: no timestamp or host, no program tag, or a recognised message that is cut short or
    /// garbled (for example `QUEUEID: client=host[1.2` or a qmgr `from=<` line without `, size=`).
    case malformed

    /// The queue ID of the four message events, nil for ``other`` and ``malformed``.
    var queueID: QueueID? {
        switch self {
        case .smtpdClient(let q, _, _, _, _), .qmgrQueued(let q, _, _, _), .qmgrRemoved(let q), .pickup(let q, _, _):
            return q
        case .other, .malformed:
            return nil
        }
    }
}
