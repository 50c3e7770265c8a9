"""The signed-in user and their API tokens."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields

from accounts import services
from accounts.schemas import TokenCreateSchema
from api.auth import current_actor
from api.blueprint import token_blueprint

blp = token_blueprint("me", __name__, "The caller's own account and API tokens.")


class MeSchema(Schema):
    """The caller."""

    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    partner_id = fields.Integer(allow_none=True)


class TokenSchema(Schema):
    """A token's metadata; the secret itself is never returned after creation."""

    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    """A token just created: `token` is shown this once."""

    token = fields.String()


@blp.route("")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        """Who the token belongs to."""
        return g.user


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenSchema(many=True))
    def get(self):
        """The caller's tokens."""
        return services.list_api_tokens(current_actor())

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, NewTokenSchema)
    def post(self, data):
        """Create a token; the response holds its secret, shown only this once."""
        token, raw = services.create_api_token(current_actor(), **data)
        # The response schema dumps this once; pre-dumped strings broke its DateTime fields.
        fields_ = TokenSchema().fields
        return {**{name: getattr(token, name) for name in fields_}, "token": raw}


@blp.route("/tokens/<id:token_id>")
class TokenItem(MethodView):
    @blp.response(200, TokenSchema)
    @blp.errors(404)
    def delete(self, token_id):
        """Revoke one of the caller's tokens."""
        return services.revoke_api_token(current_actor(), token_id)
