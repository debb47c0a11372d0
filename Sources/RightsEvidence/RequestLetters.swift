import Foundation
import RightsCore
import RightsStore

/// The letters of a recorded request: which exist for it now, and the facts they are rendered from. One place, for
/// `rightsdesk request letter`, the desk's letter buttons and anything else that writes to the person.
public enum RequestLetters {
    /// Refuses a letter the request does not have yet (a completion before it is completed).
    public static func check(_ kind: LetterKind, for detail: RequestDetail) throws(LetterError) {
        let view = detail.request
        switch kind {
        case .extension where !view.extended:
            throw .notApplicable(kind: kind, reason: "\(view.id) was not extended")
        case .completion where view.state != .completed:
            throw .notApplicable(kind: kind, reason: "\(view.id) is \(view.state.rawValue), not completed")
        case .rejection where view.state != .rejected:
            throw .notApplicable(kind: kind, reason: "\(view.id) is \(view.state.rawValue), not rejected")
        case .refusalConfirmation where view.type != .objection && view.type != .withdrawConsent:
            throw .notApplicable(kind: kind, reason: "it answers an objection or a withdrawal of consent")
        default: break
        }
    }

    /// What was done, where the officer recorded it in their own words: a protection request's measures.
    static func outcome(_ detail: RequestDetail) -> String? {
        guard detail.request.type == .protection, detail.request.state == .completed,
            let measures = detail.events.last(where: { $0.kind == "completed" })?.note
        else { return nil }
        return measures
    }

    /// The letter's facts from the request as stored and the organisation as `org set` names it.
    public static func context(_ detail: RequestDetail, organization: Organization, letterDate: Date)
        throws(LetterError) -> LetterContext
    {
        let view = detail.request
        guard let ackDueDate = LocalDate(view.ackDueDate), let dueDate = LocalDate(view.dueDate),
            let receivedAt = Timestamp.parse(view.receivedAt), let ackDue = Timestamp.parse(view.ackDue),
            let due = Timestamp.parse(view.due)
        else {
            throw .missingValue(kind: .ack, field: "the due dates of \(view.id)")
        }
        return LetterContext(
            organization: organization, recipientName: detail.name, representative: detail.representative,
            subjects: detail.subjects.filter { !$0.isErased }.map(\.identifier), requestID: view.id,
            requestType: view.type, ruleSetID: view.ruleSet, processors: view.processors, receivedAt: receivedAt,
            ackDue: ackDue, ackDueDate: ackDueDate, due: due, dueDate: dueDate,
            citation: LetterContext.ruleCitation(ruleSetID: view.ruleSet, type: view.type) ?? view.citation,
            extensionReason: detail.extensionReason,
            previousDueDate: view.extended ? LocalDate(detail.originalDueDate) : nil,
            refusalGround: detail.ground.flatMap(RefusalGround.init(rawValue:)), groundCitation: detail.groundCitation,
            rejectionNote: view.state == .rejected ? detail.closingNote : nil, duplicateOf: view.duplicateOf,
            completedAt: view.closedAt.flatMap { Timestamp.parse($0) }, outcome: outcome(detail),
            suppressionSince: receivedAt,
            letterDate: letterDate)
    }
}
