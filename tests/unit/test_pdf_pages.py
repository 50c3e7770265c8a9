"""The picture check of a PDF sees what it is meant to see: a page left mostly blank by a forced
break, and a line running off the paper (made here by WeasyPrint, as briefings are)."""

from __future__ import annotations

from weasyprint import HTML

from tests.pdf_pages import look_at_pdf

PAGE = "<style>@page { size: Letter; margin: 16mm 14mm }</style>"


def test_a_forced_break_after_three_lines_leaves_a_mostly_blank_page():
    html = (
        PAGE
        + "<p>One</p><p>Two</p><p>Three</p><p style='break-before: page'>"
        + ("A full page of words. " * 400)
        + "</p>"
    )
    first, second, *_ = look_at_pdf(HTML(string=html).write_pdf())
    assert first.blank_below > 0.8 and second.blank_below < 0.2
    assert first.edge_ink == 0 and second.edge_ink == 0


def test_a_line_too_wide_for_the_paper_is_ink_at_its_edge():
    html = PAGE + "<p style='white-space: nowrap; font-size: 20pt'>" + "overflowing " * 30 + "</p>"
    (page,) = look_at_pdf(HTML(string=html).write_pdf())
    assert page.edge_ink > 0
