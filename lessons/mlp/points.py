"""Data the class makes: points added by hand, or read from a CSV file of x1,x2,label, checked before use.

A file is read whole or not at all: the first problem found is named (with its row), and nothing of
a file with a problem is used. Labels may be −1/1 or 0/1 for two classes (0 becomes −1, the class the app
draws as −1), or 0/1/2 for three (a file with a label 2: each point keeps its label, and each class needs a point).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .settings import MAX_POINTS

MAX_BYTES = 100_000  # a file of MAX_POINTS rows of x1,x2,label is about 15 kB
LINK_POINTS = 60  # points kept in a link; more would make it longer than browsers and chat apps keep
LIMIT = 100.0  # the largest size of a coordinate, from a link or a file: the plane's grid stays drawable

Point = tuple[float, float, float]
THREE_LABELS = {0.0, 1.0, 2.0}


@dataclass(frozen=True)
class PointsError(Exception):
    """Why a file cannot be used: a short code, the row (1-based, header included) and what was found."""

    code: str  # empty, too_big, too_many, too_few, columns, number, finite, range, label, one_class, a_class_missing
    row: int = 0
    found: str = ""


def _cell(cell: str, delimiter: str) -> float:
    """A number as a spreadsheet writes it: with a decimal comma where the columns are split by semicolons."""
    text = cell.strip()
    if delimiter == ";" and text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    return float(text)


def read_csv(data: bytes) -> list[Point]:
    """The points of a CSV file of x1,x2,label (an optional header row; commas or semicolons)."""
    if len(data) > MAX_BYTES:
        raise PointsError("too_big", found=f"{len(data):,} bytes")
    try:
        text = data.decode("utf-8-sig")  # a BOM from a spreadsheet is not part of the first cell
    except UnicodeDecodeError:
        raise PointsError("number", 1, "not text") from None
    if not text.strip():
        raise PointsError("empty")
    delimiter = ";" if text.count(";") > text.count(",") else ","
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(cell.strip() for cell in row)]
    if rows and not any(_numeric(cell) for cell in rows[0]):
        rows = rows[1:]  # a header: no number in it
        offset = 2
    else:
        offset = 1
    if not rows:
        raise PointsError("empty")
    if len(rows) > MAX_POINTS:
        raise PointsError("too_many", found=f"{len(rows):,} rows")
    points = []
    labels = set()
    for i, row in enumerate(rows, offset):
        if len(row) != 3:
            raise PointsError("columns", i, f"{len(row)} columns")
        try:
            x1, x2, label = (_cell(cell, delimiter) for cell in row)
        except ValueError:
            raise PointsError("number", i, delimiter.join(row)[:40]) from None
        if not all(math.isfinite(v) for v in (x1, x2, label)):
            raise PointsError("finite", i, delimiter.join(row)[:40])
        if abs(x1) > LIMIT or abs(x2) > LIMIT:
            raise PointsError("range", i, delimiter.join(row)[:40])
        if label not in (-1.0, 0.0, 1.0, 2.0):
            raise PointsError("label", i, row[2][:20])
        labels.add(label)
        points.append((x1, x2, label))
    if labels & {-1.0} and labels & {0.0, 2.0}:
        raise PointsError("label", 0, "−1 with 0 or 2")
    if 2.0 in labels:  # three classes, labelled as the app labels them
        if labels != THREE_LABELS:
            raise PointsError("a_class_missing", found=", ".join(f"{v:g}" for v in sorted(THREE_LABELS - labels)))
        return points
    points = [(x1, x2, -1.0 if label == 0.0 else label) for x1, x2, label in points]
    if len({p[2] for p in points}) < 2:
        raise PointsError("one_class")
    return points


def _numeric(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def write_csv(points: Sequence[Point]) -> str:
    """The points as CSV, with a header: what read_csv reads back exactly."""
    lines = ["x1,x2,label", *(f"{x1!r},{x2!r},{int(label)}" for x1, x2, label in points)]
    return "\n".join(lines) + "\n"


def to_link(points: Sequence[Point]) -> str | None:
    """The points written for a link (x1:x2:label, joined by ;), or None when there are too many for one."""
    if len(points) > LINK_POINTS:
        return None
    return ";".join(f"{x1:.4g}:{x2:.4g}:{int(label)}" for x1, x2, label in points)


def from_link(text: str) -> list[Point]:
    """The points of a link; ValueError with a reason when it holds something else."""
    points = []
    for item in filter(None, text.split(";")):
        parts = item.split(":")
        if len(parts) != 3:
            raise ValueError("expected x1:x2:label items joined by ;")
        x1, x2, label = (float(p) for p in parts)
        if not (math.isfinite(x1) and math.isfinite(x2)) or label not in (-1.0, 0.0, 1.0, 2.0):
            raise ValueError("finite coordinates and labels -1 or 1 (two classes), or 0, 1 or 2 (three)")
        if abs(x1) > LIMIT or abs(x2) > LIMIT:
            raise ValueError(f"coordinates from -{LIMIT:g} to {LIMIT:g}")
        points.append((x1, x2, label))
    if len(points) > LINK_POINTS:
        raise ValueError(f"more than {LINK_POINTS} points")
    labels = {p[2] for p in points}
    if labels & {-1.0} and labels & {0.0, 2.0}:
        raise ValueError("labels -1 and 1 (two classes), or 0, 1 and 2 (three), not both")
    return points
