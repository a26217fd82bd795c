"""The SCIM storage of allhands: Users are people, Groups are groups, over the request's
session. Nothing commits here: the request's unit of work does, or rolls everything back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from typing import Any

from scim2_models import (
    InvalidValueException,
    NotFoundException,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimFilter,
    SearchRequest,
    UniquenessException,
)
from scim2_server.storage import ScimStorage, SearchPage
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import Conflict, Invalid, NotFound
from core.models import Person, ScimGroup
from core.settings import Settings
from flows import provisioning
from flows.scim import MAX_RESULTS, group_resource, models, user_resource


@contextmanager
def scim_errors() -> Iterator[None]:
    """Domain refusals as the SCIM errors a provider understands."""
    try:
        yield
    except Conflict as exc:
        raise UniquenessException(detail=exc.detail) from exc
    except Invalid as exc:
        raise InvalidValueException(detail=exc.detail) from exc
    except NotFound as exc:
        raise NotFoundException(detail=exc.detail) from exc


def _id(resource_id: str | None) -> int:
    if resource_id is None or not resource_id.isascii() or not resource_id.isdigit():
        raise NotFoundException(detail=f"no resource {resource_id}")
    value = int(resource_id)
    if not 0 < value < 2**31:
        raise NotFoundException(detail=f"no resource {resource_id}")
    return value


def _member_id(value: str) -> int:
    try:
        return _id(value)
    except NotFoundException as exc:
        raise InvalidValueException(detail=f"no such user: {value[:100]}") from exc


def _person_fields(resource: Resource[Any]) -> provisioning.PersonFields:
    data: Any = resource
    emails = [e for e in data.emails or [] if e.value]
    primary = next((e for e in emails if _said_primary(e)), emails[0] if emails else None)
    user_name = str(data.user_name or "").strip()
    email = str(primary.value) if primary is not None and primary.value else user_name
    name = str(data.display_name or "").strip() or _name_from_parts(resource) or user_name
    return provisioning.PersonFields(
        email=email,
        user_name=user_name,
        name=name,
        external_id=data.external_id,
        active=data.active is not False,
    )


def _said_primary(email: Any) -> bool:
    unknown = getattr(email, "unknown_attributes", None) or {}
    return isinstance(unknown, dict) and unknown.get("primary") in (True, "true", "True")


def _name_from_parts(resource: Resource[Any]) -> str:
    # Okta sends name.givenName/familyName and often no displayName; allhands keeps one name.
    unknown = getattr(resource, "unknown_attributes", None) or {}
    name = unknown.get("name") if isinstance(unknown, dict) else None
    if not isinstance(name, dict):
        return ""
    if name.get("formatted"):
        return str(name["formatted"]).strip()
    return " ".join(str(name.get(k) or "") for k in ("givenName", "familyName")).strip()


class PeopleStorage(ScimStorage):
    """SCIM resources over the request's session."""

    def __init__(self, session: Session, *, settings: Settings, now: datetime, note: str) -> None:
        self.session = session
        self.settings = settings
        self.now = now
        self.note = note
        # Invitation emails to send once the request has committed.
        self.message_ids: list[int] = []

    def operation(self) -> AbstractContextManager[None]:
        return nullcontext()

    def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> Resource[Any]:
        if resource_type.name == "User":
            return user_resource(self._person(resource_id))
        group = self._group(resource_id)
        members = provisioning.group_members(self.session, group_ids=[group.id])
        return group_resource(group, members[group.id])

    def _person(self, resource_id: str | None) -> Person:
        try:
            return provisioning.provisioned_person(self.session, _id(resource_id))
        except NotFound as exc:
            raise NotFoundException(detail=exc.detail) from exc

    def _group(self, resource_id: str | None) -> ScimGroup:
        group = self.session.get(ScimGroup, _id(resource_id))
        if group is None:
            raise NotFoundException(detail=f"no group {resource_id}")
        return group

    def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        start = search_request.start_index_0 or 0
        count = MAX_RESULTS if search_request.count is None else search_request.count
        if search_request.filter is None and [rt.name for rt in resource_types] == ["User"]:
            return self._user_page(start=start, count=count)
        found: list[Resource[Any]] = []
        for resource_type in resource_types:
            found.extend(self._matching(resource_type, search_request.filter))
        return SearchPage(total=len(found), resources=found[start : start + count])

    def _user_page(self, *, start: int, count: int) -> SearchPage:
        """Every user, one page at a time from the database (providers import this way)."""
        visible = select(Person).where(Person.deprovisioned_at.is_(None))
        total = self.session.scalar(select(func.count()).select_from(visible.subquery())) or 0
        rows = self.session.scalars(visible.order_by(Person.id).offset(start).limit(count))
        return SearchPage(total=total, resources=[user_resource(p) for p in rows])

    def _matching(
        self, resource_type: ResourceType, scim_filter: ScimFilter[Any] | None
    ) -> list[Resource[Any]]:
        user_model, group_model = models()
        if resource_type.name == "User":
            query = select(Person).where(Person.deprovisioned_at.is_(None)).order_by(Person.id)
            query = _narrow_people(query, scim_filter)
            resources = [user_resource(p) for p in self.session.scalars(query)]
            model = user_model
        else:
            groups = list(self.session.scalars(select(ScimGroup).order_by(ScimGroup.id)))
            members = provisioning.group_members(self.session, group_ids=[g.id for g in groups])
            resources = [group_resource(g, members[g.id]) for g in groups]
            model = group_model
        if scim_filter is None:
            return resources
        bound = ScimFilter[model](str(scim_filter))  # type: ignore[valid-type]
        return [r for r in resources if bound.match(r)]

    def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        with scim_errors():
            if resource_type.name == "User":
                person, message_ids = provisioning.provision(
                    self.session,
                    fields=_person_fields(resource),
                    settings=self.settings,
                    now=self.now,
                    note=self.note,
                )
                self.message_ids.extend(message_ids)
                return user_resource(person)
            group = self._save_group(None, resource)
        return self.get(resource_type, str(group.id))

    def _save_group(self, group: ScimGroup | None, resource: Resource[Any]) -> ScimGroup:
        data: Any = resource
        member_ids = [_member_id(str(m.value)) for m in data.members or [] if m.value is not None]
        return provisioning.save_group(
            self.session,
            group=group,
            display_name=str(data.display_name or ""),
            external_id=data.external_id,
            member_ids=member_ids,
            now=self.now,
            note=self.note,
        )

    def update(
        self,
        resource_type: ResourceType,
        resource: Resource[Any],
        *,
        expected_version: str | None = None,
    ) -> Resource[Any]:
        with scim_errors():
            if resource_type.name == "User":
                person = self._person(resource.id)
                provisioning.change(
                    self.session,
                    person=person,
                    fields=_person_fields(resource),
                    now=self.now,
                    note=self.note,
                )
                return user_resource(person)
            self._save_group(self._group(resource.id), resource)
        return self.get(resource_type, str(resource.id))

    def delete(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        expected_version: str | None = None,
    ) -> None:
        if resource_type.name == "User":
            person = self._person(resource_id)
            provisioning.deprovision(self.session, person=person, now=self.now, note=self.note)
            return
        provisioning.delete_group(
            self.session, group=self._group(resource_id), now=self.now, note=self.note
        )


def _narrow_people(query: Any, scim_filter: ScimFilter[Any] | None) -> Any:
    """Let the database pick the candidates of the filters providers send most, such as
    ``userName eq "ana@example.com"``; every candidate is still matched against the filter."""
    if scim_filter is None:
        return query
    text = str(scim_filter).strip()
    head, _, value = text.partition(" eq ")
    if not value.startswith('"') or not value.endswith('"') or " " in head:
        return query
    literal = value[1:-1].lower()
    if '"' in literal or "\\" in literal:
        return query
    attribute = head.lower()
    if attribute == "username":
        return query.where(
            (func.lower(Person.user_name) == literal)
            | (Person.user_name.is_(None) & (Person.email == literal))
        )
    if attribute == "emails.value":
        return query.where(Person.email == literal)
    return query
