"""row_count: exact row counts of the big tables, kept by statement-level triggers (PostgreSQL)

* ``row_count (id, table_name, rows, base)`` (app/core/rowcount.py): per counted table a base row and delta rows;
  the count is their sum in the reader's snapshot. Created on every database (the models and the migrations
  agree); only PostgreSQL fills it.
* PostgreSQL: for ``employee``, ``skp``, ``evaluation`` and ``training_participant`` (the whole-city lists count
  15,000 / 75,000 / 288,000 / 150,000 rows: up to 8-14 ms per request) AFTER INSERT / AFTER DELETE ...
  REFERENCING NEW/OLD TABLE ... FOR EACH STATEMENT triggers add one delta row per statement (a bulk insert, a
  COPY, a cascading delete: one row), an AFTER TRUNCATE trigger resets the table to a base of 0; one writing
  statement in ~32 folds the table's rows into one base row when it gets the table's advisory lock at once (READ
  COMMITTED only). ``row_count_resync(table)`` recounts a table (here, and ``flask portal refresh-derived``).

Revision ID: 0023_row_count
Revises: 0022_evaluation_skp_ids
Create Date: 2026-11-28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_row_count'
down_revision = '0022_evaluation_skp_ids'
branch_labels = None
depends_on = None

TABLES = ('employee', 'skp', 'evaluation', 'training_participant')
LOCK_CLASS = 74110  # app.core.rowcount.LOCK_CLASS

FUNCTIONS = f"""
CREATE FUNCTION row_count_compact(t text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- the caller holds pg_advisory_xact_lock({LOCK_CLASS}, hashtext(t)); one statement: atomic for every reader
    WITH gone AS (DELETE FROM row_count WHERE table_name = t RETURNING rows, base)
    INSERT INTO row_count (table_name, rows, base)
    SELECT t, sum(rows), bool_or(base) FROM gone HAVING count(*) > 1;
END $$;

CREATE FUNCTION row_count_add(t text, n bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    added integer;
BEGIN
    INSERT INTO row_count (table_name, rows, base) VALUES (t, n, false) RETURNING id INTO added;
    IF added % 32 = 0 AND current_setting('transaction_isolation') = 'read committed'
            AND pg_try_advisory_xact_lock({LOCK_CLASS}, hashtext(t)) THEN
        PERFORM row_count_compact(t);
    END IF;
END $$;

CREATE FUNCTION row_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    SELECT count(*) INTO n FROM row_count_new;
    IF n > 0 THEN
        PERFORM row_count_add(TG_TABLE_NAME, n);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION row_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    SELECT count(*) INTO n FROM row_count_old;
    IF n > 0 THEN
        PERFORM row_count_add(TG_TABLE_NAME, -n);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION row_count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_CLASS}, hashtext(TG_TABLE_NAME));
    DELETE FROM row_count WHERE table_name = TG_TABLE_NAME;
    INSERT INTO row_count (table_name, rows, base) VALUES (TG_TABLE_NAME, 0, true);
    RETURN NULL;
END $$;

CREATE FUNCTION row_count_resync(t text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_CLASS}, hashtext(t));
    -- after the lock, one statement: the old rows it deletes and the rows it counts are seen in one snapshot
    EXECUTE format('WITH gone AS (DELETE FROM row_count WHERE table_name = %L RETURNING 1) '
                   'INSERT INTO row_count (table_name, rows, base) '
                   'SELECT %L, (SELECT count(*) FROM %I), true RETURNING rows', t, t, t) INTO n;
    RETURN n;
END $$;
"""


def _triggers(table):
    return [
        f"CREATE TRIGGER row_count_{table}_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS row_count_new "
        f"FOR EACH STATEMENT EXECUTE FUNCTION row_count_inserted()",
        f"CREATE TRIGGER row_count_{table}_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS row_count_old "
        f"FOR EACH STATEMENT EXECUTE FUNCTION row_count_deleted()",
        f"CREATE TRIGGER row_count_{table}_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION row_count_truncated()",
    ]


def upgrade():
    op.create_table(
        'row_count',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('table_name', sa.String(length=63), nullable=False),
        sa.Column('rows', sa.BigInteger(), nullable=False),
        sa.Column('base', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_row_count'),
    )
    op.create_index('ix_row_count_table_name', 'row_count', ['table_name'], unique=False)
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(FUNCTIONS)
    for table in TABLES:
        for statement in _triggers(table):
            op.execute(statement)
        op.execute(f"SELECT row_count_resync('{table}')")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            for kind in ('insert', 'delete', 'truncate'):
                op.execute(f"DROP TRIGGER row_count_{table}_{kind} ON {table}")
        for function in ('row_count_resync(text)', 'row_count_truncated()', 'row_count_deleted()',
                         'row_count_inserted()', 'row_count_add(text, bigint)', 'row_count_compact(text)'):
            op.execute(f"DROP FUNCTION {function}")
    op.drop_index('ix_row_count_table_name', table_name='row_count')
    op.drop_table('row_count')
