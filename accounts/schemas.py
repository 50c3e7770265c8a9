"""Input schemas of accounts: signing in, passwords, API tokens, invitations, and an
organisation registering itself with its first member (the partner schema's rules for the
organisation).

What makes a password acceptable is the service's rule (`accounts.passwords`); these schemas
only bound the input and check that a new password was typed twice alike.
Must not import Flask, SQLAlchemy, `api` or `web`.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from commonground.fields import Text
from partners.schemas import PartnerCreateSchema

NOT_THE_SAME = "Not the same."
TOKEN_LIFETIMES = {"30": "30 days", "90": "90 days", "365": "1 year", "7": "7 days"}


def Password(**kwargs: Any) -> fields.String:
    """A password as typed (never trimmed); its policy is the service's."""
    return fields.String(validate=validate.Length(min=1, max=200), **kwargs)


def EmailText(**kwargs: Any) -> Text:
    """An email address as typed into a sign-in or invitation form (looked up, not checked)."""
    return Text(min_length=1, max_length=254, **kwargs)


class TypedTwice:
    """Mixin: a new password (the field named by `typed_twice`) and `confirm` must match as
    typed, checked even when other fields fail."""

    typed_twice = "password"
    confirm = fields.String(required=True)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _same(self, _data: dict[str, Any], original: dict[str, Any], **_kwargs: Any) -> None:
        if original.get(self.typed_twice) != original.get("confirm"):
            raise ValidationError(NOT_THE_SAME, "confirm")


class TokenCreateSchema(Schema):
    """Name and optional expiry of a new token."""

    name = Text(required=True, min_length=1, max_length=80)
    expires_at = fields.AwareDateTime(load_default=None, allow_none=True)


class TokenFormSchema(Schema):
    """A new token as the account page asks for it: a name and a lifetime from a short list."""

    name = Text(required=True, min_length=1, max_length=80)
    expires_in_days = fields.String(
        load_default="90", validate=validate.OneOf(list(TOKEN_LIFETIMES))
    )


class LoginSchema(Schema):
    """Email and password."""

    email = EmailText(required=True)
    password = Password(required=True)


class ForgotPasswordSchema(Schema):
    """The email of the account to reset."""

    email = EmailText(required=True)


class NewPasswordSchema(TypedTwice, Schema):
    """A new password, typed twice."""

    password = Password(required=True)


class PasswordChangeSchema(TypedTwice, Schema):
    """The current password and a new one, typed twice."""

    typed_twice = "new_password"
    current_password = fields.String(required=True)
    new_password = Password(required=True)


class InviteSchema(Schema):
    """A new member's name and email."""

    name = Text(required=True, min_length=1, max_length=120)
    email = EmailText(required=True)


class RegistrationSchema(TypedTwice, PartnerCreateSchema):
    """An organisation registering itself: the partner schema's rules for the fields a newcomer
    may set, and its first member. Loads into {"organisation": ..., "member": ...}; the member's
    name and email are the organisation's contact."""

    class Meta:
        exclude = (
            "contact_name",
            "contact_email",
            "service_neighbourhoods",
            "service_area_geojson",
            "capabilities",
        )

    service_radius_km = fields.Float(
        required=True, validate=validate.Range(0.1, 100), allow_nan=False
    )
    member_name = Text(required=True, min_length=1, max_length=120)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = Password(required=True)

    @post_load
    def _split(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, dict[str, Any]]:
        member = {
            "name": data.pop("member_name"),
            "email": data.pop("email"),
            "password": data.pop("password"),
        }
        data.pop("confirm")
        organisation = {
            **data,
            "contact_name": member["name"],
            "contact_email": member["email"].lower(),
        }
        return {"organisation": organisation, "member": member}
