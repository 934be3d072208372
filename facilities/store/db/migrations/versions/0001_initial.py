"""The first schema: cities, one table per layer (as the layer model stood on 2026-12-02), the audit trail,
and on PostGIS the GiST indexes and the triggers that record edits made outside the app (QGIS).

Revision ID: 0001
Revises:
Create Date: 2026-12-02

Frozen: the layer model's fields are copied here, not imported, so that this migration creates the same
tables whatever the model becomes; a field added later comes with a migration of its own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from facilities.store.db.tables import json_type

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TYPES = {"str": sa.Text, "int": sa.BigInteger, "float": sa.Float, "bool": sa.Boolean, "date": sa.Date}

LAYERS_V1 = {
    "attractions": (
        ("name", "str"),
        ("name_en", "str"),
        ("district", "str"),
        ("status", "str"),
        ("unit", "str"),
        ("updated", "date"),
        ("source", "str"),
        ("notes", "str"),
        ("kind", "str"),
        ("grade", "str"),
        ("daily_visitors", "int"),
    ),
    "toilets": (
        ("name", "str"),
        ("name_en", "str"),
        ("district", "str"),
        ("status", "str"),
        ("unit", "str"),
        ("updated", "date"),
        ("source", "str"),
        ("notes", "str"),
        ("grade", "str"),
        ("stars", "int"),
        ("female_stalls", "int"),
        ("male_stalls", "int"),
        ("accessible_stalls", "int"),
        ("family_room", "bool"),
        ("fee", "bool"),
        ("opening_hours", "str"),
        ("kind", "str"),
    ),
    "signs": (
        ("name", "str"),
        ("name_en", "str"),
        ("district", "str"),
        ("status", "str"),
        ("unit", "str"),
        ("updated", "date"),
        ("source", "str"),
        ("notes", "str"),
        ("sign_type", "str"),
        ("text_zh", "str"),
        ("text_en", "str"),
        ("symbol", "str"),
        ("condition", "str"),
        ("road", "str"),
    ),
    "docks": (
        ("name", "str"),
        ("name_en", "str"),
        ("district", "str"),
        ("status", "str"),
        ("unit", "str"),
        ("updated", "date"),
        ("source", "str"),
        ("notes", "str"),
        ("dock_type", "str"),
        ("pontoon", "bool"),
        ("berths", "int"),
        ("operator", "str"),
    ),
    "lamps": (
        ("name", "str"),
        ("name_en", "str"),
        ("district", "str"),
        ("status", "str"),
        ("unit", "str"),
        ("updated", "date"),
        ("source", "str"),
        ("notes", "str"),
        ("lamp_type", "str"),
        ("height_m", "float"),
        ("power_w", "float"),
        ("lumens", "float"),
        ("working", "bool"),
        ("road", "str"),
        ("circuit", "str"),
    ),
    "roads": (
        ("name", "str"),
        ("name_en", "str"),
        ("district", "str"),
        ("status", "str"),
        ("unit", "str"),
        ("updated", "date"),
        ("source", "str"),
        ("notes", "str"),
        ("road_class", "str"),
        ("lit", "bool"),
        ("bridge", "bool"),
    ),
    "stops": (
        ("name", "str"),
        ("name_en", "str"),
        ("district", "str"),
        ("status", "str"),
        ("unit", "str"),
        ("updated", "date"),
        ("source", "str"),
        ("notes", "str"),
        ("stop_type", "str"),
        ("routes", "str"),
        ("shelter", "bool"),
        ("bilingual", "bool"),
    ),
    "billboards": (
        ("name", "str"),
        ("name_en", "str"),
        ("district", "str"),
        ("status", "str"),
        ("unit", "str"),
        ("updated", "date"),
        ("source", "str"),
        ("notes", "str"),
        ("kind", "str"),
        ("illuminated", "bool"),
        ("permit_no", "str"),
        ("permit_expiry", "date"),
        ("condition", "str"),
    ),
    "zones": (
        ("name", "str"),
        ("name_en", "str"),
        ("district", "str"),
        ("status", "str"),
        ("unit", "str"),
        ("updated", "date"),
        ("source", "str"),
        ("notes", "str"),
        ("zone_type", "str"),
    ),
    "reports": (
        ("name", "str"),
        ("name_en", "str"),
        ("district", "str"),
        ("status", "str"),
        ("unit", "str"),
        ("updated", "date"),
        ("source", "str"),
        ("notes", "str"),
        ("kind", "str"),
        ("reported_on", "date"),
        ("fixed_on", "date"),
        ("photo", "str"),
    ),
    "water": (("name", "str"), ("name_en", "str"), ("source", "str")),
}

# Edits made outside the app (a GIS user editing a table in QGIS, an SQL script): the trigger gives the
# feature its next version, appends one audit row per changed column (source 'gis', user = the database
# login) and bumps the city's revision (the audit rows' batch), so the app sees the change. The app's own writes set
# facilities.writer for their transaction and do all this themselves.
TRACK = """
CREATE OR REPLACE FUNCTION facilities_track_edit() RETURNS trigger AS $$
DECLARE
  o jsonb := '{}'::jsonb;
  n jsonb := '{}'::jsonb;
  k text;
  b bigint;
  c text;
  f text;
BEGIN
  IF coalesce(current_setting('facilities.writer', true), '') <> '' THEN
    RETURN COALESCE(NEW, OLD);
  END IF;
  IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) - 'version') = (to_jsonb(NEW) - 'version') THEN
    RETURN NEW;  -- nothing changed (a GIS client saving a row as it was): no version, no revision
  END IF;
  c := CASE WHEN TG_OP = 'DELETE' THEN OLD.city ELSE NEW.city END;
  UPDATE cities SET revision = revision + 1 WHERE key = c RETURNING revision INTO b;
  IF TG_OP = 'UPDATE' THEN
    NEW.version := OLD.version + 1;
    o := to_jsonb(OLD) - 'version';
    n := to_jsonb(NEW) - 'version';
    c := NEW.city; f := NEW.id;
    FOR k IN SELECT key FROM jsonb_object_keys(n) AS key WHERE (o -> key) IS DISTINCT FROM (n -> key) LOOP
      INSERT INTO changes (batch, at, "user", source, city, layer, feature_id, action, field, old, new, version)
      VALUES (b, now(), current_user, 'gis', c, TG_TABLE_NAME, f, 'update',
              CASE WHEN k = 'geom' THEN 'geometry' ELSE k END,
              nullif(CASE WHEN k = 'geom' THEN ((o -> k) - 'crs') ELSE (o -> k) END::text, 'null'),
              nullif(CASE WHEN k = 'geom' THEN ((n -> k) - 'crs') ELSE (n -> k) END::text, 'null'), NEW.version);
    END LOOP;
  ELSIF TG_OP = 'INSERT' THEN
    NEW.version := 1;
    c := NEW.city; f := NEW.id;
    INSERT INTO changes (batch, at, "user", source, city, layer, feature_id, action, field, old, new, version)
    VALUES (b, now(), current_user, 'gis', c, TG_TABLE_NAME, f, 'insert', '*', NULL,
            jsonb_strip_nulls(to_jsonb(NEW) - 'version' - 'city')::text, 1);
  ELSE
    c := OLD.city; f := OLD.id;
    INSERT INTO changes (batch, at, "user", source, city, layer, feature_id, action, field, old, new, version)
    VALUES (b, now(), current_user, 'gis', c, TG_TABLE_NAME, f, 'delete', '*',
            jsonb_strip_nulls(to_jsonb(OLD) - 'version' - 'city')::text, NULL, OLD.version);
  END IF;
  RETURN COALESCE(NEW, OLD);
END;
$$ LANGUAGE plpgsql;
"""


def upgrade() -> None:
    """Create the tables (and, on PostGIS, the spatial indexes and the edit triggers)."""
    postgis = op.get_bind().dialect.name == "postgresql"
    if postgis:
        from geoalchemy2 import Geometry

        geometry: sa.types.TypeEngine = Geometry("GEOMETRY", srid=4326, spatial_index=False)
    else:
        geometry = sa.LargeBinary()
    op.create_table(
        "cities",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("config_toml", sa.Text, nullable=False),
        sa.Column("rules_toml", sa.Text),
        sa.Column("revision", sa.BigInteger, nullable=False, server_default="0"),
    )
    for layer, fields in LAYERS_V1.items():
        op.create_table(
            layer,
            sa.Column("city", sa.Text, sa.ForeignKey("cities.key", ondelete="CASCADE"), primary_key=True),
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
            *(sa.Column(name, TYPES[ftype]) for name, ftype in fields),
            sa.Column("extra", json_type()),
            sa.Column("geom", geometry),
        )
        if postgis:
            op.create_index(f"ix_{layer}_geom", layer, ["geom"], postgresql_using="gist")
    op.create_table(
        "changes",
        sa.Column("change", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("batch", sa.BigInteger, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("city", sa.Text, nullable=False),
        sa.Column("layer", sa.Text, nullable=False),
        sa.Column("feature_id", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("old", sa.Text),
        sa.Column("new", sa.Text),
        sa.Column("version", sa.BigInteger),
        sa.Column("note", sa.Text),
        sa.Column("reverts", sa.BigInteger),
    )
    op.create_index("ix_changes_feature", "changes", ["city", "layer", "feature_id"])
    op.create_index("ix_changes_at", "changes", ["city", "at"])
    if postgis:
        op.execute(TRACK)
        for layer in LAYERS_V1:
            op.execute(
                f"CREATE TRIGGER {layer}_track BEFORE INSERT OR UPDATE OR DELETE ON {layer} "
                "FOR EACH ROW EXECUTE FUNCTION facilities_track_edit()"
            )


def downgrade() -> None:
    """Drop everything this migration created."""
    op.drop_table("changes")
    for layer in LAYERS_V1:
        op.drop_table(layer)
    op.drop_table("cities")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS facilities_track_edit()")
