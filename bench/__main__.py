"""Run all benchmarks (`make bench`), or some: `python -m bench logins slips`."""

from __future__ import annotations

import importlib
import os
import sys

import django

BENCHMARKS = [
    "logins",
    "slips",
    "booking",
    "import_patients",
    "uploads",
    "upload_storage",
    "nik_search",
    "multi_server",
    "outbox",
    "report",
    "display",
    "scale",
]


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    for name in argv or BENCHMARKS:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.{name}":
                raise
            print(f"[{name}] not present yet, skipped")
            continue
        print(f"== {name} ==", flush=True)
        module.main()


if __name__ == "__main__":
    main(sys.argv[1:])
