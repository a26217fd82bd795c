"""Full JSON backup and restore of every table, portable between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Column, Date, MetaData, Table, Time, func, inspect, select, text
from sqlalchemy.engine import Connection

from core.db import UTCDateTime
from core.errors import Invalid

FORMAT = "allhands-backup"
FORMAT_VERSION = 1
CHUNK = 1000


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _decoder(column: Column[Any]) -> Any:
    if isinstance(column.type, UTCDateTime):
        return datetime.fromisoformat
    if isinstance(column.type, Date):
        return date.fromisoformat
    if isinstance(column.type, Time):
        return time.fromisoformat
    return None


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(value) if value is not None else None


def export_rows(connection: Connection, metadata: MetaData) -> dict[str, Any]:
    """Every row of every table, in foreign-key order, as JSON-ready values."""
    tables: dict[str, Any] = {}
    for table in metadata.sorted_tables:
        names = [c.name for c in table.columns]
        order = [c for c in table.primary_key.columns] or list(table.columns)
        rows = [
            [_encode(value) for value in row]
            for row in connection.execute(select(*table.columns).order_by(*order))
        ]
        tables[table.name] = {"columns": names, "rows": rows}
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "revision": _revision(connection),
        "tables": tables,
    }


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _reset_sequences(connection: Connection, table: Table) -> None:
    # Rows were inserted with explicit ids, so PostgreSQL's sequences still start at 1.
    for column in table.primary_key.columns:
        if column.autoincrement is True or (
            column.autoincrement == "auto" and column.type.python_type is int
        ):
            next_id = select(func.coalesce(func.max(column), 0) + 1).scalar_subquery()
            sequence = func.pg_get_serial_sequence(table.name, column.name)
            connection.execute(select(func.setval(sequence, next_id, False)))


def import_rows(connection: Connection, metadata: MetaData, backup: dict[str, Any]) -> int:
    """Restore a backup into an empty, migrated database; returns the number of rows."""
    if backup.get("format") != FORMAT or backup.get("version") != FORMAT_VERSION:
        raise Invalid("not an allhands backup file (format/version mismatch)")
    revision = _revision(connection)
    if backup.get("revision") != revision:
        raise Invalid(
            f"backup is at migration {backup.get('revision')} but the database is at "
            f"{revision}; upgrade both to the same revision first"
        )
    for table in metadata.sorted_tables:
        if connection.execute(select(func.count()).select_from(table)).scalar():
            raise Invalid(f"database is not empty (table {table.name} has rows)")
    source_tables: dict[str, Any] = backup.get("tables", {})
    unknown = set(source_tables) - set(metadata.tables)
    if unknown:
        raise Invalid(f"backup has unknown tables: {', '.join(sorted(unknown))}")
    total = 0
    for table in metadata.sorted_tables:
        data = source_tables.get(table.name)
        if not data or not data["rows"]:
            continue
        names: list[str] = data["columns"]
        missing = set(names) - set(table.columns.keys())
        if missing:
            raise Invalid(f"table {table.name}: unknown columns {', '.join(sorted(missing))}")
        decoders = {name: _decoder(table.columns[name]) for name in names}
        rows = []
        for raw in data["rows"]:
            row = {}
            for name, value in zip(names, raw, strict=True):
                decode = decoders[name]
                row[name] = decode(value) if decode is not None and value is not None else value
            rows.append(row)
        for chunk in _chunks(rows):
            connection.execute(table.insert(), chunk)
        total += len(rows)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection, table)
    return total
