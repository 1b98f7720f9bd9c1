"""Warehouse columns as Arrow tables, Arrow IPC files and pandas frames for GE.

GE validates a pandas frame of only the columns a suite names (not the wide text columns), so
memory stays proportional to what is checked. The build process reads each frame out of DuckDB;
for the GE process it writes an Arrow file, which that process maps instead of receiving a copy.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow
import pyarrow.ipc

from pipeline.warehouse import quote_ident

_BATCH_ROWS = 100_000


# Expectations a suite may put on a nested column (a list, struct or map): GE is handed only
# whether each value is present (see `_select`); a test holds every suite to this list.
NESTED_EXPECTATIONS = frozenset({"expect_column_values_to_not_be_null", "expect_column_values_to_be_null"})


def nested_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """The columns of `table` whose values are lists, arrays, structs, maps or unions."""
    schema, name = table.split(".")
    return {
        column
        for column, kind in con.execute(
            "select column_name, data_type from duckdb_columns() "
            "where database_name = current_database() and schema_name = ? and table_name = ?",
            [schema, name],
        ).fetchall()
        if kind.endswith("]") or kind.startswith(("STRUCT", "MAP", "UNION"))
    }


def _select(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> str:
    # A nested column goes to GE as its presence (true, or NULL where the value is NULL): its
    # suites only check that (`NESTED_EXPECTATIONS`), and its values as Python objects cost GE's
    # process gigabytes (the 2.2 million term lists of core.text_features at a million seeds).
    nested = nested_columns(con, table) & set(columns)
    select = ", ".join(
        f"case when {quote_ident(column)} is not null then true end as {quote_ident(column)}"
        if column in nested else quote_ident(column)
        for column in columns
    )
    # a part with no columns (a row count) still needs its rows: one constant column carries them
    return f"select {select or 'null::boolean as _row'} from {quote_ident(table)}"


def fetch(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> pyarrow.Table:
    return con.sql(_select(con, table, columns)).to_arrow_table()


def fetch_to_file(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], path: Path) -> None:
    """The columns as an Arrow IPC file, streamed batch by batch: the build process never holds
    the whole frame, and the GE process maps the file instead of receiving a copy."""
    reader = con.sql(_select(con, table, columns)).to_arrow_reader(_BATCH_ROWS)
    with pyarrow.OSFile(str(path), "wb") as sink, pyarrow.ipc.new_file(sink, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)


def _read_file(path: str) -> pyarrow.Table:
    with pyarrow.memory_map(path) as source:
        return pyarrow.ipc.open_file(source).read_all()


def frame_of(arrow: pyarrow.Table, python_strings: frozenset[str] = frozenset()):
    """A pandas frame of `arrow` with the dtypes DuckDB's own `.df()` gives (fetching through
    Arrow takes half the time), and with 32-bit integers widened: GE vectorises its range checks
    only over 64-bit numbers (an int32 column goes row by row). A test holds the frame equal to
    `.df()`'s, values and dtypes.

    Text columns in `python_strings` keep pandas' string dtype with Python storage instead of
    Arrow storage: looking for duplicates in one Arrow-stored text column makes Python strings of
    every value anyway, and keeps them (1.86 million URLs: 590 MB against 307 MB). Compound keys
    are better off in Arrow storage: pandas factorizes them column by column there."""
    import pandas as pd

    frame = arrow.to_pandas(date_as_object=False)
    for name, column in zip(arrow.column_names, arrow.columns, strict=True):
        kind = column.type
        if name in python_strings and pyarrow.types.is_string(kind) and column.null_count < len(column):
            frame[name] = pd.array(column.to_pylist(), dtype=pd.StringDtype("python", na_value=float("nan")))
        elif pyarrow.types.is_integer(kind) and column.null_count:  # `.df()`: pandas' nullable integers
            frame[name] = pd.array(column.to_pandas(types_mapper={kind: pd.api.types.pandas_dtype(_nullable(kind))}.get))
        elif pyarrow.types.is_integer(kind) and kind.bit_width < 64:
            frame[name] = frame[name].astype("uint64" if pyarrow.types.is_unsigned_integer(kind) else "int64")
        elif pyarrow.types.is_string(kind) and column.null_count == len(column):  # `.df()`: objects
            frame[name] = frame[name].astype(object)
        elif pyarrow.types.is_date(kind):
            frame[name] = frame[name].astype("datetime64[us]")
    return frame


def table_frame(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]):
    return frame_of(fetch(con, table, columns))


def _nullable(kind: pyarrow.DataType) -> str:
    """pyarrow's int16 -> pandas' 'Int16', uint8 -> 'UInt8'."""
    return str(kind).replace("uint", "UInt").replace("int", "Int")
