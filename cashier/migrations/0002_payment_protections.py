"""Database triggers: a payment row is never deleted, and once written only its void columns are set, once.

The admin offers no delete or change, the model refuses delete(); these triggers also stop a
raw DELETE or UPDATE (a script, a shell, a bug) so that the receipt book stays whole.
"""

from django.db import migrations

IMMUTABLE = [
    "facility_id",
    "booking_id",
    "receipt_year",
    "receipt_number",
    "tariff_id",
    "description",
    "visit",
    "condition",
    "amount",
    "method",
    "reference",
    "waive_reason",
    "cashier_id",
    "created_at",
]

POSTGRES_FORWARD = f"""
CREATE FUNCTION cashier_payment_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'cashier_payment rows are never deleted (void them with a reason)'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.voided_at IS NOT NULL OR ({" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in IMMUTABLE)}) THEN
        RAISE EXCEPTION 'cashier_payment rows are written once; only an unvoided row may be voided'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER cashier_payment_no_delete BEFORE DELETE ON cashier_payment
    FOR EACH ROW EXECUTE FUNCTION cashier_payment_guard();
CREATE TRIGGER cashier_payment_no_change BEFORE UPDATE ON cashier_payment
    FOR EACH ROW EXECUTE FUNCTION cashier_payment_guard();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS cashier_payment_no_change ON cashier_payment;
DROP TRIGGER IF EXISTS cashier_payment_no_delete ON cashier_payment;
DROP FUNCTION IF EXISTS cashier_payment_guard();
"""

SQLITE_FORWARD = [
    """CREATE TRIGGER cashier_payment_no_delete BEFORE DELETE ON cashier_payment
    BEGIN SELECT RAISE(ABORT, 'cashier_payment rows are never deleted (void them with a reason)'); END""",
    f"""CREATE TRIGGER cashier_payment_no_change BEFORE UPDATE ON cashier_payment
    WHEN OLD.voided_at IS NOT NULL OR {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in IMMUTABLE)}
    BEGIN SELECT RAISE(ABORT, 'cashier_payment rows are written once; only an unvoided row may be voided'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS cashier_payment_no_change",
    "DROP TRIGGER IF EXISTS cashier_payment_no_delete",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cashier", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
