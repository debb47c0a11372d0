import Foundation
import RightsCore
import Testing

@Suite("The request state machine")
struct RequestWorkflowTests {
    static let received = Timestamp.parse("2026-06-01T09:00:00+07:00")!
    static let due = Timestamp.parse("2026-06-12T00:00:00+07:00")!

    func snapshot(_ type: RequestType, _ state: RequestState, extended: Bool = false, ruleSet: RuleSet = .pdpl2026)
        -> RequestSnapshot
    {
        RequestSnapshot(
            type: type, state: state, ruleSet: ruleSet, due: Self.due, extended: extended,
            lastEventAt: Self.received)
    }

    /// The whole transition table of CONTRACT.md for a type that needs verification (deletion) and one that does
    /// not (objection): every state × every step, with the state it leads to or nil when it is refused.
    @Test(arguments: RequestState.allCases)
    func everyStepFromEveryStateFollowsTheContractTable(state: RequestState) {
        let at = Self.received.addingTimeInterval(3600)
        let open = state.isOpen
        let expectations: [(RequestType, RequestStep, RequestState?)] = [
            (.deletion, .acknowledge, state == .received ? .acknowledged : nil),
            (.deletion, .verify, state == .received || state == .acknowledged ? .verified : nil),
            (.deletion, .extend, open ? state : nil),
            (.deletion, .complete, state == .verified ? .completed : nil),
            (.deletion, .reject, open ? .rejected : nil),
            (.deletion, .withdraw, open ? .withdrawn : nil),
            // Objections act at intake and complete without verification.
            (.objection, .complete, open ? .completed : nil),
            (.withdrawConsent, .complete, open ? .completed : nil),
            (.restriction, .complete, state == .verified ? .completed : nil),
            (.access, .complete, state == .verified ? .completed : nil),
            (.correction, .complete, state == .verified ? .completed : nil),
        ]
        for (type, step, expected) in expectations {
            let next = try? RequestWorkflow.next(
                after: step, on: snapshot(type, state), at: at, allVerifiedAfter: true)
            #expect(next == expected, "\(type.rawValue) \(step.rawValue) from \(state.rawValue)")
        }
    }

    @Test func verificationOfSomeIdentifiersKeepsTheState() throws {
        let next = try RequestWorkflow.next(
            after: .verify, on: snapshot(.access, .acknowledged), at: Self.received, allVerifiedAfter: false)
        #expect(next == .acknowledged)
    }

    @Test func aStepMayNotPrecedeThePreviousEvent() {
        #expect(throws: RequestStepError.self) {
            try RequestWorkflow.next(
                after: .acknowledge, on: snapshot(.access, .received), at: Self.received.addingTimeInterval(-1))
        }
    }

    @Test func theLawAllowsOneExtensionBeforeTheDueInstantAndNoneUnderDecree13() {
        let before = Self.due.addingTimeInterval(-1)
        #expect(throws: RequestStepError.alreadyExtended) {
            try RequestWorkflow.next(after: .extend, on: snapshot(.access, .received, extended: true), at: before)
        }
        #expect(throws: RequestStepError.extensionAfterDue(Timestamp.vietnam(Self.due))) {
            try RequestWorkflow.next(after: .extend, on: snapshot(.access, .received), at: Self.due)
        }
        #expect(throws: RequestStepError.extensionNotAllowed("vn-decree13")) {
            try RequestWorkflow.next(after: .extend, on: snapshot(.access, .received, ruleSet: .decree13), at: before)
        }
    }

    @Test func onlyObjectionsAndWithdrawalsCompleteWithoutVerification() {
        for type in RequestType.allCases {
            #expect(RequestWorkflow.needsVerification(type) == !(type == .objection || type == .withdrawConsent))
        }
    }

    @Test("every refused step is said in Vietnamese for the desk, without the command line's options")
    func refusalsInVietnamese() {
        let errors: [RequestStepError] = [
            .illegal(.completed, .acknowledge), .closed(.withdrawn, .extend), .notVerified(.access), .alreadyExtended,
            .extensionNotAllowed("vn-decree13"), .extensionAfterDue("2026-03-13T00:00:00+07:00"),
            .beforePreviousEvent("2026-03-10T09:00:00+07:00"), .alreadyVerified("+84912345678"),
            .unknownSubject("+84912345678"),
            .groundNotOffered(.harmsOthers, .deletion, ruleSet: "vn-law91", offeredFor: [.access]),
            .duplicateNeedsOriginal, .duplicateOfItself, .duplicateOfOtherType("RQ-2026-000001", .access),
            .duplicateOfClosed("RQ-2026-000001", .completed), .allVerified("RQ-2026-000001"), .correctionNeedsValues,
            .protectionNeedsMeasures,
        ]
        for error in errors {
            let text = error.text(.vietnamese)
            #expect(text != error.description, "\(error)")
            #expect(!text.contains("--") && !text.contains("request") && !text.contains(" the "), "\(text)")
            #expect(text.unicodeScalars.contains { $0.value > 0x7F }, "\(text)")
            #expect(error.text(.english) == error.description)
        }
        #expect(
            RequestStepError.extensionAfterDue("2026-03-13T00:00:00+07:00").text(.vietnamese).contains(
                "00:00 ngày 13/03/2026"))
    }
}
