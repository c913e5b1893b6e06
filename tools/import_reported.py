#!/usr/bin/env python3
"""Copies a reported-figures CSV from ../shared/data into models/reported/ with a `status` column.

The status says how far a row can be trusted, from its note (docs/validation.md, "The reported
figures"):
  estimate  the note says DERIVED: the figure was computed (from a year-on-year rate, a share, a
            difference of cumulative totals), not printed; it is scored, and shown as an estimate
  disputed  the note starts with DISPUTED: another publisher's figure for the same quantity is
            preferred; it is listed, never scored
  (empty)   printed by the publisher named in `source`

Usage: tools/import_reported.py SOURCE.csv DEST.csv
Rows, columns and their order are kept; only the 15th column is added.
"""
import csv
import sys

HEADER = ["series", "region_from", "region_to", "product", "period_start", "period_end",
          "value", "unit", "yoy_pct", "mom_pct", "source", "source_date", "url", "note"]


def status(note: str) -> str:
    if note.lstrip().upper().startswith("DISPUTED"):
        return "disputed"
    if "DERIVED" in note.upper():
        return "estimate"
    return ""


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    with open(sys.argv[1], newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != HEADER:
        print(f"{sys.argv[1]}:1: error: expected the header {','.join(HEADER)}", file=sys.stderr)
        return 2
    out = [HEADER + ["status"]]
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(HEADER):
            print(f"{sys.argv[1]}:{line}: error: expected {len(HEADER)} fields, found {len(row)}",
                  file=sys.stderr)
            return 2
        out.append(row + [status(row[13])])
    with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
