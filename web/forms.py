"""WTForms pieces shared by the account pages: validators for free text and passwords.

Forms are the edge for HTML pages (as marshmallow schemas are for the API): they bound lengths
and refuse control characters before anything reaches a service.
"""

from __future__ import annotations

from wtforms import Field
from wtforms.validators import ValidationError

from commonground.text import control_character_problem


class PlainText:
    """Refuse control characters (and line breaks unless `multiline`)."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, _form, field: Field) -> None:
        if isinstance(field.data, str):
            problem = control_character_problem(field.data, multiline=self.multiline)
            if problem:
                raise ValidationError(problem)


def apply_domain_errors(form, errors: dict) -> None:
    """Show a service's per-field messages next to the form's fields."""
    for name, messages in errors.items():
        field = getattr(form, name, None)
        target = field.errors if field is not None else form.form_errors
        if isinstance(target, tuple):
            target = list(target)
        target.extend(messages if isinstance(messages, list) else [str(messages)])
        if field is not None:
            field.errors = target
