"""Throwaway databases for the benchmarks: `<name>_<suffix>` on PostgreSQL, a temporary SQLite file otherwise."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable


def _on_server(url: str, name: str) -> tuple[str, Callable[[], None]]:
    import environ
    import psycopg2

    config = environ.Env.db_url_config(url)
    admin = dict(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )

    def run(sql: str) -> None:
        conn = psycopg2.connect(**admin)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(sql)
        conn.close()

    run(f'DROP DATABASE IF EXISTS "{name}"')  # only ever our own throwaway database
    run(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}", lambda: run(f'DROP DATABASE IF EXISTS "{name}"')


def throwaway(suffix: str, url: str | None = None) -> tuple[str, Callable[[], None]]:
    """A fresh database URL (beside DATABASE_URL's database) and a function that removes it again."""
    url = os.environ.get("DATABASE_URL", "") if url is None else url
    if url.startswith(("postgres://", "postgresql://")):
        return _on_server(url, f"{url.rsplit('/', 1)[1]}_{suffix}")
    folder = tempfile.mkdtemp(prefix=f"{suffix.replace('_', '-')}-")
    return f"sqlite:///{folder}/bench.sqlite3", lambda: shutil.rmtree(folder, ignore_errors=True)


def throwaway_here(suffix: str) -> Callable[[], None]:
    """Point this process's default connection at a fresh throwaway database; return its remover."""
    from django.db import connections

    from portal.lib.tasks import database_url

    conn = connections["default"]
    conn.close()
    url, drop = throwaway(suffix, database_url(conn.settings_dict) if conn.vendor == "postgresql" else "")
    conn.settings_dict["NAME"] = url.rsplit("/", 1)[1] if conn.vendor == "postgresql" else url[len("sqlite:///") :]

    def remove() -> None:
        connections.close_all()
        drop()

    return remove
