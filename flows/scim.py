"""SCIM 2.0 provisioning: what the service announces and how people and groups look in it.

The protocol (routing, validation, filters, PATCH, errors) is ``scim2-server``'s and the
resource models are ``scim2-models``'; this module says which attributes allhands keeps and
how rows look as resources (``flows.scim_storage`` reads and writes them). The published
schemas are the standard User and Group schemas cut down to those attributes, so a client
sees exactly what round-trips; anything else an identity provider sends (titles,
addresses, phone numbers) is accepted and ignored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache
from typing import Any

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    ETag,
    Filter,
    Group,
    Meta,
    Patch,
    Required,
    Resource,
    ResponseParameters,
    Schema,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    User,
)
from scim2_server.responses import ScimResponse
from scim2_server.service import ScimService

from core.models import Person, ScimGroup

MAX_RESULTS = 200
# Attributes allhands stores, per schema; sub-attributes after the dot.
USER_ATTRIBUTES = {
    "userName": None,
    "displayName": None,
    "active": None,
    # One address per person: "primary" and "type" are read from what providers send, not kept.
    "emails": {"value"},
}
# A person in allhands always has a name, an email address and a state, so a provider must
# send them (userName is required by RFC 7643 itself).
USER_REQUIRED = {"displayName", "active", "emails"}
GROUP_ATTRIBUTES = {"displayName": None, "members": {"value", "$ref", "type"}}


def _cut(schema: Schema, keep: dict[str, set[str] | None], required: set[str]) -> Schema:
    cut = schema.model_copy(deep=True)
    cut.attributes = [a for a in cut.attributes or [] if a.name in keep]
    for attribute in cut.attributes:
        if attribute.name in required:
            attribute.required = Required.true
            for sub in attribute.sub_attributes or []:
                if sub.name == "value":
                    sub.required = Required.true
        wanted = keep[str(attribute.name)]
        if wanted is not None:
            attribute.sub_attributes = [
                s for s in attribute.sub_attributes or [] if s.name in wanted
            ]
    return cut


@cache
def models() -> tuple[type[Resource[Any]], type[Resource[Any]]]:
    """The User and Group models of the attributes allhands keeps (built on first use)."""
    user = Resource.from_schema(_cut(User.to_schema(), USER_ATTRIBUTES, USER_REQUIRED))
    group = Resource.from_schema(_cut(Group.to_schema(), GROUP_ATTRIBUTES, set()))
    return user, group


class AllhandsScimService(ScimService):
    """scim2-server's service, answering PATCH with the whole resource.

    RFC 7644 lets a PATCH answer 204, but Okta reads the user from a 200 answer.
    """

    def patch_response(
        self,
        base_url: str,
        resource: Resource[Any],
        response_parameters: ResponseParameters[Any],
    ) -> ScimResponse:
        return self.resource_response(
            self.publish(base_url, resource),
            Context.RESOURCE_REPLACEMENT_RESPONSE,
            response_parameters,
        )


@cache
def service() -> ScimService:
    """The SCIM service: what it announces and how tolerant it is of real providers."""
    user, group = models()
    config = ServiceProviderConfig(
        documentation_uri="https://github.com/allhands/allhands#sign-in-and-provisioning",
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description="A token made with `allhands scim-token issue`.",
                primary=True,
            )
        ],
    )
    # Entra sends "remove" with a value and filters that match nothing yet; Okta and Entra
    # both send attributes allhands does not keep. Accept all of it, as they expect.
    policy = ScimPolicy(
        unknown=ScimPolicy.Unknown.ignore,
        remove_value_as_filter=ScimPolicy.RemoveValue.apply,
        unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
    )
    provider = ScimProvider(models=[user, group], config=config, policy=policy)
    return AllhandsScimService(provider)


def _version(*parts: object) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
    return f'W/"{digest}"'


def user_resource(person: Person) -> Resource[Any]:
    user_model, _group = models()
    resource = user_model.model_validate(
        {
            "id": str(person.id),
            "externalId": person.external_id,
            "userName": person.user_name or person.email,
            "displayName": person.name,
            "active": person.active,
            "emails": [{"value": person.email}],
        }
    )
    resource.meta = Meta(
        resource_type="User",
        created=person.created_at,
        last_modified=person.created_at,
        version=_version(person.email, person.user_name, person.name, person.active),
    )
    return resource


def group_resource(group: ScimGroup, members: Sequence[Person]) -> Resource[Any]:
    _user, group_model = models()
    resource = group_model.model_validate(
        {
            "id": str(group.id),
            "externalId": group.external_id,
            "displayName": group.display_name,
            "members": [
                {"value": str(p.id), "$ref": f"Users/{p.id}", "type": "User"} for p in members
            ],
        }
    )
    resource.meta = Meta(
        resource_type="Group",
        created=group.created_at,
        last_modified=group.updated_at,
        version=f'W/"{group.version}"',
    )
    return resource
