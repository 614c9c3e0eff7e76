"""A doctor's facility is required, and a schedule's doctor and clinic share a facility.

The second rule spans three tables, so no CHECK constraint can hold it: on PostgreSQL triggers
do (a schedule naming a doctor and a clinic of different facilities, or a doctor or clinic moved
to another facility while schedules tie it to the old one, fails as a check violation). SQLite
(the local `make run` database) rebuilds a table on many schema changes and drops its triggers
on the way, so there the model's clean() in the admin forms is the guard.
"""

import django.db.models.deletion
from django.db import migrations, models

import facilities.models

SAME_FACILITY = """
CREATE FUNCTION queueing_schedule_same_facility() RETURNS trigger AS $$
BEGIN
    IF (SELECT facility_id FROM queueing_doctor WHERE id = NEW.doctor_id)
       IS DISTINCT FROM (SELECT facility_id FROM queueing_clinic WHERE id = NEW.clinic_id) THEN
        RAISE EXCEPTION 'The doctor and the clinic of a schedule belong to different facilities.'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'queueing_schedule_same_facility';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER queueing_schedule_same_facility
    BEFORE INSERT OR UPDATE OF doctor_id, clinic_id ON queueing_schedule
    FOR EACH ROW EXECUTE FUNCTION queueing_schedule_same_facility();

CREATE FUNCTION queueing_doctor_keeps_facility() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM queueing_schedule s JOIN queueing_clinic c ON c.id = s.clinic_id
               WHERE s.doctor_id = NEW.id AND c.facility_id <> NEW.facility_id) THEN
        RAISE EXCEPTION 'The doctor has schedules at clinics of another facility.'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'queueing_doctor_keeps_facility';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER queueing_doctor_keeps_facility
    BEFORE UPDATE OF facility_id ON queueing_doctor
    FOR EACH ROW WHEN (OLD.facility_id IS DISTINCT FROM NEW.facility_id)
    EXECUTE FUNCTION queueing_doctor_keeps_facility();

CREATE FUNCTION queueing_clinic_keeps_facility() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM queueing_schedule s JOIN queueing_doctor d ON d.id = s.doctor_id
               WHERE s.clinic_id = NEW.id AND d.facility_id <> NEW.facility_id) THEN
        RAISE EXCEPTION 'The clinic has schedules of doctors of another facility.'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'queueing_clinic_keeps_facility';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER queueing_clinic_keeps_facility
    BEFORE UPDATE OF facility_id ON queueing_clinic
    FOR EACH ROW WHEN (OLD.facility_id IS DISTINCT FROM NEW.facility_id)
    EXECUTE FUNCTION queueing_clinic_keeps_facility();
"""

DROP_SAME_FACILITY = """
DROP TRIGGER IF EXISTS queueing_clinic_keeps_facility ON queueing_clinic;
DROP FUNCTION IF EXISTS queueing_clinic_keeps_facility();
DROP TRIGGER IF EXISTS queueing_doctor_keeps_facility ON queueing_doctor;
DROP FUNCTION IF EXISTS queueing_doctor_keeps_facility();
DROP TRIGGER IF EXISTS queueing_schedule_same_facility ON queueing_schedule;
DROP FUNCTION IF EXISTS queueing_schedule_same_facility();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0001_initial"),
        ("queueing", "0015_doctor_facility_fill"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The default is Python-side only: running it here would make a facility in an empty database.
            state_operations=[
                migrations.AlterField(
                    model_name="doctor",
                    name="facility",
                    field=models.ForeignKey(
                        default=facilities.models.default_facility_id,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="doctors",
                        to="facilities.facility",
                        verbose_name="facility",
                    ),
                )
            ],
            database_operations=[
                migrations.AlterField(
                    model_name="doctor",
                    name="facility",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="doctors",
                        to="facilities.facility",
                        verbose_name="facility",
                    ),
                )
            ],
        ),
        migrations.RunPython(_on_postgresql(SAME_FACILITY), _on_postgresql(DROP_SAME_FACILITY)),
    ]
