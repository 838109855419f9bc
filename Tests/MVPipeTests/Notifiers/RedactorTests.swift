import Foundation
@testable import Notifiers
import Testing

/// The rules by which a secret is removed from what a server says (the end-to-end test is EchoedSecretTests).
@Suite struct RedactorTests {
    let slack = Redactor(secrets: ["https://hooks.slack.com/services/T07E4MTEAM/B08BOTSECR/slackpathsecret4f9a2c"])

    @Test func aSecretURLIsRemovedByItsPathSegmentsAndWhatAServerCutShort() {
        #expect(slack.scrub("Cannot POST /services/T07E4MTEAM/B08BOTSECR/slackpathsecret4f9a2c") == "Cannot POST [redacted]")
        #expect(slack.scrub("team T07E4MTEAM, bot b08botsecr") == "team [redacted], bot [redacted]", "each part, any case")
        #expect(slack.scrub("URL /services/T07E4MTEAM/B08BOTSECR/slackpat...") == "URL [redacted]...", "a prefix a server cut")
        #expect(slack.scrub("…pathsecret4f9a2c") == "…[redacted]", "a suffix")
        // Scheme, host and short pieces are not secrets; Slack's own error words survive.
        #expect(slack.scrub("no_service at hooks.slack.com") == "no_service at hooks.slack.com")
    }

    @Test func queryValuesAreRemovedRawAndDecoded() {
        let hook = Redactor(secrets: ["https://x.example/hook?token=abc%2Bdef123456&sig=0123456789ab"])
        #expect(hook.scrub("the query token=abc%2Bdef123456") == "the query [redacted]", "the query is material too")
        #expect(hook.scrub("value abc+def123456") == "value [redacted]")
        #expect(hook.scrub("sig 0123456789ab.") == "sig [redacted].")
        #expect(hook.scrub("x.example answered") == "x.example answered")
    }

    @Test func headerValuesTokensAndPasswords() {
        let header = Redactor(secrets: ["Bearer hdrsecret5b2e80f1"])
        #expect(header.scrub("Authorization: Bearer hdrsecret5b2e80f1") == "Authorization: [redacted]")
        #expect(header.scrub("token:hdrsecret5b2e80f1 rejected") == "token:[redacted] rejected")
        let password = Redactor(secrets: ["pw42"])
        #expect(password.scrub("AUTH pw42 failed") == "AUTH [redacted] failed", "a whole secret however short")
        #expect(password.scrub("AUTH pw4 failed") == "AUTH pw4 failed")
        #expect(Redactor(secrets: []).scrub("nothing") == "nothing")
    }

    @Test func aRunNeverEndsInsideACharacter() {
        let redactor = Redactor(secrets: ["geheimnis-päßwörter-Ω-9"])
        #expect(redactor.scrub("xä geheimnis-päßwörter-Ω-9 ä") == "xä [redacted] ä")
        #expect(redactor.scrub("ßwörter-Ω-9 ä") == "[redacted] ä")
    }

    @Test func quotingScrubsBeforeItCuts() {
        let token = "0123456789abcdefghijklmnopqrstuv"
        let redactor = Redactor(secrets: [token])
        for padding in 180...200 {
            let text = String(repeating: "x", count: padding) + token
            let quoted = redactor.quote(text, limit: 200)
            #expect(!quoted.contains("01234567"), "padding \(padding): \(quoted)")
            #expect(!quoted.contains("01234"), "padding \(padding): the cut must not leave the start of the secret")
        }
    }

    @Test func serverTextLosesItsMarkup() {
        let page = """
            <!DOCTYPE html><html><head><title>404 Not&nbsp;Found</title>
            <style>body { color: red }</style><script>var x = "<b>";</script></head>
            <body><!-- a comment --><h1>Not Found</h1><p>The URL &lt;/x?a=1&amp;b=2&gt; &#x41;&#66;</p>
            a < b and c > d</body></html>
            """
        #expect(ServerText.plain(page) == "404 Not Found Not Found The URL </x?a=1&b=2> AB a < b and c > d")
        #expect(ServerText.plain("  plain\r\n text\t ") == "plain text")
        #expect(ServerText.plain(body: [0x6F, 0x6B, 0xFF]) == "ok\\xff")
    }
}
