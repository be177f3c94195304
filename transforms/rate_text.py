"""Parse free-form tariff rate texts into structured components, never guessing.

A rate text ("6.8%", "Free", "1¢/kg", "$1.035/kg + 17.5%", "See 9822.05.15", "No change",
"270% or 6,210won/kg, whichever is the greater") becomes a :class:`ParsedRate`:

* ``kind``: empty, free, ad_valorem, specific, compound (one specific + one ad valorem),
  multi_component (any other sum of components, e.g. watch rates "on the case + on the battery"),
  greater_of / lesser_of (alternative duties), reference (the rate is defined elsewhere: another
  line, chapter 99, a note, "the rate applicable ..."), or unparsed.
* ``components``: every ad valorem (percent) and specific (amount per unit) term, with its basis
  ("on the case", "of total sugars", "on drained weight").
* Specific amounts are in whole currency units: 1¢/kg is 0.01 USD per kg.

A text that does not match the grammar is ``unparsed``: it is kept, flagged and counted upstream,
never dropped or approximated. The Special column's program lists ("Free (A+,AU,...) 3.5% (KR)")
are split by :func:`parse_special`.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

KINDS = (
    "empty", "free", "ad_valorem", "specific", "compound", "multi_component",
    "greater_of", "lesser_of", "reference", "unparsed",
)
ALL_PROGRAMS = "ALL"
"""Program code for a Special-column rate printed without a program list."""

# Units as printed -> normalised unit; longest alternatives first so "pf. liter" beats "liter".
_UNITS: tuple[tuple[str, str], ...] = (
    (r"1,000 pins", "1000 pins"),
    (r"line/\s?gross", "line/gross"),
    (r"pf\.\s?liters?", "pf. liter"),
    (r"clean kg", "clean kg"),
    (r"lin\.\s?m", "lin. m"),
    (r"thou-?\s?sand|thousand|1,000|1000", "1000"),
    (r"doz\.\s?prs?\.", "doz. pr."),
    (r"doz\.?", "doz."),
    (r"prs?\.", "pr."),
    (r"gross", "gross"),
    (r"head", "head"),
    (r"bbl", "bbl"),
    (r"liters?|l\b", "liter"),
    (r"kg", "kg"),
    (r"m2", "m2"),
    (r"m3", "m3"),
    (r"m", "m"),
    (r"g", "g"),
    (r"t", "t"),
    (r"pack", "pack"),
    (r"jewel", "jewel"),
    (r"article", "article"),
    (r"each", "each"),
)
_UNIT_RE = "|".join(f"(?:{pattern})" for pattern, _ in _UNITS)
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_BASIS = r"(?:,?\s+(?P<basis>(?:on|of|over|including)\b.*))?"

_AD_VALOREM = re.compile(
    rf"^(?P<value>{_NUMBER})(?:\s+(?P<frac>\d)/(?P<den>\d))?\s*(?:%|percent\b)\s*(?:ad valorem)?{_BASIS}$"
)
_SPECIFIC_USD = re.compile(
    rf"^(?P<dollar>\$)?(?P<value>{_NUMBER})\s*(?P<cent>¢)?\s*(?:/\s*|\s+)(?P<unit>{_UNIT_RE}){_BASIS}$"
)
# Currencies of specific duties as schedules print them: word or sign before or after the amount.
_CURRENCY_WORDS: tuple[tuple[str, str], ...] = (
    (r"KRW|won|\u20a9|\uffe6|\uc6d0", "KRW"),
    (r"JPY|yen|\u00a5|\uffe5|\u5186", "JPY"),
    (r"EUR|euros?|\u20ac", "EUR"),
    (r"CNY|RMB|yuan|\u5143", "CNY"),
    (r"GBP|\u00a3", "GBP"),
    (r"USD|US\$", "USD"),
)
_CURRENCY_RE = "|".join(f"(?:{pattern})" for pattern, _ in _CURRENCY_WORDS)
_SPECIFIC_CURRENCY = re.compile(
    rf"^(?:(?P<pre>{_CURRENCY_RE})\s*)?(?P<value>{_NUMBER})\s*(?P<post>{_CURRENCY_RE})?\s*(?:/|per\s)\s*"
    rf"(?P<unit>{_UNIT_RE}){_BASIS}$",
    re.IGNORECASE,
)
_FREE = re.compile(
    r"^(?:free|no additional duty)(?:(?:,\s*|\s+(?=\())(?P<condition>.+))?$", re.IGNORECASE
)
_REFERENCE = re.compile(
    r"^(?:see\s+(?P<see>.+)|no change|the (?:duty|rate)\b.+|a duty\b.+|.*\bapplicable\b.+)$", re.IGNORECASE
)
_ALTERNATIVE = re.compile(r"^(?P<a>.+?)\s+or\s+(?P<b>.+?),?\s+whichever is (?:the\s+)?(?P<which>greater|higher|lesser|lower)$")
_ALTERNATIVE_KO = re.compile(r"^(?P<a>.+?)\s+\ub610\ub294\s+(?P<b>.+?)\s*\uc911\s*(?P<which>\ub192\uc740|\ub0ae\uc740)\s*\uac83$")
"""Korean schedules: "A \ub610\ub294 B \uc911 \ub192\uc740 \uac83" (A or B, whichever is higher; \ub0ae\uc740 = lower)."""
_CODE = r"[A-Z]{1,2}\s?[+*]?"
_PROGRAM_LIST = re.compile(rf"\(\s*(?P<codes>{_CODE}(?:[\s,.]+{_CODE})*)[\s,]*\)")


@dataclass(frozen=True)
class Component:
    """One term of a duty: ``value`` is a percent (ad valorem) or an amount of ``currency`` per ``unit``."""

    kind: str
    value: float
    currency: str | None = None
    unit: str | None = None
    basis: str | None = None


@dataclass(frozen=True)
class ParsedRate:
    """A rate text and its structure; ``kind`` is one of :data:`KINDS`."""

    text: str
    kind: str
    components: tuple[Component, ...] = ()
    reference: str | None = None
    condition: str | None = None

    @property
    def parsed(self) -> bool:
        return self.kind != "unparsed"

    def _single(self, kind: str) -> Component | None:
        if self.kind not in {"ad_valorem", "specific", "compound"}:
            return None
        found = [c for c in self.components if c.kind == kind]
        return found[0] if len(found) == 1 else None

    @property
    def ad_valorem_pct(self) -> float | None:
        """The percent of a free, ad valorem or compound rate (0 for free); None otherwise."""
        if self.kind == "free":
            return 0.0
        c = self._single("ad_valorem")
        return c.value if c else None

    @property
    def specific(self) -> Component | None:
        """The specific term of a specific or compound rate."""
        return self._single("specific")

    def components_json(self) -> str | None:
        if not self.components:
            return None
        return json.dumps([{k: v for k, v in asdict(c).items() if v is not None} for c in self.components])

    def qualifier(self) -> str | None:
        """Bases and conditions joined ("on drained weight"), so a reader sees what the columns omit."""
        parts = [c.basis for c in self.components if c.basis]
        if self.condition:
            parts.append(self.condition)
        return "; ".join(parts) or None


def _clean(text: str) -> str:
    t = re.sub(r"<sup[^>]*>\s*(\d)\s*</sup>\s*", r"\1 ", text)
    t = re.sub(r"<[^>]*>", "", t).replace("\u00a0", " ").replace("\u338f", "kg")
    return re.sub(r"\s+", " ", t).strip()


def normalise(text: str) -> str:
    """Markup and layout removed: HTML tags, hyphenated line breaks, spacing around ``+``."""
    t = re.sub(r"(?<=[a-z])- (?=[a-z])", "", _clean(text))
    t = re.sub(r"\s*\+\s*", " + ", t)
    t = re.sub(r"\s+", " ", t).strip()
    return re.sub(r"\s*/$", "", t).strip()


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _unit(printed: str) -> str:
    for pattern, unit in _UNITS:
        if re.fullmatch(pattern, printed):
            return unit
    raise AssertionError(printed)


def parse_component(term: str) -> Component | None:
    """One term ("17.5%", "$1.035/kg", "45% on the case", "6,210won/kg"), or None."""
    if m := _AD_VALOREM.match(term):
        value = _number(m["value"])
        if m["frac"]:
            value += int(m["frac"]) / int(m["den"])
        return Component("ad_valorem", round(value, 6), basis=m["basis"])
    if (m := _SPECIFIC_USD.match(term)) and bool(m["dollar"]) != bool(m["cent"]):
        amount = _number(m["value"]) / (100 if m["cent"] else 1)
        return Component("specific", round(amount, 10), "USD", _unit(m["unit"]), m["basis"])
    if (m := _SPECIFIC_CURRENCY.match(term)) and bool(m["pre"]) != bool(m["post"]):
        return Component("specific", _number(m["value"]), currency_code(m["pre"] or m["post"]), _unit(m["unit"]), m["basis"])
    return None


def currency_code(printed: str) -> str:
    """ISO 4217 code of a currency word or sign as printed ("won", "\u20a9", "\uc6d0", "yen", "\u20ac", "EUR")."""
    for pattern, code in _CURRENCY_WORDS:
        if re.fullmatch(pattern, printed.strip(), re.IGNORECASE):
            return code
    raise ValueError(f"not a currency: {printed!r}")


def _kind_of(components: list[Component]) -> str:
    n_av = sum(c.kind == "ad_valorem" for c in components)
    n_sp = len(components) - n_av
    if (n_av, n_sp) == (1, 0):
        return "ad_valorem"
    if (n_av, n_sp) == (0, 1):
        return "specific"
    if (n_av, n_sp) == (1, 1):
        return "compound"
    return "multi_component"


def parse_rate(text: str | None) -> ParsedRate:
    """Parse one rate text (General, Column 2, one program's Special rate, a Korean base rate)."""
    raw = text or ""
    t = normalise(raw)
    if t in {"", "-"}:
        return ParsedRate(raw, "empty")
    if m := _FREE.match(t):
        return ParsedRate(raw, "free", condition=m["condition"])
    if re.fullmatch(_NUMBER, t):  # Korean schedules print the percent without its sign
        return ParsedRate(raw, "ad_valorem", (Component("ad_valorem", _number(t)),))
    if m := (_ALTERNATIVE.match(t) or _ALTERNATIVE_KO.match(t)):
        a, b = parse_component(m["a"]), parse_component(m["b"])
        if a and b:
            kind = "greater_of" if m["which"] in {"greater", "higher", "\ub192\uc740"} else "lesser_of"
            return ParsedRate(raw, kind, (a, b))
        return ParsedRate(raw, "unparsed")
    if m := _REFERENCE.match(t):
        return ParsedRate(raw, "reference", reference=(m["see"] or t))
    terms = re.split(r"\s+(?:\+|plus)\s+", t)
    components = [parse_component(term) for term in terms]
    if any(c is None for c in components):
        return ParsedRate(raw, "unparsed")
    found = [c for c in components if c is not None]
    return ParsedRate(raw, _kind_of(found), tuple(found))


@dataclass(frozen=True)
class SpecialRate:
    """One program's rate from the Special column."""

    program: str
    rate: ParsedRate


def parse_special(text: str | None) -> list[SpecialRate]:
    """Split "Free (A+,AU, BH) 3.5% (KR) See 9822.05.15 (P+)" into one rate per program.

    Text before each parenthesised program list is that list's rate. Text without any list is one
    rate for :data:`ALL_PROGRAMS`; text left over after the last list, or an empty rate before a
    list, is an unparsed entry (program ``ALL``), so nothing is silently dropped.
    """
    t = _clean(text or "")
    if not t:
        return []
    out: list[SpecialRate] = []
    position = 0
    for m in _PROGRAM_LIST.finditer(t):
        rate_text = t[position : m.start()].strip()
        codes = [c.replace(" ", "") for c in re.findall(_CODE, m["codes"])]
        rate = parse_rate(rate_text) if rate_text else ParsedRate(m[0], "unparsed")
        if rate.kind == "empty":
            rate = ParsedRate(m[0], "unparsed")
        out.extend(SpecialRate(code, rate) for code in codes)
        position = m.end()
    rest = t[position:].strip()
    if rest:
        rate = parse_rate(rest)
        out.append(SpecialRate(ALL_PROGRAMS, rate if position == 0 else ParsedRate(rest, "unparsed")))
    return _one_per_program(out)


def _one_per_program(rates: list[SpecialRate]) -> list[SpecialRate]:
    """A program listed twice keeps one entry; with two different rates it becomes unparsed."""
    by_program: dict[str, SpecialRate] = {}
    for entry in rates:
        seen = by_program.get(entry.program)
        if seen is None or seen.rate == entry.rate:
            by_program.setdefault(entry.program, entry)
        else:
            text = f"{seen.rate.text} | {entry.rate.text}"
            by_program[entry.program] = SpecialRate(entry.program, ParsedRate(text, "unparsed"))
    return list(by_program.values())
