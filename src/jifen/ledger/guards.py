"""Database triggers of the ledger beyond append-only: period locks and reversal shape.

PostgreSQL checks inserts per statement over the transition table, so a COPY of a
million rows runs two set-based queries instead of a million function calls. SQLite has
only row triggers; they are cheap in-process.
"""

from __future__ import annotations

from typing import Any

LOCKED = "('archived', 'filed')"

SQLITE = [
    f"""CREATE TRIGGER ledger_entry_period_lock BEFORE INSERT ON ledger_ledgerentry
    WHEN EXISTS (SELECT 1 FROM ledger_period p WHERE p.organisation_id = NEW.organisation_id
                 AND p.state IN {LOCKED} AND NEW.occurred_on BETWEEN p.starts_on AND p.ends_on)
    BEGIN SELECT RAISE(ABORT, 'jifen: entry falls into an archived period'); END;""",
    """CREATE TRIGGER ledger_entry_reversal_shape BEFORE INSERT ON ledger_ledgerentry
    WHEN NEW.reverses_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM ledger_ledgerentry o WHERE o.id = NEW.reverses_id
        AND o.reverses_id IS NULL AND o.member_id = NEW.member_id
        AND o.item_code = NEW.item_code AND o.quantity = NEW.quantity
        AND o.points_hundredths = -NEW.points_hundredths)
    BEGIN SELECT RAISE(ABORT, 'jifen: a reversal must mirror an original entry'); END;""",
    f"""CREATE TRIGGER ledger_period_stays_locked BEFORE UPDATE ON ledger_period
    WHEN OLD.state IN {LOCKED} AND (NEW.state NOT IN {LOCKED}
        OR NEW.starts_on <> OLD.starts_on OR NEW.ends_on <> OLD.ends_on
        OR NEW.organisation_id <> OLD.organisation_id)
    BEGIN SELECT RAISE(ABORT, 'jifen: an archived period stays archived'); END;""",
    f"""CREATE TRIGGER ledger_period_no_delete_locked BEFORE DELETE ON ledger_period
    WHEN OLD.state IN {LOCKED}
    BEGIN SELECT RAISE(ABORT, 'jifen: an archived period cannot be deleted'); END;""",
]

POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION jifen_ledger_insert_check() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM inserted n JOIN ledger_period p
                   ON p.organisation_id = n.organisation_id AND p.state IN {LOCKED}
                   AND n.occurred_on BETWEEN p.starts_on AND p.ends_on) THEN
            RAISE EXCEPTION 'jifen: entry falls into an archived period'
                USING ERRCODE = 'restrict_violation';
        END IF;
        IF EXISTS (SELECT 1 FROM inserted n
                   LEFT JOIN ledger_ledgerentry o ON o.id = n.reverses_id
                   WHERE n.reverses_id IS NOT NULL AND (o.id IS NULL
                      OR o.reverses_id IS NOT NULL OR o.member_id <> n.member_id
                      OR o.item_code <> n.item_code OR o.quantity <> n.quantity
                      OR o.points_hundredths <> -n.points_hundredths)) THEN
            RAISE EXCEPTION 'jifen: a reversal must mirror an original entry'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NULL;
    END $$;""",
    """CREATE TRIGGER ledger_entry_insert_check AFTER INSERT ON ledger_ledgerentry
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
    EXECUTE FUNCTION jifen_ledger_insert_check();""",
    f"""CREATE OR REPLACE FUNCTION jifen_period_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.state IN {LOCKED} THEN
                RAISE EXCEPTION 'jifen: an archived period cannot be deleted'
                    USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.state IN {LOCKED} AND (NEW.state NOT IN {LOCKED}
            OR NEW.starts_on <> OLD.starts_on OR NEW.ends_on <> OLD.ends_on
            OR NEW.organisation_id <> OLD.organisation_id) THEN
            RAISE EXCEPTION 'jifen: an archived period stays archived'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END $$;""",
    """CREATE TRIGGER ledger_period_guard BEFORE UPDATE OR DELETE ON ledger_period
    FOR EACH ROW EXECUTE FUNCTION jifen_period_guard();""",
]


def install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRES}[vendor]:
        schema_editor.execute(statement, params=None)


# A caution for later migrations: on SQLite, Django alters a column by rebuilding the
# table (create, copy, drop, rename), and dropping a table drops its triggers. A migration
# that alters ledger_ledgerentry, ledger_period, ledger_checkpoint or core_auditevent must
# reinstall their triggers; tests/ledger/test_append_only.py checks they are all there.
