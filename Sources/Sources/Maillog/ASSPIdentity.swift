/// Whom the assp-log source charges a message to.
public enum ASSPIdentity: String, Sendable, CaseIterable {
    /// The AUTH login of the message's session (ASSP logs it with `AUTHLogUser`), else the envelope sender.
    case login
    /// Always the envelope sender.
    case sender
}
