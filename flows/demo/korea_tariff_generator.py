"""Deterministic generator of Korea's tariff files for tests and the demo (synthetic rates).

Writes the two forms analysts get: a WITS/TRAINS-style MFN tariff-line CSV (one year) and a KORUS
annex-style CSV (HS code, description, base rate, staging category). Lines, rates and categories
are invented but shaped like Korea's schedule (beef 40%, fruit 30-45%, manufactures 8%, a few
"X% or N won/kg, whichever is the greater" rates); the same arguments always give the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

# (HSK10, description, MFN rate text as Korea prints it, KORUS staging category)
LINES: tuple[tuple[str, str, str, str], ...] = (
    ("0201100000", "Carcasses and half-carcasses of bovine animals, fresh or chilled", "40", "N"),
    ("0202300000", "Boneless meat of bovine animals, frozen", "40", "N"),
    ("0203110000", "Carcasses of swine, fresh or chilled", "22.5", "L"),
    ("0406900000", "Other cheese", "36", "M"),
    ("0409000000", "Natural honey", "243% or 1,864won/kg, whichever is the greater", "X"),
    ("0805100000", "Oranges, fresh", "50", "O"),
    ("0808100000", "Apples, fresh", "45", "X"),
    ("2204210000", "Wine in containers of 2 l or less", "15", "A"),
    ("2208300000", "Whiskies", "20", "A"),
    ("3004900000", "Other medicaments, in measured doses", "6.5", "A"),
    ("8471300000", "Portable automatic data-processing machines", "0", "A"),
    ("8517130000", "Smartphones", "0", "A"),
    ("8703231000", "Passenger cars, 1,500 cc to 3,000 cc", "8", "A"),
    ("8708999000", "Other parts and accessories of motor vehicles", "8", "L"),
    ("8901901000", "Cargo vessels", "5", "M"),
    ("9018909000", "Other medical instruments", "8", "C"),
    ("6109100000", "T-shirts of cotton, knitted", "13", "D"),
    ("5208120000", "Woven fabrics of cotton, unbleached", "10", "B"),
)
WITS_HEADER = ("Reporter", "Year", "Tariff Line", "Product Name", "Duty Type", "Rate")
ANNEX_HEADER = ("HS code", "Description", "Base Rate", "Staging Category")


def _drift(line: str, year: int) -> float:
    """A small deterministic MFN change for some lines in later years (to make editions differ)."""
    digest = hashlib.sha256(f"{line}:{year}".encode()).digest()
    return -0.5 if year >= 2020 and digest[0] % 5 == 0 else 0.0


def mfn_rate(text: str, line: str, year: int) -> str:
    """The MFN rate text of ``line`` in ``year`` (plain numbers drift slightly from 2020)."""
    try:
        value = float(text)
    except ValueError:
        return text
    value = max(0.0, value + (_drift(line, year) if value else 0.0))
    return f"{value:g}"


def write_wits_mfn(path: Path, year: int) -> Path:
    """WITS-style MFN applied tariff lines of Korea for ``year``."""
    path = Path(path)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(WITS_HEADER)
        for line, description, rate, _ in LINES:
            writer.writerow(("KOR", year, line, description, "MFN", mfn_rate(rate, line, year)))
    return path


def write_korus_annex(path: Path) -> Path:
    """KORUS annex-style schedule of Korea: base rate (MFN on the base date) and staging category."""
    path = Path(path)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ANNEX_HEADER)
        for line, description, rate, category in LINES:
            writer.writerow((f"{line[:4]}.{line[4:6]}.{line[6:]}", description, rate, category))
    return path
