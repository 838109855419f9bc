import Foundation
import Testing

/// Issue 13 end to end against a real Postfix (``PostfixInstance``): an account sends past its limit through
/// submission; `mvpipe run` reads Postfix's log and puts it on hold with the postfix-hold notifier; its next message
/// lands in the hold queue while another account's is delivered; `mvpipe holds` lists it; `mvpipe release` lifts
/// the hold and its next message is delivered.
@Suite(.enabled(if: PostfixInstance.enabled, PostfixInstance.skipReason),
       .serialized, .postfixInstance)
struct ContainmentPostfixTests {
    @Test func anAccountPastItsLimitIsHeldInPostfixAndReleased() throws {
        let postfix = try #require(PostfixInstance.current)
        let dir = try TemporaryDirectory("mvpipe-containment")
        let alice = "alice@example.org", bob = "bob@example.org"
        let config = try ConfigFile.write([
            "timezone": TimeZone.current.identifier,  // Postfix logs local time, the test's TZ
            "state": dir.file("state.sqlite"),
            "realert_factor": 2,
            "sources": [["type": "postfix-log", "paths": [postfix.maillog]]],
            "detectors": [["type": "hard-cap", "limit": 2]],
            "notifiers": [
                ["type": "console"],
                ["type": "postfix-hold", "map": postfix.saslMap, "reload_command": postfix.reloadCommand,
                 "max_new_holds": 5],
            ],
        ], to: dir.file("pipeline.json"))

        // alice sends 3 messages (over the limit of 2), bob 1; all delivered, all in the log.
        for login in [alice, alice, alice, bob] {
            try postfix.waitUntilDelivered(try postfix.send(as: login))
        }

        // The run alerts on alice and puts her on hold: the map lists her, Postfix was reloaded.
        let mark = postfix.markBeforeReload()
        let run = try CLIRunner.run(["run", "--config", config])
        try #require(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(alice), "the console alert names alice: \(run.stdout)")
        #expect(run.stdout.lowercased().contains("on hold"), "the alert says the account is on hold: \(run.stdout)")
        #expect(try postfix.lookup(alice, in: postfix.saslMap) != nil, "alice is in the map")
        #expect(try postfix.lookup(bob, in: postfix.saslMap) == nil, "bob is not in the map")
        try postfix.waitForReload(after: mark)

        // alice's next message is held; bob's is delivered.
        let held = try postfix.send(as: alice)
        let delivered = try postfix.send(as: bob)
        try postfix.waitUntilSettled()
        try postfix.waitUntilHeld(held)
        try postfix.waitUntilDelivered(delivered)
        #expect(try postfix.queueName(of: held) == "hold")

        // `mvpipe holds` lists alice only.
        let holds = try CLIRunner.run(["holds", "--config", config, "--json"])
        #expect(holds.status == 0, "\(holds.stderr)")
        #expect(holds.stdout.contains(alice), "\(holds.stdout)")
        #expect(!holds.stdout.contains(bob), "\(holds.stdout)")

        // `mvpipe release` lifts the hold and reloads: alice's next message is delivered.
        let releaseMark = postfix.markBeforeReload()
        let release = try CLIRunner.run(["release", "--config", config, alice])
        try #require(release.status == 0, "\(release.stderr)")
        #expect(try postfix.lookup(alice, in: postfix.saslMap) == nil, "alice is no longer in the map")
        try postfix.waitForReload(after: releaseMark)
        let afterRelease = try postfix.send(as: alice)
        try postfix.waitUntilDelivered(afterRelease)
        #expect(try postfix.queueName(of: held) == "hold", "mail held before the release stays held for the admin")

        let listed = try CLIRunner.run(["holds", "--config", config, "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(!listed.stdout.contains(alice), "released: \(listed.stdout)")

        // The next run does not hold her again the same day: 5 messages do not reach realert_factor × 3.
        let again = try CLIRunner.run(["run", "--config", config])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try postfix.lookup(alice, in: postfix.saslMap) == nil, "a released account is not held again that day")
    }
}
