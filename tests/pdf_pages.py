"""A PDF looked at as a reader sees it: its pages rendered to pictures (poppler's `pdftoppm`)
and its text (`pdftotext`), and what a glance at each page tells: how much of it is ink, how
much of its printable height is left blank below the last line, and whether any ink touches
the page's edge (text or a chart running off the paper).

Used by the handout tests and by `python -m tests.pdf_pages FILE.pdf` to print the figures.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

DPI = 40
"""Low resolution is enough: a line of 11 pt text is still 6 px high."""

INK = 235
"""A pixel is ink when any channel is darker than this (the pale panel fills, #f3f5f7, are not:
a grey box with nothing in it is blank paper to a reader)."""

EDGE_MM = 5.0
"""No ink within this distance of the paper's edge: the page margins are 14-16 mm, so ink here
is content that ran out of its box (or off the page)."""

FOOTER_MM = 14.0
"""The band at the bottom that holds the running footer ("Page 1 of 3"), left out when
measuring how far down a page its content reaches."""


@dataclass(frozen=True)
class PageLook:
    """What one page looks like."""

    number: int
    ink: float  # share of the page's pixels that are ink
    blank_below: float  # share of the printable height left empty below the content
    edge_ink: int  # ink pixels within EDGE_MM of the paper's edge

    def line(self) -> str:
        return (
            f"page {self.number}: ink {self.ink:.1%}, blank below the content "
            f"{self.blank_below:.0%}, ink at the edge {self.edge_ink} px"
        )


def pdf_text(pdf: bytes) -> str:
    """The PDF's text in reading order, pages separated by form feeds."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def render_pages(pdf: bytes, dpi: int = DPI) -> list[Image.Image]:
    """Every page of the PDF as a greyscale picture."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), str(Path(folder) / "p")],
            check=True,
            capture_output=True,
        )
        names = sorted(Path(folder).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        return [Image.open(name).copy() for name in names]


def _ink_rows(picture: Image.Image) -> list[int]:
    """How many ink pixels each row of the page holds."""
    width, height = picture.size
    data = picture.tobytes()
    return [sum(1 for x in range(width) if data[y * width + x] < INK) for y in range(height)]


def look_at(picture: Image.Image, number: int, dpi: int = DPI) -> PageLook:
    """The figures of one rendered page."""
    picture = picture.convert("L")
    width, height = picture.size
    rows = _ink_rows(picture)
    px_per_mm = dpi / 25.4
    edge = max(1, round(EDGE_MM * px_per_mm))
    footer = round(FOOTER_MM * px_per_mm)
    top, bottom = edge * 3, height - footer  # the printable height, roughly
    body = [y for y in range(top, bottom) if rows[y]]
    last = body[-1] if body else top
    data = picture.tobytes()
    edge_ink = sum(
        1
        for y in range(height)
        for x in range(width)
        if (x < edge or x >= width - edge or y < edge or y >= height - edge)
        and data[y * width + x] < INK
    )
    return PageLook(
        number=number,
        ink=sum(rows) / (width * height),
        blank_below=(bottom - last) / (bottom - top),
        edge_ink=edge_ink,
    )


def look_at_pdf(pdf: bytes, dpi: int = DPI) -> list[PageLook]:
    """The figures of every page of a PDF."""
    return [look_at(page, n, dpi) for n, page in enumerate(render_pages(pdf, dpi), start=1)]


if __name__ == "__main__":  # pragma: no cover - a measuring tool
    for path in sys.argv[1:]:
        looks = look_at_pdf(Path(path).read_bytes())
        print(f"{path}: {len(looks)} pages")
        for look in looks:
            print("  " + look.line())
