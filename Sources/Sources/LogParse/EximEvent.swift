/// What one Exim main log line says, as far as per-user outgoing volume is concerned.
///
/// `Range<Int>` payloads are byte ranges into the parsed line.
enum EximEvent: Sendable, Hashable {
    /// What a delivery line reports about one recipient.
    enum Delivery: Sendable, Hashable {
        /// `=>`: the first address of a delivery.
        case delivered
        /// `->`: a further address of the same delivery.
        case alsoDelivered
        /// `**`: a permanent failure (a bounce follows).
        case failed
        /// `==`: a deferral (repeated on each retry).
        case deferred
    }

    /// `<=`: a message arrived.
    /// - `sender`: the envelope sender, quoted local part included; nil for `<>` (a bounce).
    /// - `authenticator`, `login`: from `A=name:login` (nil without SMTP AUTH).
    /// - `recipients`: how many addresses the `for` list (`log_selector` `+received_recipients`) names, else nil.
    case arrival(sender: Range<Int>?, authenticator: Range<Int>?, login: Range<Int>?, recipients: Int?)
    /// `=>`, `->`, `**`, `==`: `envelope` is the envelope recipient (the last `<...>` of the address field, else
    /// the address itself), `address` what was delivered.
    case delivery(Delivery, address: Range<Int>, envelope: Range<Int>)
    /// `Completed`: Exim is done with the message.
    case completed
    /// A well-formed line of no interest: daemon and queue-run lines, rejections, failed logins (which carry
    /// a client-chosen `set_id=`), TLS errors, `SMTP connection from`, and other lines of a message.
    case other
    /// Not a main log line (no `YYYY-MM-DD HH:MM:SS` stamp), or a line of interest cut short or garbled.
    case malformed
}
