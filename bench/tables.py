"""The Markdown tables the benchmarks print (and bench/README.md quotes), and their cells."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def num(value: Any, spec: str) -> str:
    """`value` formatted with `spec`, or "n/a" when it was not measured."""
    return "n/a" if value is None else format(value, spec)


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table: the header, its rule, then one line per row of cells."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)
