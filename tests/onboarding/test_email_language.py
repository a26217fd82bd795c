"""Every kind of email is written in its reader's language: English for people who never
chose one, Dutch for people who chose ``nl``, with dates in Dutch ("ma 7 dec") and plural
forms right for one and for several cards. The Dutch ones go through a real SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from core.models import Person
from flows import invitations
from kb_links.models import CardFlag
from onboarding import at_risk, card_flags, cover_reading, graduation, messages
from onboarding.delivery import EmailTransport, Outgoing, parse_smtp_url
from onboarding.models import OutboxMessage
from onboarding.reminders import Kind, Reminder
from rotation.models import Rotation, RotationMember
from tests.onboarding.servers import smtp_server
from tests.onboarding.test_at_risk import BASE_URL, DUE, World, _world

Texts = dict[str, messages.Text]
# The holder's shift starts Mon 7 Dec 2026 09:00 UTC, 10:00 in Amsterdam.
DUTCH_START = "ma 7 dec 2026, 10:00 (Europe/Amsterdam)"
ENGLISH_START = "Mon 07 Dec 2026, 10:00 CET"


def _speaking(w: World, locale: str | None) -> None:
    for person in (w.holder, w.mia, w.ana, w.bo):
        person.locale = locale
        person.timezone = "Europe/Amsterdam"


def _recipient(person: Person) -> messages.Recipient:
    return messages.Recipient(
        person.id, person.name, person.email, person.timezone, person.locale or "en"
    )


def _reminders(w: World) -> Texts:
    shift = messages.ShiftInfo(w.shift.id, "Tier 2", w.shift.start, w.shift.end)
    cards = [messages.CardInfo(c.id, c.title, c.url, c.version) for c in w.cards[1:]]
    texts: Texts = {}
    for kind in (Kind.ASSIGN, Kind.DUE_SOON, Kind.OVERDUE, Kind.OVERDUE_MANAGER, Kind.STALE):
        to = w.mia if kind is Kind.OVERDUE_MANAGER else w.holder
        reminder = Reminder(
            key=kind.value, kind=kind, recipient_id=to.id, shift_id=w.shift.id,
            person_id=w.holder.id, card_ids=tuple(c.id for c in w.cards[1:]), due_at=DUE,
        )  # fmt: skip
        texts[kind.value] = messages.render(
            reminder, recipient=_recipient(to), reader=_recipient(w.holder),
            shift=shift, cards=cards, base_url=BASE_URL,
        )  # fmt: skip
    parts = [texts["assign"], texts["due-soon"], texts["overdue"]]
    texts["digest"] = messages.digest(
        parts, recipient_name=w.holder.name, locale=w.holder.locale or "en"
    )
    return texts


def _at_risk(session: Session, w: World) -> Texts:
    texts: Texts = {}
    for stage, now in (("behind", DUE - timedelta(minutes=20)), ("overdue", DUE + timedelta(1))):
        for notice in at_risk.notices(session, now=now, base_url=BASE_URL):
            whom = "own" if notice.recipient.id == w.holder.id else "manager"
            texts[f"at-risk-{stage}-{whom}"] = notice.text
    return texts


def _queued(session: Session, kind: str) -> messages.Text:
    row = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).one()
    return messages.Text(row.subject, row.body)


def _others(session: Session, w: World) -> Texts:
    now = DUE - timedelta(days=1)
    (item,) = at_risk.at_risk_shifts(session, now=DUE - timedelta(minutes=20))
    cover = cover_reading._message(
        item.shift, item.readiness, due=DUE, base_url=BASE_URL, cards={c.id: c for c in w.cards}
    )
    flag = CardFlag(id=1, card_id=w.cards[1].id, comment="Step 3 is gone.")
    flagged = card_flags._flag_email(
        w.cards[1], flag, author=w.ana, verifier=w.holder, base_url=BASE_URL
    )
    reread = card_flags._reread_email(
        w.cards[1], item.shift, w.holder, note="Step 3 moved.", base_url=BASE_URL
    )
    member = session.scalars(
        select(RotationMember)
        .where(RotationMember.person_id == w.holder.id)
        .options(joinedload(RotationMember.person))
    ).one()
    graduation._tell(
        session, rotation=item.shift.rotation, member=member, now=now, base_url=BASE_URL
    )
    expires = datetime(2026, 12, 7, 9, tzinfo=UTC)
    invited = invitations._invitation_text(
        w.holder, url=f"{BASE_URL}/invite/x", expires_at=expires, actor=w.mia
    )
    reset = invitations._reset_text(w.holder, url=f"{BASE_URL}/reset/x", expires_at=expires)
    return {
        "cover-reading": messages.Text(cover.subject, cover.body),
        "card-flag": messages.Text(flagged.subject, flagged.body),
        "reread": messages.Text(reread.subject, reread.body),
        "graduation": _queued(session, graduation.GRADUATION_KIND),
        "invitation": messages.Text(*invited),
        "password-reset": messages.Text(*reset),
    }


def every_email(session: Session, *, locale: str | None) -> Texts:
    w = _world(session)
    session.get_one(Rotation, w.shift.rotation_id).name = "Tier 2"
    _speaking(w, locale)
    session.flush()
    return {**_reminders(w), **_at_risk(session, w), **_others(session, w)}


KINDS = {
    "assign", "due-soon", "overdue", "overdue-manager", "stale", "digest",
    "at-risk-behind-own", "at-risk-behind-manager", "at-risk-overdue-own",
    "at-risk-overdue-manager", "cover-reading", "card-flag", "reread", "graduation", "invitation",
    "password-reset",
}  # fmt: skip
# Words only the Dutch texts use, per kind (besides the greeting).
DUTCH = {
    "assign": ["Leeswerk voor je dienst bij", "Lees deze kaarten"],
    "due-soon": ["Herinnering: leeswerk", "Nog niet gelezen:"],
    "overdue": ["Te laat: leeswerk", "Je managers weten ervan"],
    "overdue-manager": ["heeft het leeswerk voor", "nog niet gelezen:"],
    "stale": ["Wil je", "verplicht leeswerk voor een rooster"],
    "digest": ["allhands: 3 herinneringen", "1. Leeswerk voor je dienst"],
    "at-risk-behind-own": ["Loopt gevaar: je dienst", "2 resterende kaarten kunnen niet"],
    "at-risk-behind-manager": ["Loopt gevaar: dienst van Holder", "Het best voorbereid"],
    "at-risk-overdue-own": ["2 kaarten zijn nog niet gelezen", "Je checklist:"],
    "at-risk-overdue-manager": ["De dienst van Holder bij", "vraag of die wil invallen"],
    "cover-reading": ["die je hebt overgenomen", "versie 1"],
    "card-flag": ["is gemarkeerd door Ana", "Handel de markering af"],
    "reread": ["Opnieuw lezen: “Card 1” is gewijzigd", "Wat er veranderd is: Step 3 moved."],
    "graduation": ["Je draait nu mee in het rooster", "meeloopdiensten"],
    "invitation": ["Je uitnodiging voor allhands", "De link is geldig tot ma 7 dec 2026"],
    "password-reset": ["Iemand (hopelijk jij)", "De link is geldig tot ma 7 dec 2026"],
}
DATED = {"assign", "due-soon", "overdue", "overdue-manager", "at-risk-behind-own", "reread"}


def test_english_readers_get_english(session: Session) -> None:
    texts = every_email(session, locale=None)
    assert set(texts) == KINDS
    for kind, text in texts.items():
        assert "Hoi " not in text.body and " je " not in text.body, kind
    assert texts["assign"].subject == f"Reading for your Tier 2 shift on {ENGLISH_START}"
    assert texts["digest"].subject == "allhands: 3 reminders"
    assert "and 2 cards are still unread" in texts["at-risk-overdue-own"].body
    assert texts["graduation"].subject.startswith("You are now on the")


def test_dutch_readers_get_dutch_through_smtp(session: Session) -> None:
    texts = every_email(session, locale="nl")
    assert set(texts) == KINDS == set(DUTCH)
    with smtp_server() as mailbox:
        transport = EmailTransport(parse_smtp_url(mailbox.url()), sender="noreply@example.com")
        for kind, text in texts.items():
            transport.send(Outgoing(f"{kind}@example.com", "Holder", text.subject, text.body))
    received = {m["To"].split("@")[0]: m for m in mailbox.messages}
    assert set(received) == KINDS
    for kind, words in DUTCH.items():
        message = received[kind]
        whole = f"{message['Subject']}\n{message.get_content()}"
        for word in words:
            assert word in whole, (kind, word)
        assert "Hello" not in whole and "Reading for" not in whole, kind
        if kind != "graduation":
            assert message.get_content().startswith(("Hoi Holder,", "Hoi Mia,")), kind
        if kind in DATED:
            assert DUTCH_START in whole, kind


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "het leeswerk moest op {due} af zijn en 1 kaart is nog niet gelezen"),
        (3, "het leeswerk moest op {due} af zijn en 3 kaarten zijn nog niet gelezen"),
    ],
)
def test_dutch_plurals(count: int, expected: str) -> None:
    from core.i18n import ngettext

    due = "ma 7 dec 2026, 10:00 (Europe/Amsterdam)"
    text = ngettext(
        "nl",
        "the reading was due %(due)s and %(count)s card is still unread",
        "the reading was due %(due)s and %(count)s cards are still unread",
        count,
        due=due,
    )
    assert text == expected.format(due=due)
    digest = messages.digest(
        [messages.Text("a", "b")] * max(count, 2), recipient_name="Ana", locale="nl"
    )
    assert digest.subject == f"allhands: {max(count, 2)} herinneringen"
