"""Card sets through forms: list, create, rename, and the ordered cards without JavaScript."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import FixedClock
from core.models import AuditEvent
from onboarding import card_sets
from onboarding.models import CardSet
from tests.factories import make_card, make_card_set, make_requirement, make_rotation
from tests.querycount import count_statements
from tests.web.onboarding_world import ESCAPED, EVIL, World, log_in, post, section, state


@pytest.fixture
def world(session: Session, clock: FixedClock) -> World:
    return World(session, clock.now())


def card_ids(session: Session, card_set: CardSet) -> list[int]:
    session.expire_all()
    return card_sets.view(session, card_set=card_set).card_ids


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_list_shows_each_sets_cards_and_the_rotations_requiring_it(
    client: TestClient, session: Session, world: World
) -> None:
    unused = make_card_set(session, cards=[], name="Drafts")
    log_in(client, world.mia)
    page = client.get("/card-sets")
    assert page.status_code == 200
    entry = section(page.text, f"card-set-{world.card_set.id}")
    assert "Tier-2 essentials" in entry and "3 cards" in entry
    assert '<a href="/rotations/tier2">Tier two</a>' in entry
    assert entry.index("Escalating a ticket") < entry.index("Refund policy")
    assert "no rotation requires it yet" in section(page.text, f"card-set-{unused.id}")
    assert 'for="new-set-name"' in page.text


def test_members_can_neither_see_nor_change_card_sets(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.ana)
    before = state(session)
    set_id = world.card_set.id
    card_id = world.cards[0].id
    assert client.get("/card-sets").status_code == 403
    assert client.get(f"/card-sets/{set_id}").status_code == 403
    for path, form in (
        ("/card-sets", {"name": "Mine"}),
        (f"/card-sets/{set_id}", {"name": "Renamed"}),
        (f"/card-sets/{set_id}/cards", {"card_id": str(card_id)}),
        (f"/card-sets/{set_id}/cards/{card_id}/move", {"direction": "down"}),
        (f"/card-sets/{set_id}/cards/{card_id}/remove", {}),
    ):
        response = post(client, path, form)
        assert response.status_code == 403, path
        assert "text/html" in response.headers["content-type"]
    assert state(session) == before


def test_creating_a_set_with_field_errors_then_for_real(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.mia)
    before = state(session)

    empty = post(client, "/card-sets", {"name": "  ", "description": "Kept <b>text</b>"})
    assert empty.status_code == 422
    assert 'id="new-set-name-error">Give the card set a name.' in empty.text
    assert "Kept &lt;b&gt;text&lt;/b&gt;</textarea>" in empty.text
    taken = post(client, "/card-sets", {"name": "Tier-2 essentials"})
    assert taken.status_code == 409
    assert "already exists" in html.unescape(taken.text)
    assert 'value="Tier-2 essentials"' in taken.text
    too_long = post(client, "/card-sets", {"name": "x" * 201})
    assert too_long.status_code == 422 and "Keep it to 200 characters." in too_long.text
    assert state(session) == before

    created = post(client, "/card-sets", {"name": "Billing basics", "description": "Money"})
    assert created.status_code == 303
    card_set = session.scalars(select(CardSet).where(CardSet.name == "Billing basics")).one()
    assert created.headers["location"] == f"/card-sets/{card_set.id}"
    assert card_set.description == "Money"
    assert "card_set.create" in audit_actions(session)
    editor = client.get(created.headers["location"]).text
    assert "Created the card set “Billing basics”. Add its cards below." in html.unescape(editor)
    assert "No cards yet" in editor


def test_cards_are_added_moved_and_removed_one_step_at_a_time(
    client: TestClient, session: Session, world: World
) -> None:
    escalating, refund, issues = world.cards
    extra = make_card(session, title="Status page")
    make_card(session, title="Retired page", archived=True)
    log_in(client, world.mia)
    editor = client.get(f"/card-sets/{world.card_set.id}").text
    assert "Required by" in editor and "Tier two" in editor
    assert f'<option value="{extra.id}">Status page</option>' in editor
    assert "Retired page" not in editor  # archived cards cannot be added
    assert f'<option value="{refund.id}">' not in editor  # already in the set
    first = section(editor, f"item-{escalating.id}")
    assert "Move up" not in first and "Move down" in first and "Remove" in first
    last = section(editor, f"item-{issues.id}")
    assert "Move down" not in last and "Move up" in last

    added = post(client, f"/card-sets/{world.card_set.id}/cards", {"card_id": str(extra.id)})
    assert added.status_code == 303
    assert card_ids(session, world.card_set) == [escalating.id, refund.id, issues.id, extra.id]
    up = post(client, f"/card-sets/{world.card_set.id}/cards/{extra.id}/move", {"direction": "up"})
    assert up.status_code == 303 and up.headers["location"].endswith(f"#item-{extra.id}")
    assert card_ids(session, world.card_set) == [escalating.id, refund.id, extra.id, issues.id]
    post(
        client, f"/card-sets/{world.card_set.id}/cards/{escalating.id}/move", {"direction": "down"}
    )
    assert card_ids(session, world.card_set) == [refund.id, escalating.id, extra.id, issues.id]
    removed = post(client, f"/card-sets/{world.card_set.id}/cards/{refund.id}/remove")
    assert removed.status_code == 303
    assert card_ids(session, world.card_set) == [escalating.id, extra.id, issues.id]
    page = html.unescape(client.get(f"/card-sets/{world.card_set.id}").text)
    assert "Removed “Refund policy” from “Tier-2 essentials”." in page
    assert audit_actions(session).count("card_set.update") == 4


def test_a_move_past_either_end_changes_nothing(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.mia)
    before = state(session)
    first = world.cards[0]
    response = post(
        client, f"/card-sets/{world.card_set.id}/cards/{first.id}/move", {"direction": "up"}
    )
    assert response.status_code == 303
    assert state(session) == before
    assert "is already at the top" in client.get(f"/card-sets/{world.card_set.id}").text


@pytest.mark.parametrize(
    ("path", "form", "code", "message"),
    [
        ("cards", {"card_id": ""}, 422, "Choose a card to add."),
        ("cards", {"card_id": "{refund}"}, 422, "That card is already in this set."),
        ("cards", {"card_id": "{archived}"}, 422, "Archived cards cannot be added"),
        ("cards", {"card_id": "999999"}, 422, "Unknown card ids: 999999."),
        ("cards", {"card_id": "²"}, 422, "Choose a card to add."),
        ("cards/{outside}/move", {"direction": "up"}, 404, "That card is not in this set."),
        ("cards/{refund}/move", {"direction": "sideways"}, 422, "Move a card either up or down."),
        ("cards/{outside}/remove", {}, 404, "That card is not in this set."),
    ],
)
def test_bad_card_edits_are_refused_and_change_nothing(
    client: TestClient,
    session: Session,
    world: World,
    path: str,
    form: dict[str, str],
    code: int,
    message: str,
) -> None:
    ids = {
        "refund": world.cards[1].id,
        "archived": make_card(session, archived=True).id,
        "outside": make_card(session).id,
    }
    log_in(client, world.mia)
    before = state(session)
    response = post(
        client,
        f"/card-sets/{world.card_set.id}/" + path.format(**ids),
        {key: value.format(**ids) for key, value in form.items()},
    )
    assert response.status_code == code
    assert "text/html" in response.headers["content-type"]
    assert message in html.unescape(response.text)
    assert state(session) == before


def test_renaming_keeps_the_input_on_errors(
    client: TestClient, session: Session, world: World
) -> None:
    other = make_card_set(session, cards=[], name="Founders' reading")
    log_in(client, world.mia)
    before = state(session)
    clash = post(
        client, f"/card-sets/{world.card_set.id}", {"name": other.name, "description": "New words"}
    )
    assert clash.status_code == 409
    assert 'aria-invalid="true"' in clash.text and "New words</textarea>" in clash.text
    assert state(session) == before

    saved = post(
        client,
        f"/card-sets/{world.card_set.id}",
        {"name": "Tier-2 basics", "description": "Read before a tier-2 week."},
    )
    assert saved.status_code == 303
    session.expire_all()
    renamed = session.get(CardSet, world.card_set.id)
    assert renamed is not None
    assert (renamed.name, renamed.description) == ("Tier-2 basics", "Read before a tier-2 week.")


def test_unknown_card_sets_are_404_pages(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.ada)
    for card_set_id in (999999, 2**40):
        response = client.get(f"/card-sets/{card_set_id}")
        assert response.status_code == 404
        assert "There is no such card set." in response.text
    assert post(client, "/card-sets/999999", {"name": "x"}).status_code == 404


def test_names_and_titles_are_escaped(client: TestClient, session: Session, world: World) -> None:
    world.card_set.name = EVIL
    world.card_set.description = EVIL
    world.cards[0].title = EVIL
    world.tier2.name = EVIL
    make_card(session, title=EVIL).collection = EVIL
    session.flush()
    log_in(client, world.mia)
    for path in ("/card-sets", f"/card-sets/{world.card_set.id}"):
        page = client.get(path)
        assert page.status_code == 200
        assert EVIL not in page.text
        assert ESCAPED in page.text


def test_the_list_runs_a_fixed_number_of_queries(
    client: TestClient, session: Session, world: World
) -> None:
    log_in(client, world.mia)

    def statements_for(extra: int) -> int:
        for _ in range(extra):
            cards = [make_card(session) for _ in range(3)]
            card_set = make_card_set(session, cards=cards)
            make_requirement(session, rotation=make_rotation(session), card_set=card_set)
        session.flush()
        with count_statements(session) as log:
            assert client.get("/card-sets").status_code == 200
        with count_statements(session) as edit_log:
            assert client.get(f"/card-sets/{world.card_set.id}").status_code == 200
        return len(log) + 1000 * len(edit_log)

    assert statements_for(1) == statements_for(8)
