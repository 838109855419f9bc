import Pipeline

/// The notifiers this module provides, for the registry.
public enum BuiltinNotifiers {
    /// Every notifier type, in the order `mvpipe plugins` lists them.
    public static let all: [any Notifier.Type] = [
        ConsoleNotifier.self, MailxNotifier.self, SMTPNotifier.self, SlackNotifier.self, MatrixNotifier.self,
        WebhookNotifier.self, PostfixHoldNotifier.self,
    ]
}
