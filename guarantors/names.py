"""Tolerant comparison of a typed name with the name BPJS holds.

BPJS writes names in capitals, sometimes with titles ("H.", "NY.", ",BA"), initials ("M.")
or a missing last name; families type them in any case and spacing. A match is still strict
enough that another person's card fails: the birth date is checked separately as well.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

# Honorifics and academic titles that BPJS or families add or leave out.
_TITLES = frozenset(
    "BPK BAPAK IBU NY NYONYA TN TUAN SDR SDRI NN NONA AN ANAK BY BAYI H HJ HAJI HAJAH ALM ALMH "
    "DR DRG PROF IR BA SH SE ST SPD SKOM SKM SKEP SAG SSOS SIP SP SPSI AMD AMK MM MT MKES MPD MSI".split()
)
WHOLE_NAME_RATIO = 0.88  # e.g. "MUHAMAD RIZKI" vs "MUHAMMAD RIZKI"
TOKEN_RATIO = 0.8


def name_tokens(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    # Dots and commas separate ("M.RIZKI", "MUSDIWAR,BA"); apostrophes join ("MA'RUF").
    tokens = re.sub(r"[^A-Z ]", " ", text.replace("'", "").replace("’", "")).split()
    kept = [t for t in tokens if t not in _TITLES]
    return kept or tokens


def names_match(typed: str, bpjs: str) -> bool:
    a, b = name_tokens(typed), name_tokens(bpjs)
    if not a or not b:
        return False
    if sorted(a) == sorted(b):
        return True
    if SequenceMatcher(None, " ".join(a), " ".join(b)).ratio() >= WHOLE_NAME_RATIO:
        return True
    short, long = sorted((a, b), key=len)
    # One given name alone ("BUDI") is too weak to identify someone holding "BUDI SANTOSO".
    return (len(short) >= 2 or len(long) == 1) and _every_token_found(short, long)


def _every_token_found(short: list[str], long: list[str]) -> bool:
    unused = list(long)
    for token in short:
        found = next((other for other in unused if _tokens_match(token, other)), None)
        if found is None:
            return False
        unused.remove(found)
    return True


def _tokens_match(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:  # an initial: "M" for "MUHAMMAD"
        return a[0] == b[0]
    return SequenceMatcher(None, a, b).ratio() >= TOKEN_RATIO
