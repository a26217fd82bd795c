"""Which rotations require which card sets."""

from __future__ import annotations

from sqlalchemy.orm import Session

from onboarding import requirements
from tests.factories import make_card, make_card_set, make_requirement, make_rotation
from tests.querycount import count_statements


def test_rotations_requiring_each_card_set_by_name_leaving_out_archived_rotations(
    session: Session,
) -> None:
    card = make_card(session)
    shared = make_card_set(session, cards=[card])
    own = make_card_set(session, cards=[card])
    unused = make_card_set(session, cards=[card])
    tier2 = make_rotation(session, name="Tier two")
    founders = make_rotation(session, name="Founders day")
    retired = make_rotation(session, name="Retired", archived=True)
    for rotation in (tier2, founders, retired):
        make_requirement(session, rotation=rotation, card_set=shared)
    make_requirement(session, rotation=tier2, card_set=own)

    with count_statements(session) as statements:
        result = requirements.rotations_requiring(session)

    assert len(statements) == 1
    assert [r.name for r in result[shared.id]] == ["Founders day", "Tier two"]
    assert [r.name for r in result[own.id]] == ["Tier two"]
    assert unused.id not in result
