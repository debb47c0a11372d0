import Foundation

// The Vietnamese regimes as data, transcribed from RULES-VN.md sections 1-2. Change a period or a citation here,
// never in the deadline arithmetic.

extension RuleSet {
    /// Law on Personal Data Protection No. 91/2025/QH15 and Decree 356/2025/ND-CP, for requests from 2026-01-01.
    public static let pdpl2026 = RuleSet(
        id: "vn-pdpl-2026",
        title: "Law on Personal Data Protection 2025 and Decree 356/2025/ND-CP",
        effectiveFrom: VietnamTime.startOfDay(LocalDate(year: 2026, month: 1, day: 1)!),
        effectiveUntil: nil,
        instruments: [
            "Law on Personal Data Protection No. 91/2025/QH15",
            "Decree 356/2025/ND-CP (Art. 42(2) repealed Decree 13/2023/ND-CP from 2026-01-01)",
            "Civil Code 2015 Art. 147-148 (counting of periods)",
        ],
        acknowledgement: AcknowledgementRule(period: .workingDays(2), citation: "Decree 356 Art. 5"),
        requests: [
            RequestRule(
                type: .access, period: .calendarDays(10), periodWithProcessors: .calendarDays(15),
                extensionPeriod: .calendarDays(10), citation: "Law 91 Art. 4(1)(c)-(d), 15(2)(a); Decree 356 Art. 5(3)"
            ),
            RequestRule(
                type: .correction, period: .calendarDays(10), periodWithProcessors: .calendarDays(15),
                extensionPeriod: .calendarDays(10), citation: "Law 91 Art. 13; Decree 356 Art. 5(3)",
                note: "If the data cannot be corrected, the person must be told (Law 91 Art. 13)."),
            RequestRule(
                type: .deletion, period: .calendarDays(20), periodWithProcessors: .calendarDays(30),
                extensionPeriod: .calendarDays(20), citation: "Law 91 Art. 14; Decree 356 Art. 5(4)",
                note: "If the data cannot be deleted, the person must be told (Law 91 Art. 14)."),
            RequestRule(
                type: .restriction, period: .calendarDays(15), periodWithProcessors: .calendarDays(20),
                extensionPeriod: .calendarDays(15), citation: "Law 91 Art. 4(1)(d), 10; Decree 356 Art. 5(2)",
                note: "Record the condition of the restriction (Law 91 Art. 10(1)) and the written or verifiable "
                    + "form the request came in (Art. 10(2)): `--restriction-condition`, `--evidence`."),
            RequestRule(
                type: .objection, period: .calendarDays(15), periodWithProcessors: .calendarDays(20),
                extensionPeriod: .calendarDays(15),
                citation: "Law 91 Art. 4(1)(d), 28(3), 28(5); Decree 356 Art. 5(2); Decree 91/2020 Art. 13(4)",
                note: "An objection to marketing stops advertising at intake (Decree 91/2020 Art. 13(4)); "
                    + "the period governs the rest of the processing."),
            RequestRule(
                type: .withdrawConsent, period: .calendarDays(15), periodWithProcessors: .calendarDays(20),
                extensionPeriod: .calendarDays(15), citation: "Law 91 Art. 4(1)(b), 10; Decree 356 Art. 5(2)",
                note: "Withdrawal is not retroactive: processing before it stays lawful (Law 91 Art. 10(4)); it is "
                    + "made in writing or in a form that can be printed, copied or verified (Art. 10(2))."),
            RequestRule(
                type: .protection, period: .calendarDays(15), periodWithProcessors: .calendarDays(15),
                extensionPeriod: .calendarDays(15), citation: "Law 91 Art. 4(1)(e); Decree 356 Art. 5(5)",
                note: "A request for measures to protect the person's data: no longer period when processors act."),
        ],
        refusalGrounds: pdplRefusalGrounds,
        counting: "Civil Code 2015 Art. 147-148: a period in days starts on the day after receipt, in Vietnam time "
            + "(UTC+07:00), and ends at 24:00 of its last day; a last day that is a weekend day or a public holiday "
            + "moves to 24:00 of the next working day. Working days skip Saturdays, Sundays and public holidays.",
        notes: [
            "Whether Decree 356's 10/15/20/30-day periods are calendar or working days is not settled; "
                + "they are treated as calendar days with the roll-forward, the shorter reading.",
            "One extension at most, with a reason given to the person that the controller can justify.",
        ]
    )

    /// Decree 13/2023/ND-CP, for requests received before 2026-01-01 (historical, kept to audit old requests).
    public static let decree13 = RuleSet(
        id: "vn-decree13",
        title: "Decree 13/2023/ND-CP on personal data protection (historical)",
        effectiveFrom: VietnamTime.startOfDay(LocalDate(year: 2023, month: 7, day: 1)!),
        effectiveUntil: VietnamTime.startOfDay(LocalDate(year: 2026, month: 1, day: 1)!),
        instruments: ["Decree 13/2023/ND-CP (repealed from 2026-01-01 by Decree 356/2025/ND-CP Art. 42(2))"],
        acknowledgement: nil,
        requests: [
            RequestRule(
                type: .access, period: .hours(72), periodWithProcessors: .hours(72), extensionPeriod: nil,
                citation: "Decree 13 Art. 14(3)"),
            RequestRule(
                type: .correction, period: .hours(72), periodWithProcessors: .hours(72), extensionPeriod: nil,
                citation: "Decree 13 Art. 15(2)",
                note: "Product policy: the decree says \"as soon as possible\" and requires telling the person "
                    + "within 72 hours if correction cannot be done; the product holds correction to 72 hours."),
            RequestRule(
                type: .deletion, period: .hours(72), periodWithProcessors: .hours(72), extensionPeriod: nil,
                citation: "Decree 13 Art. 16(5)"),
            RequestRule(
                type: .restriction, period: .hours(72), periodWithProcessors: .hours(72), extensionPeriod: nil,
                citation: "Decree 13 Art. 9(6)"),
            RequestRule(
                type: .objection, period: .hours(72), periodWithProcessors: .hours(72), extensionPeriod: nil,
                citation: "Decree 13 Art. 9(8)"),
            RequestRule(
                type: .withdrawConsent, period: .hours(72), periodWithProcessors: .hours(72), extensionPeriod: nil,
                citation: "Decree 13 Art. 12(3)-(4)",
                note: "Product policy: the decree sets no period (processing stops once the withdrawal is received "
                    + "and the person is told the consequences); the product holds withdrawal to 72 hours."),
            RequestRule(
                type: .protection, period: .hours(72), periodWithProcessors: .hours(72), extensionPeriod: nil,
                citation: "Decree 13 Art. 9",
                note: "Product policy: Decree 13 had no separate request for protective measures (Art. 9 lists the "
                    + "rights); the product holds one to 72 hours like the other requests."),
        ],
        refusalGrounds: decree13RefusalGrounds,
        counting: "Hours from the instant of receipt (Decree 13); the Civil Code's day counting and its roll-forward "
            + "past days off do not apply.",
        notes: [
            "No separate acknowledgement: ack_due equals due.",
            "No extension.",
            "No longer period when processors must act.",
        ]
    )

    private static let nextStepsForIdentity =
        "Tell the person which proof of identity or which identifier would let the request go ahead, "
        + "and that they may submit the request again."

    private static let refusableWithoutConsent: [RequestType] = [.deletion, .withdrawConsent, .restriction, .objection]

    // RULES-VN.md "Citations for the refusal grounds". Never Law 91 Art. 26: it concerns health and insurance data.
    private static let pdplRefusalGrounds: [RefusalGroundRule] = [
        RefusalGroundRule(
            ground: .identityNotVerified,
            citation: "Law 91 Art. 3(4), 7(7), 15(2)(b); Decree 356 Art. 5(1)",
            appliesTo: RequestType.allCases,
            explanation: nextStepsForIdentity),
        RefusalGroundRule(
            ground: .noData,
            citation: "Law 91 Art. 4(1)(a)",
            appliesTo: RequestType.allCases,
            explanation: "Not really a refusal: tell the person that nothing is held about them under the identifiers "
                + "given, and that they may give others (another phone number, email or Zalo account)."),
        RefusalGroundRule(
            ground: .abusive,
            citation: "Law 91 Art. 4(3)(a)-(c)",
            appliesTo: RequestType.allCases,
            citationByType: [.deletion: "Law 91 Art. 4(3)(a)-(c), 14(2)"],
            explanation: "Say which limb of Law 91 Art. 4(3) applies and why: the request does not serve the person's "
                + "own lawful interests, obstructs the controller's legal duties, or infringes others' lawful rights "
                + "and interests. Never call it \"manifestly unfounded\", a term the law does not use."),
        RefusalGroundRule(
            ground: .legalRetention,
            citation: "Law 91 Art. 14(2), 19(1)(đ), with the other law that requires keeping the data, named by the "
                + "officer",
            appliesTo: [.deletion],
            officerNamesProvision: true,
            explanation: "Name the law that requires keeping the data and for how long, and tell the person "
                + "(Law 91 Art. 14(5)); the data is kept only for that purpose."),
        RefusalGroundRule(
            ground: .noConsentNeeded,
            citation: "Law 91 Art. 10(1), 14(2), 19; Decree 356 Art. 5(2)",
            appliesTo: refusableWithoutConsent,
            citationByType: [
                .deletion: "Law 91 Art. 14(2), 19",
                .withdrawConsent: "Law 91 Art. 10(1), 19; Decree 356 Art. 5(2)",
                .restriction: "Law 91 Art. 10(1), 19; Decree 356 Art. 5(2)",
                .objection: "Law 91 Art. 10(1), 19; Decree 356 Art. 5(2)",
            ],
            explanation: "Name the case under Law 91 Art. 19 in which the processing does not need consent."),
        RefusalGroundRule(
            ground: .harmsOthers,
            citation: "Law 91 Art. 15(2)(a)",
            appliesTo: [.access],
            explanation: "Say that providing the data would harm national defence, national security, social order "
                + "and safety, or the life, health or property of others, without revealing anyone else's data."),
        RefusalGroundRule(
            ground: .duplicate,
            citation: "Decree 356 Art. 5",
            appliesTo: RequestType.allCases,
            explanation: "Not a refusal of the right: the request repeats one of the same type still open for the "
                + "same person, and is answered there. The letter names the earlier request and blames no one."),
    ]

    // Decree 13 lists its own grounds: Art. 14(4)(a)-(c) for providing data, Art. 16(2)(a)-(e) for deletion. The
    // officer names the point in the note; other request types had no listed grounds, and there the officer names
    // the provision relied on.
    private static let decree13RefusalGrounds: [RefusalGroundRule] = pdplRefusalGrounds.map { rule in
        let named = "Decree 13/2023/ND-CP, with the provision named by the officer"
        var byType: [RequestType: String] = [:]
        if rule.appliesTo.contains(.access) && rule.ground != .duplicate {
            byType[.access] = "Decree 13 Art. 14(4)(a)-(c)"
        }
        if rule.appliesTo.contains(.deletion) && rule.ground != .duplicate {
            byType[.deletion] = "Decree 13 Art. 16(2)(a)-(e)"
        }
        if rule.ground == .duplicate {
            return RefusalGroundRule(
                ground: .duplicate, citation: "Decree 13 Art. 9", appliesTo: rule.appliesTo,
                explanation: rule.explanation)
        }
        return RefusalGroundRule(
            ground: rule.ground,
            citation: named,
            appliesTo: rule.appliesTo,
            officerNamesProvision: true,
            citationByType: byType,
            explanation: rule.explanation)
    }
}
