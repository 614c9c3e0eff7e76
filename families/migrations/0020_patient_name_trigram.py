"""A trigram index for the name searches (issue 16: 500,000 patients).

The counter's and the admin's searches filter each word with `full_name__icontains`, which
PostgreSQL runs as UPPER(full_name::text) LIKE UPPER('%word%'): a btree cannot answer a
substring, so every search read the whole table. A GIN index of UPPER(full_name)'s trigrams
(pg_trgm) answers it; the expression must be the query's, or the planner never uses it.

PostgreSQL only: `make run` uses SQLite, where the table is small and the operations are
skipped (django.contrib.postgres' TrigramExtension would fail there). The index is therefore
not in the model's state; families/tests/test_name_search.py checks that it exists and is used.
pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
"""

from django.db import migrations

INDEX = "families_patient_name_trgm"


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON families_patient USING gin (UPPER(full_name) gin_trgm_ops)"
    )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")  # the extension stays: others may use it


class Migration(migrations.Migration):
    dependencies = [
        ("families", "0019_patientrecord_mrn_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
