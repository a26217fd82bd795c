"""Card input validation: URLs, sources, intervals — pure, no database."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from kb_links.fields import SOURCES, check_url
from kb_links.schemas import CardCreate, CardOut, CardUpdate


@pytest.mark.parametrize(
    "url",
    [
        "https://kb.example.com/cards/1",
        "http://intranet:8080/wiki/Page?x=1#top",
        "https://app.getguru.com/card/iR7p8aBT/How-to-escalate",
        "HTTPS://Example.com",
    ],
)
def test_http_and_https_urls_are_kept_exactly_as_written(url: str) -> None:
    assert check_url(url) == url
    assert CardCreate(title="t", url=url).url == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.com/a.pdf",
        "file:///etc/passwd",
        "mailto:help@example.com",
        "//example.com/no-scheme",
        "example.com/no-scheme",
        "https://",
        "https://exa mple.com/",
        "https://example.com/a\tb",
        "https://example.com/" + "a" * 2000,
        "",
    ],
)
def test_anything_but_an_absolute_http_url_is_refused(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CardCreate(title="t", url=url)
    assert caught.value.errors()[0]["loc"] == ("url",)


@given(
    scheme=st.text(alphabet=string.ascii_letters + "+-.", min_size=1, max_size=12).filter(
        lambda s: s[0].isalpha() and s.lower() not in ("http", "https")
    ),
    rest=st.text(alphabet=string.ascii_letters + string.digits + "/.:%()", max_size=30),
)
def test_no_other_scheme_gets_through(scheme: str, rest: str) -> None:
    with pytest.raises(ValueError, match="URL"):
        check_url(f"{scheme}:{rest}")


def test_sources_are_a_fixed_set_and_case_insensitive() -> None:
    assert CardCreate(title="t", url="https://a.example", source="Confluence").source == (
        "confluence"
    )
    for source in SOURCES:
        assert CardCreate(title="t", url="https://a.example", source=source).source == source
    with pytest.raises(ValidationError, match='unknown source "sharepoint"'):
        CardCreate(title="t", url="https://a.example", source="sharepoint")


def test_defaults_and_blank_optional_fields() -> None:
    card = CardCreate(title="  Refunds  ", url="https://a.example", external_id=" ", collection="")
    assert card.title == "Refunds"
    assert card.source == "link"
    assert card.verify_every_days == 90
    assert card.external_id is None
    assert card.collection is None


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_verify_interval_must_be_at_least_a_day(days: int) -> None:
    with pytest.raises(ValidationError):
        CardCreate(title="t", url="https://a.example", verify_every_days=days)
    with pytest.raises(ValidationError):
        CardUpdate(verify_every_days=days)


def test_update_knows_only_major_and_minor_and_no_unknown_fields() -> None:
    assert CardUpdate().change == "major"
    assert CardUpdate(change="minor").change == "minor"
    with pytest.raises(ValidationError):
        CardUpdate(change="cosmetic")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        CardUpdate(titel="typo")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        CardUpdate(url="javascript:alert(1)")


def test_a_card_out_needs_the_instant_its_verification_is_judged_at() -> None:
    verified = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    card = SimpleNamespace(
        id=1,
        title="Refunds",
        url="https://kb.example.com/refunds",
        source="link",
        external_id=None,
        collection=None,
        verifier_id=None,
        version=2,
        verify_every_days=30,
        last_verified_at=verified,
        verification_due_at=verified + timedelta(days=30),
        archived=False,
        source_version=None,
        changed_at=verified,
        created_at=verified,
        updated_at=verified,
    )

    with pytest.raises(ValidationError) as caught:
        CardOut.model_validate(card)
    [error] = caught.value.errors()
    assert "verification is derived" in error["msg"] and "context" in error["msg"]

    due = verified + timedelta(days=30)
    before_due = CardOut.model_validate(card, context={"now": due - timedelta(seconds=1)})
    at_due = CardOut.model_validate(card, context={"now": due})
    assert (before_due.verification, at_due.verification) == ("trusted", "stale")
    assert before_due.verification_due_at == due
