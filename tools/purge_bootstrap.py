"""Write static/css/bootstrap.purged.css: Bootstrap's CSS with only the rules our pages can use.

Run it again after adding Bootstrap classes to a template, a form or a script:

    .venv/bin/python tools/purge_bootstrap.py          # writes the file and prints the sizes
    .venv/bin/python tools/purge_bootstrap.py --check  # exits 1 if the committed file is stale

A rule is kept when every class in one of its selectors appears as a word somewhere in our
templates, Python code, static scripts and crispy-bootstrap5's templates (a generous test: a word
that only looks like a class keeps a rule, never the reverse). Rules without classes (elements,
:root variables, reboot) are kept whole. Bootstrap is MIT-licensed; its banner stays on top.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import bootstrap
import crispy_bootstrap5

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path(bootstrap.__file__).parent / "static" / "bootstrap" / "css" / "bootstrap.min.css"
TARGET = ROOT / "static" / "css" / "bootstrap.purged.css"
SCANNED = ("*.html", "*.txt", "*.py", "*.js")
SKIPPED = {".venv", "node_modules", ".git", "bench", "locale", "migrations"}
CLASS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")
WORD = re.compile(r"[_a-zA-Z][_a-zA-Z0-9-]*")


def used_words() -> set[str]:
    roots = [ROOT, Path(crispy_bootstrap5.__file__).parent]
    words: set[str] = set()
    for root in roots:
        for pattern in SCANNED:
            for path in root.rglob(pattern):
                if SKIPPED.intersection(path.relative_to(root).parts) or path == Path(__file__).resolve():
                    continue
                words.update(WORD.findall(path.read_text(encoding="utf-8", errors="ignore")))
    return words


def blocks(css: str, start: int = 0) -> tuple[list[tuple[str, str]], int]:
    """(prelude, body) pairs up to the closing brace of the enclosing block; body is raw text."""
    out, i = [], start
    while i < len(css):
        if css[i] == "}":
            return out, i + 1
        if css.startswith("/*", i):
            end = css.index("*/", i) + 2
            out.append((css[i:end], None))
            i = end
            continue
        brace = css.find("{", i)
        if brace < 0:  # trailing whitespace
            break
        prelude = css[i:brace].strip()
        if prelude.startswith(("@media", "@supports", "@layer", "@container")):
            inner, i = blocks(css, brace + 1)
            out.append((prelude, inner))
            continue
        depth, j = 1, brace + 1
        while depth:
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
        out.append((prelude, css[brace + 1 : j - 1]))
        i = j
    return out, i


def keep_selector(selector: str, words: set[str]) -> bool:
    return all(name in words for name in CLASS.findall(re.sub(r"\[[^\]]*\]|url\([^)]*\)", "", selector)))


def render(items, words: set[str]) -> str:
    parts = []
    for prelude, body in items:
        if body is None:  # a comment: keep only the licence banner
            parts.append(prelude if prelude.startswith("/*!") else "")
        elif isinstance(body, list):
            inner = render(body, words)
            if inner:
                parts.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            parts.append(f"{prelude}{{{body}}}")  # keyframes, font-face: kept
        else:
            kept = [s for s in prelude.split(",") if keep_selector(s, words)]
            if kept:
                parts.append(f"{','.join(kept)}{{{body}}}")
    return "".join(parts)


def main() -> int:
    css = SOURCE.read_text(encoding="utf-8")
    items, _end = blocks(css)
    purged = render(items, used_words()) + "\n"
    if "--check" in sys.argv:
        stale = not TARGET.exists() or TARGET.read_text(encoding="utf-8") != purged
        print(
            "static/css/bootstrap.purged.css is " + ("stale: run tools/purge_bootstrap.py" if stale else "up to date")
        )
        return int(stale)
    TARGET.write_text(purged, encoding="utf-8")
    print(f"{SOURCE.name}: {len(css.encode()):,} bytes -> {TARGET.name}: {len(purged.encode()):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
