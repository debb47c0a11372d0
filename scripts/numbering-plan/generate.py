#!/usr/bin/env python3
"""Derive the Vietnamese numbering plan from libphonenumber and write it as Swift data, plus test vectors.

Usage (from the package root, after `pip install phonenumbers`):

    python3 scripts/numbering-plan/generate.py

Writes:
  Sources/RightsCore/Identifiers/VietnamNumberingPlan+Data.swift
  Tests/RightsCoreTests/Fixtures/vn-phone-vectors.tsv

How the plan is derived. libphonenumber describes Vietnam with regular expressions; RightsCore wants plain
data (prefix, total length, kind) that it can look up in a table. For every national-significant-number
(NSN) length that libphonenumber allows for mobile or fixed-line numbers, every 5-digit prefix is classified by
asking `phonenumbers.number_type` about several completions of it (all zeros, all nines, random digits). If
the completions of a prefix disagree, its class depends on digits beyond the fifth and the script stops: the
table could not be exact. Prefixes whose ten children agree (same kind, same year) are then merged
bottom-up, which yields the minimal prefix table. Finally the table is checked against phonenumbers on a
large random sample, so a pattern the derivation missed makes the script fail rather than emit wrong data.

The years come from the numbering-plan changes that phonenumbers does not record: the 2018 conversion of
11-digit mobile numbers to 10 digits, and the 2017 change of landline area codes to 02x. A range that
neither change made carries no year (nil): it may be older, or newer and made by another decision.

The vectors' expectations come from `reference_normalise` below, which implements the rules of CONTRACT.md
"Identifiers" on top of phonenumbers (not on the derived table), so the Swift parser is tested against an
independent oracle.
"""

from __future__ import annotations

import os
import random
import sys

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber, PhoneNumberType

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA_PATH = os.path.join(ROOT, "Sources", "RightsCore", "Identifiers", "VietnamNumberingPlan+Data.swift")
VECTORS_PATH = os.path.join(ROOT, "Tests", "RightsCoreTests", "Fixtures", "vn-phone-vectors.tsv")

DERIVATION_DEPTH = 5
SEED = 20240817

# The 2018 conversion of 11-digit mobile numbers to 10 digits (carried out September - November 2018), in
# national form: old prefix, new prefix, operator.
MOBILE_CONVERSION_2018 = [
    ("0162", "032", "Viettel"),
    ("0163", "033", "Viettel"),
    ("0164", "034", "Viettel"),
    ("0165", "035", "Viettel"),
    ("0166", "036", "Viettel"),
    ("0167", "037", "Viettel"),
    ("0168", "038", "Viettel"),
    ("0169", "039", "Viettel"),
    ("0120", "070", "MobiFone"),
    ("0121", "079", "MobiFone"),
    ("0122", "077", "MobiFone"),
    ("0126", "076", "MobiFone"),
    ("0128", "078", "MobiFone"),
    ("0123", "083", "VinaPhone"),
    ("0124", "084", "VinaPhone"),
    ("0125", "085", "VinaPhone"),
    ("0127", "081", "VinaPhone"),
    ("0129", "082", "VinaPhone"),
    ("0186", "056", "Vietnamobile"),
    ("0188", "058", "Vietnamobile"),
    ("0199", "059", "Gmobile"),
]
MOBILE_CONVERSION_YEAR = 2018

# In 2017 (in phases, February - June) the landline area codes of 59 provinces changed to 02x codes; four provinces
# kept theirs: Phu Tho 0210, Vinh Phuc 0211, Hoa Binh 0218 and Ha Giang 0219.
LANDLINE_CHANGE_YEAR = 2017
LANDLINE_CODES_KEPT_IN_2017 = {"210", "211", "218", "219"}

MOBILE = "mobile"
LANDLINE = "landline"


def classify(nsn: str) -> str | None:
    """The kind of a Vietnamese NSN as libphonenumber sees it: mobile, landline or None (anything else)."""
    if nsn.startswith("0"):
        return None
    number = PhoneNumber(country_code=84, national_number=int(nsn))
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.MOBILE:
        return MOBILE
    if kind == PhoneNumberType.FIXED_LINE:
        return LANDLINE
    if kind == PhoneNumberType.FIXED_LINE_OR_MOBILE:
        raise SystemExit(f"{nsn}: libphonenumber cannot tell mobile from fixed line; the table cannot say either")
    return None


def year_for(prefix: str, kind: str) -> int | None:
    """The year a range applies from, or None when no change recorded here made it."""
    if kind == MOBILE:
        for _, new, _ in MOBILE_CONVERSION_2018:
            nsn_prefix = new[1:]
            if prefix.startswith(nsn_prefix):
                return MOBILE_CONVERSION_YEAR
            if nsn_prefix.startswith(prefix):
                return "mixed"  # type: ignore[return-value]
        return None
    for code in LANDLINE_CODES_KEPT_IN_2017:
        if prefix.startswith(code):
            return None
        if code.startswith(prefix):
            return "mixed"  # type: ignore[return-value]
    return LANDLINE_CHANGE_YEAR


def plan_lengths() -> list[int]:
    metadata = PhoneMetadata.metadata_for_region("VN")
    lengths = set(metadata.mobile.possible_length) | set(metadata.fixed_line.possible_length)
    return sorted(lengths)


def derive(rng: random.Random) -> list[tuple[str, int, str, int | None]]:
    """The minimal prefix table: (NSN prefix, NSN length, kind, year)."""
    table: list[tuple[str, int, str, int | None]] = []
    for length in plan_lengths():
        if length < DERIVATION_DEPTH:
            raise SystemExit(f"NSN length {length} is shorter than the derivation depth {DERIVATION_DEPTH}")
        leaves: dict[str, tuple[str, int | None] | None] = {}
        tail_length = length - DERIVATION_DEPTH
        for value in range(10 ** (DERIVATION_DEPTH - 1), 10**DERIVATION_DEPTH):
            prefix = str(value)
            tails = ["0" * tail_length, "9" * tail_length]
            tails += ["".join(rng.choice("0123456789") for _ in range(tail_length)) for _ in range(4)]
            kinds = {classify(prefix + tail) for tail in tails}
            if len(kinds) != 1:
                raise SystemExit(f"prefix {prefix} (length {length}) depends on later digits: {kinds}")
            kind = kinds.pop()
            leaves[prefix] = None if kind is None else (kind, year_for(prefix, kind))

        def merge(prefix: str) -> tuple[str, int | None] | None | str:
            """The common class of every leaf under prefix, or 'mixed'."""
            if len(prefix) == DERIVATION_DEPTH:
                return leaves[prefix]
            classes = {merge(prefix + digit) for digit in "0123456789"}
            if len(classes) == 1:
                return classes.pop()
            return "mixed"

        def emit(prefix: str) -> None:
            value = merge(prefix) if prefix else "mixed"
            if value == "mixed":
                for digit in "0123456789":
                    if prefix == "" and digit == "0":
                        continue
                    emit(prefix + digit)
            elif value is not None:
                kind, year = value
                table.append((prefix, length, kind, year))

        emit("")
    table.sort(key=lambda row: (row[2] != MOBILE, row[0], row[1]))
    return table


def table_kind(table, nsn: str) -> str | None:
    for prefix, length, kind, _ in table:
        if len(nsn) == length and nsn.startswith(prefix):
            return kind
    return None


def check_table(table, rng: random.Random) -> int:
    """Compare the table with phonenumbers on random NSNs; returns how many were checked."""
    checked = 0
    for length in range(6, 13):
        for _ in range(40_000 if length in (9, 10) else 4_000):
            nsn = str(rng.randrange(10 ** (length - 1), 10**length))
            expected = classify(nsn) if length <= 17 else None
            if table_kind(table, nsn) != expected:
                raise SystemExit(f"table disagrees with phonenumbers on {nsn}: {table_kind(table, nsn)} vs {expected}")
            checked += 1
    # Every table entry, completed at random, must be the kind it claims.
    for prefix, length, kind, _ in table:
        for _ in range(20):
            nsn = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))
            if classify(nsn) != kind:
                raise SystemExit(f"{nsn} is not {kind} although the table says so")
            checked += 1
    return checked


def check_conversions(rng: random.Random) -> None:
    """New prefixes must be valid mobile ranges today; old 11-digit forms must be invalid today."""
    olds = [old for old, _, _ in MOBILE_CONVERSION_2018]
    news = [new for _, new, _ in MOBILE_CONVERSION_2018]
    if len(set(olds)) != len(olds) or len(set(news)) != len(news):
        raise SystemExit("the conversion map repeats a prefix")
    for old, new, _ in MOBILE_CONVERSION_2018:
        for _ in range(50):
            tail = "".join(rng.choice("0123456789") for _ in range(7))
            if classify(new[1:] + tail) != MOBILE:
                raise SystemExit(f"{new}{tail}: the converted prefix {new} is not a valid mobile range")
            old_nsn = old[1:] + tail
            if phonenumbers.is_valid_number(PhoneNumber(country_code=84, national_number=int(old_nsn))):
                raise SystemExit(f"0{old_nsn}: an old 11-digit form is still valid, the conversion would be ambiguous")


# The reference normaliser: CONTRACT.md "Identifiers" on top of phonenumbers.

SEPARATORS = set(" .-()\t\u00a0\u202f\u2007\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a\u205f\u3000")


def reference_current(nsn: str) -> str | None:
    kind = classify(nsn) if nsn and nsn.isdigit() and len(nsn) <= 17 else None
    return "+84" + nsn if kind else None


def reference_vietnamese(nsn: str) -> str | None:
    """An NSN, or an old 11-digit mobile NSN, to E.164; None when invalid."""
    current = reference_current(nsn)
    if current:
        return current
    if len(nsn) == 10:
        for old, new, _ in MOBILE_CONVERSION_2018:
            if nsn.startswith(old[1:]):
                return reference_current(new[1:] + nsn[len(old) - 1 :])
    return None


def reference_after_country_code(rest: str) -> str | None:
    if rest.startswith("0"):
        rest = rest[1:]
    return reference_vietnamese(rest)


def reference_normalise(text: str) -> str | None:
    digits = ""
    plus = False
    for ch in text:
        if "0" <= ch <= "9":
            digits += ch
        elif "\uff10" <= ch <= "\uff19":
            digits += chr(ord(ch) - 0xFF10 + ord("0"))
        elif ch in SEPARATORS:
            continue
        elif ch == "+" and not digits and not plus:
            plus = True
        else:
            return None
    if not digits:
        return None
    if plus or digits.startswith("00"):
        international = digits if plus else digits[2:]
        if international.startswith("84"):
            return reference_after_country_code(international[2:])
        if international.startswith("0") or not 8 <= len(international) <= 15:
            return None
        return "+" + international
    if digits.startswith("0"):
        return reference_vietnamese(digits[1:])
    if digits.startswith("84") and len(digits) >= 11:
        return reference_after_country_code(digits[2:])
    return reference_vietnamese(digits)


# Vectors.


def random_digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def random_valid(rng: random.Random, table, kind: str) -> str:
    rows = [row for row in table if row[2] == kind]
    while True:
        prefix, length, _, _ = rng.choice(rows)
        # Uniform over rows would favour short prefixes less than real traffic does; good enough for tests.
        nsn = prefix + random_digits(rng, length - len(prefix))
        if classify(nsn) == kind:
            return nsn


def group(digits: str, sizes: list[int], separator: str) -> str:
    parts, start = [], 0
    for size in sizes:
        parts.append(digits[start : start + size])
        start += size
    if start < len(digits):
        parts.append(digits[start:])
    return separator.join(part for part in parts if part)


def mobile_forms(nsn: str) -> list[str]:
    national = "0" + nsn
    return [
        national,
        group(national, [4, 3, 3], " "),
        group(national, [3, 3, 4], "."),
        group(national, [4, 3, 3], "-"),
        group(national, [3, 3, 4], "-"),
        "+84" + nsn,
        "+84 " + group(nsn, [3, 3, 3], " "),
        "84" + nsn,
        "84 " + group(nsn, [3, 3, 3], " "),
        "0084" + nsn,
        "0084 " + group(nsn, [3, 3, 3], " "),
        "(+84) " + group(nsn, [3, 3, 3], "-"),
        "(+84)" + nsn,
        "+84 (0) " + group(nsn, [3, 3, 3], " "),
        "+84 0" + nsn,
        "(" + national[:4] + ") " + group(national[4:], [3, 3], " "),
        group(national, [4, 3, 3], "\u00a0"),
        group(national, [4, 3, 3], "\u202f"),
        " " + national + " ",
        "\t+84." + group(nsn, [2, 3, 4], "."),
        nsn,
    ]


def landline_forms(nsn: str) -> list[str]:
    national = "0" + nsn
    # Hanoi (024) and Ho Chi Minh City (028) have 2-digit codes after the 2; everyone else 3.
    code_length = 3 if nsn[:2] in ("24", "28") else 4
    code, subscriber = national[:code_length], national[code_length:]
    return [
        national,
        "(" + code + ") " + group(subscriber, [4, 4], " "),
        "(" + code + ")" + subscriber,
        code + " " + group(subscriber, [4, 4], " "),
        code + "." + group(subscriber, [4, 4], "."),
        code + "-" + group(subscriber, [4, 4], "-"),
        "+84 " + code[1:] + " " + group(subscriber, [4, 4], " "),
        "(+84) " + code[1:] + "-" + subscriber,
        "84" + nsn,
        "0084" + nsn,
        "+84" + nsn,
        code + "\u00a0" + subscriber,
        nsn,
    ]


def old_mobile_forms(old_nsn: str) -> list[str]:
    national = "0" + old_nsn
    return [
        national,
        group(national, [5, 3, 3], " "),
        group(national, [4, 3, 4], "."),
        "+84" + old_nsn,
        "+84 " + group(old_nsn, [4, 3, 3], " "),
        "84" + old_nsn,
        "0084" + old_nsn,
        "(+84) " + group(old_nsn, [4, 3, 3], "-"),
    ]


def build_vectors(table, rng: random.Random) -> list[tuple[str, str]]:
    cases: list[tuple[str, str]] = []

    def add(text: str) -> None:
        expected = reference_normalise(text)
        cases.append((text, expected or "invalid"))

    def add_valid(text: str, e164: str) -> None:
        expected = reference_normalise(text)
        if expected != e164:
            raise SystemExit(f"reference normaliser gives {expected!r} for {text!r}, expected {e164}")
        # Where phonenumbers parses a form itself, it must agree with the reference.
        try:
            parsed = phonenumbers.parse(text, "VN")
            if phonenumbers.is_valid_number(parsed):
                if phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) != e164:
                    raise SystemExit(f"phonenumbers reads {text!r} differently from the reference")
        except phonenumbers.NumberParseException:
            pass
        cases.append((text, e164))

    for _ in range(110):
        nsn = random_valid(rng, table, MOBILE)
        for form in mobile_forms(nsn):
            add_valid(form, "+84" + nsn)
    for _ in range(80):
        nsn = random_valid(rng, table, LANDLINE)
        for form in landline_forms(nsn):
            add_valid(form, "+84" + nsn)
    for old, new, _ in MOBILE_CONVERSION_2018:
        for _ in range(6):
            tail = random_digits(rng, 7)
            for form in old_mobile_forms(old[1:] + tail):
                add_valid(form, "+84" + new[1:] + tail)

    # Unassigned prefixes: numbers of a plausible length whose prefix libphonenumber does not assign.
    unassigned = 0
    while unassigned < 400:
        length = rng.choice([9, 10])
        nsn = str(rng.randrange(10 ** (length - 1), 10**length))
        if reference_vietnamese(nsn) is None:
            for form in ("0" + nsn, "+84" + nsn):
                add(form)
            unassigned += 1
    # Wrong lengths: valid numbers with a digit dropped or added.
    for kind in (MOBILE, LANDLINE, MOBILE):
        for _ in range(150):
            nsn = random_valid(rng, table, kind)
            shorter = nsn[:-1]
            longer = nsn + rng.choice("0123456789")
            for form in ("0" + shorter, "+84" + shorter, "0" + longer, "+84 " + longer, "84" + longer):
                add(form)
    # Old-form prefixes that were never converted, and old forms of the wrong length.
    for _ in range(100):
        old_nsn = "1" + random_digits(rng, 9)
        add("0" + old_nsn)
        add("0" + old_nsn[:-1])
    # Other Vietnamese services that are not mobile or landline numbers.
    services = ["1800 1234", "1800 123456", "1900 1234", "1900 123 456", "0672 123 456", "+84 1900 1234"]
    for text in services + ["113", "114", "115"]:
        add(text)
    # Foreign numbers.
    foreign_regions = ["US", "GB", "FR", "DE", "JP", "KR", "CN", "SG", "TH", "AU", "IN", "KH", "LA"]
    for _ in range(150):
        region = rng.choice(foreign_regions)
        example = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
        national = str(example.national_number)
        national = national[:-4] + random_digits(rng, 4)
        code = str(example.country_code)
        e164 = "+" + code + national
        for form in ("+" + code + national, "+" + code + " " + group(national, [3, 3, 4], " "), "00" + code + national):
            add_valid(form, e164)
    for text in ["+1234567", "+1 23", "+1234567890123456", "+0123456789", "001234567", "00 0123 456 789", "+"]:
        add(text)
    # Letters, stray symbols and empty input.
    junk = ["", "   ", "abc", "0912 345 67a", "0912/345/678", "0912345678 ext 12", "09123#45678", "+84+912345678"]
    junk += ["0912345678+", "0912_345_678", "tel:0912345678", "0912,345,678"]
    for text in junk:
        add(text)
    # Full-width digits.
    for _ in range(20):
        nsn = random_valid(rng, table, MOBILE)
        wide = "".join(chr(0xFF10 + int(digit)) for digit in "0" + nsn)
        add_valid(wide, "+84" + nsn)

    seen = set()
    unique = []
    for text, expected in cases:
        if text not in seen:
            seen.add(text)
            unique.append((text, expected))
    return unique


def escape_tsv(text: str) -> str:
    # Tabs and backslashes are the only characters TSV cannot hold as is.
    return text.replace("\\", "\\\\").replace("\t", "\\t")


def write_vectors(cases) -> None:
    os.makedirs(os.path.dirname(VECTORS_PATH), exist_ok=True)
    with open(VECTORS_PATH, "w", encoding="utf-8", newline="\n") as out:
        out.write("input\texpected\n")
        for text, expected in cases:
            out.write(f"{escape_tsv(text)}\t{expected}\n")


def swift_year(year: int | None) -> str:
    return "nil" if year is None else str(year)


def write_swift(table, depth: int) -> None:
    version = phonenumbers.__version__
    lines = [
        "// Generated by scripts/numbering-plan/generate.py from libphonenumber's metadata for Vietnam, read",
        f"// through the Python package phonenumbers {version}. Do not edit: change the script and run",
        "// `python3 scripts/numbering-plan/generate.py` from the package root.",
        "//",
        "// Each assignment was derived by classifying every 5-digit prefix with phonenumbers and merging prefixes",
        "// whose numbers agree, then checked against phonenumbers on random numbers. Years: the 2018 conversion",
        "// of 11-digit mobile numbers to 10 digits and the 2017 change of landline area codes to 02x; nil: no change",
        "// recorded here made the range.",
        "",
        "extension VietnamNumberingPlan {",
        "    static let phonenumbersVersion = \"" + version + "\"",
        "",
        f"    static let longestPrefix = {depth}",
        "",
        "    static let assignments: [Assignment] = [",
    ]
    for prefix, length, kind, year in table:
        lines.append(
            f"        Assignment(prefix: \"{prefix}\", length: {length}, kind: .{kind}, since: {swift_year(year)}),"
        )
    lines += [
        "    ]",
        "",
        "    static let conversions: [Conversion] = [",
    ]
    for old, new, operator in MOBILE_CONVERSION_2018:
        entry = f"Conversion(old: \"{old}\", new: \"{new}\", year: {MOBILE_CONVERSION_YEAR}),"
        lines.append(f"        {entry}  // {operator}")
    lines += ["    ]", "}", ""]
    os.makedirs(os.path.dirname(DATA_PATH), exist_ok=True)
    with open(DATA_PATH, "w", encoding="utf-8", newline="\n") as out:
        out.write("\n".join(lines))


def main() -> int:
    rng = random.Random(SEED)
    table = derive(rng)
    for prefix, _, kind, year in table:
        if year == "mixed":
            raise SystemExit(f"{prefix}: merging produced a range with mixed years")
    checked = check_table(table, rng)
    check_conversions(rng)
    depth = max(len(prefix) for prefix, _, _, _ in table)
    write_swift(table, depth)
    cases = build_vectors(table, rng)
    write_vectors(cases)
    mobile = sum(1 for row in table if row[2] == MOBILE)
    print(
        f"phonenumbers {phonenumbers.__version__}: {mobile} mobile and {len(table) - mobile} landline assignments "
        f"(longest prefix {depth} digits), {len(MOBILE_CONVERSION_2018)} conversions, {checked} numbers checked, "
        f"{len(cases)} vectors ({os.path.getsize(VECTORS_PATH)} bytes)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
