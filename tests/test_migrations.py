"""The schema comes only from Alembic migrations, the migrations match the models exactly, and
the indexes city-scale reads rely on (issue 14) are there, in the form those reads can use."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Select, inspect, select, text

from commonground.extensions import db
from needs.models import Claim


def test_migrations_produce_exactly_the_models(app_context):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models and migrations differ: {differences}"


def test_there_is_a_single_linear_head(app):
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate  # noqa: F401 - the extension configures the directory

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"


def index_definitions(connection: Connection, table: str) -> dict[str, str]:
    """index name -> its CREATE INDEX statement, as the database itself holds it."""
    if connection.dialect.name == "postgresql":
        query = text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :table")
    else:
        query = text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :table"
        )
    return {name: sql or "" for name, sql in connection.execute(query, {"table": table})}


def query_plan(connection: Connection, query: Select) -> str:
    """How the database would run `query`: PostgreSQL's EXPLAIN with sequential scans priced
    out (on a test's nearly empty table a scan is always cheapest), SQLite's EXPLAIN QUERY
    PLAN."""
    sql = str(query.compile(connection, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL enable_seqscan = off"))  # this transaction only
        return "\n".join(connection.execute(text(f"EXPLAIN {sql}")).scalars())
    return "\n".join(row[-1] for row in connection.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


def test_a_needs_claims_are_found_by_an_index_of_every_claim(app_context):
    """Issue 14: `claim.need_id` was indexed only for active claims (a partial index), so
    showing a need loaded its claims by scanning the whole claim table. A plain index leads
    with it, and the database finds a need's claims (as `Need.claims` loads them) through an
    index, not a scan."""
    a_needs_claims = select(Claim.id, Claim.status).where(Claim.need_id == 7).order_by(Claim.id)
    with db.engine.connect() as connection:  # one connection: SQLite has one writer
        definitions = index_definitions(connection, "claim")
        whole = [
            found["name"]
            for found in inspect(connection).get_indexes("claim")
            if found["column_names"][:1] == ["need_id"]
            and " WHERE " not in definitions[found["name"]].upper()
        ]
        plan = query_plan(connection, a_needs_claims)
    assert whole, f"no index of every claim leads with need_id: {definitions}"
    assert "Seq Scan" not in plan and "SCAN claim" not in plan, plan
    assert any(name in plan for name in whole), plan
