"""Numbers as Indonesian words, for the waiting-room voice ("nomor antrean A dua belas").

One owner for the wording of every spoken call: `number_words` for the digits and
`call_phrase` for the sentence the display speaks and shows.
"""

from __future__ import annotations

import re

_ONES = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
MAX_NUMBER = 9999


def _below_hundred(n: int) -> str:
    if n < 10:
        return _ONES[n]
    if n == 10:
        return "sepuluh"
    if n == 11:
        return "sebelas"
    if n < 20:
        return f"{_ONES[n - 10]} belas"
    tens, ones = divmod(n, 10)
    words = f"{_ONES[tens]} puluh"
    return f"{words} {_ONES[ones]}" if ones else words


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if not hundreds:
        return _below_hundred(rest)
    # "se-" for one: seratus, not satu ratus (and seribu below).
    words = "seratus" if hundreds == 1 else f"{_ONES[hundreds]} ratus"
    return f"{words} {_below_hundred(rest)}" if rest else words


def number_words(n: int) -> str:
    """0..9999 in Indonesian words: 11 "sebelas", 111 "seratus sebelas", 1000 "seribu"."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"number_words takes an integer from 0 to {MAX_NUMBER}, not {n!r}")
    thousands, rest = divmod(n, 1000)
    if not thousands:
        return _below_thousand(rest)
    words = "seribu" if thousands == 1 else f"{_ONES[thousands]} ribu"
    return f"{words} {_below_thousand(rest)}" if rest else words


_DIGITS = re.compile(r"\d+")
# Titles before a doctor's name, read out as words; degrees after a comma ("Sp.PD") are dropped.
_TITLES = (("drg.", "dokter gigi"), ("drg", "dokter gigi"), ("dr.", "dokter"), ("dr", "dokter"))


def spoken_text(text: str) -> str:
    """Digits in `text` read as words ("Loket 2" -> "Loket dua", "A-012" -> "A dua belas").

    Dashes and dots between a prefix and its number are pauses in speech, not words.
    """

    def say(match: re.Match) -> str:
        digits = match.group(0).lstrip("0") or "0"
        return f" {number_words(int(digits))} " if len(digits) <= 4 else f" {' '.join(_ONES[int(d)] for d in digits)} "

    return " ".join(_DIGITS.sub(say, text.replace("-", " ")).split())


def spoken_doctor(name: str) -> str:
    """ "dr. Budi Santoso, Sp.PD" -> "dokter Budi Santoso" (espeak would spell out "dr" and "Sp.PD")."""
    name = name.split(",")[0].strip()
    lower = name.lower()
    for title, words in _TITLES:
        if lower.startswith(title) and (len(name) == len(title) or not name[len(title)].isalpha()):
            return f"{words} {name[len(title) :].strip()}".strip()
    return name


def call_phrase(*, label: str, place: str, doctor: str = "") -> str:
    """The sentence the display speaks (and shows) for one call.

    "Nomor antrean A dua belas, silakan menuju loket dua"; where a clinic has several doctors'
    sessions that day each has its own numbers, so the doctor is named too:
    "Nomor antrean GIGI tujuh, dokter Siti, silakan menuju Poli Gigi".
    """
    parts = [f"Nomor antrean {spoken_text(label)}"]
    if doctor:
        parts.append(spoken_doctor(doctor))
    parts.append(f"silakan menuju {spoken_text(place)}")
    return ", ".join(parts)
