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


def insert_select(model, expressions: dict[str, str], source: str, params: list | None = None) -> int:
    """INSERT INTO model's table SELECT ... FROM source: SQL for the given columns, field defaults for the
    rest (an identity key left to the database, an auto_now stamp now())."""
    from django.db import connection

    columns, values, args = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in expressions and not field.has_default():
            continue  # an identity column: the database numbers the rows
        columns.append(f'"{field.column}"')
        if field.column in expressions:
            values.append(expressions[field.column])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("now()")  # what save() would stamp
        elif field.has_default() or not field.null:
            values.append("%s")
            args.append(field.get_db_prep_save(field.get_default(), connection))
        else:
            values.append("NULL")
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"
    with connection.cursor() as cursor:
        # A bulk load of rows consistent by construction: skip the per-row foreign-key triggers (a
        # superuser's session setting, as pg_restore does); unique and check constraints still hold.
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, args + list(params or []))
            rows = cursor.rowcount  # before the SET below replaces it
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        return rows
