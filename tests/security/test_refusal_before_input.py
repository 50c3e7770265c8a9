"""A role that may not use a page is refused (403) even when its form is invalid: the role is
checked before the input, so a refusal never looks like a validation message."""

from __future__ import annotations

import pytest

from tests.browser import Browser


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/catalogue/", {"title": ""}),
        ("/briefings/partner", {"partner_id": "x"}),
        ("/briefings/prospect", {"name": "No capabilities"}),
        ("/briefings/neighbourhood", {"neighbourhood": ""}),
        ("/needs/new", {"title": ""}),
    ],
)
def test_a_viewer_posting_an_invalid_form_is_refused_not_validated(app, make, path, form):
    viewer = make.user("viewer")
    web = Browser(app.test_client())
    assert web.login(viewer.user.email).status_code == 302
    assert web.post(path, form).status_code == 403
