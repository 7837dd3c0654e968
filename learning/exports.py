"""CSV and XLSX downloads of report tables, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response
from openpyxl import Workbook

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_response(header: Sequence[str], rows: Iterable[Sequence], filename: str) -> Response:
    """A CSV download (semicolon-separated, UTF-8 with BOM, as Swedish Excel expects)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


def xlsx_response(header: Sequence[str], rows: Iterable[Sequence], filename: str, title: str) -> Response:
    """An XLSX download with one sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(buffer.getvalue(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


def table_response(fmt: str, header: Sequence[str], rows: Iterable[Sequence], filename: str, title: str) -> Response:
    """The table as CSV or XLSX, by the extension the user asked for."""
    if fmt == "csv":
        return csv_response(header, rows, f"{filename}.csv")
    return xlsx_response(header, rows, f"{filename}.xlsx", title)
