"""Fill a .po catalogue from a JSON dictionary of msgid -> Indonesian translation.

Usage: python tools/fill_po.py locale/id/LC_MESSAGES/django.po tools/translations/root.json
Reports msgids that still have no translation, so a catalogue is never silently incomplete.
"""

from __future__ import annotations

import json
import sys

import polib


def main(po_path: str, *json_paths: str) -> int:
    catalogue: dict[str, str] = {}
    for path in json_paths:
        with open(path, encoding="utf-8") as handle:
            catalogue.update(json.load(handle))
    po = polib.pofile(po_path)
    missing = []
    for entry in po:
        if entry.msgid in catalogue:
            entry.msgstr = catalogue[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.msgstr:
            missing.append(entry.msgid)
    po.save(po_path)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
