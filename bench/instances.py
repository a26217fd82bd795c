"""Two `allhands serve` instances on one PostgreSQL, editing the same rows at the same time.

    python -m bench.instances            # short form: 40 rounds
    python -m bench.instances --full     # 400 rounds

Each round sends two PATCHes of one person at the same moment, one to each instance, each
changing a different field. Neither change may be lost: after every round the person shows
both, and every acknowledged change has its audit event. Then both instances PATCH one
rotation carrying the same ``version``: one wins, the other gets 409, and the winner's edit
is what the rotation holds. Last, one shift is offered to two people who accept at the same
moment through different instances: exactly one accept succeeds and they hold the shift.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from sqlalchemy import func, select, text

from bench.harness import Server, private_postgres, run_async, seed, serve
from core.db import make_engine
from core.models import AuditEvent
from core.settings import normalise_database_url


@dataclass
class InstancesReport:
    rounds: int
    acknowledged: int
    lost_updates: list[str]
    audited: int
    statuses: dict[str, int]
    rotation_rounds: int = 0
    rotation_outcomes: dict[str, int] = field(default_factory=dict)  # "200+409": count
    rotation_lost: list[str] = field(default_factory=list)
    swap_rounds: int = 0
    swap_outcomes: dict[str, int] = field(default_factory=dict)
    swap_wrong: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.rounds} rounds of simultaneous edits through two instances: "
            f"{self.acknowledged} acknowledged, {len(self.lost_updates)} lost updates, "
            f"{self.audited} audit events; statuses {self.statuses}; "
            f"{self.rotation_rounds} rounds of same-version rotation edits: "
            f"{self.rotation_outcomes}, {len(self.rotation_lost)} lost; "
            f"{self.swap_rounds} rounds of two counterparts accepting one shift: "
            f"{self.swap_outcomes}, {len(self.swap_wrong)} wrong"
        )

    def problems(self) -> list[str]:
        found = list(self.lost_updates[:5]) + self.rotation_lost[:5] + self.swap_wrong[:5]
        if self.audited != self.acknowledged:
            found.append(f"{self.acknowledged} acknowledged edits but {self.audited} audit events")
        if set(self.statuses) - {"200"}:
            found.append(f"unexpected statuses {self.statuses}")
        if set(self.rotation_outcomes) - {"200+409"}:
            found.append(f"same-version rotation edits: {self.rotation_outcomes}")
        if set(self.swap_outcomes) - {"200+409"}:
            found.append(f"two counterparts accepting one shift: {self.swap_outcomes}")
        return found


async def _rotation_rounds(
    first: Server, second: Server, *, token: str, rounds: int
) -> tuple[dict[str, int], list[str]]:
    """Both instances PATCH one rotation carrying the same version: one wins, one gets 409."""
    headers = {"Authorization": f"Bearer {token}"}
    outcomes: dict[str, int] = {}
    lost: list[str] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as client:
        body = {"name": "Race desk", "timezone": "UTC", "start_date": "2026-01-05"}
        async with client.post(first.url + "/api/v1/rotations", json=body, headers=headers) as r:
            assert r.status == 201, await r.text()
            slug = (await r.json())["slug"]
        path = f"/api/v1/rotations/{slug}"
        for n in range(rounds):
            async with client.get(first.url + path, headers=headers) as r:
                version = (await r.json())["version"]

            async def patch(server: Server, text: str, version: int = version) -> tuple[int, str]:
                body = {"version": version, "description": text}
                async with client.patch(server.url + path, json=body, headers=headers) as r:
                    await r.read()
                    return r.status, text

            answers = await asyncio.gather(patch(first, f"a{n}"), patch(second, f"b{n}"))
            key = "+".join(sorted(str(status) for status, _text in answers))
            outcomes[key] = outcomes.get(key, 0) + 1
            async with client.get(second.url + path, headers=headers) as r:
                description = (await r.json())["description"]
            winners = [text for status, text in answers if status == 200]
            if winners and description != winners[-1]:
                lost.append(f"rotation round {n}: {winners} acknowledged, {description!r} kept")
    return outcomes, lost


async def _swap_rounds(
    first: Server, second: Server, *, admin: str, tokens: list[str], ids: list[int], rounds: int
) -> tuple[dict[str, int], list[str]]:
    """One shift offered to two people; both accept at once through different instances."""
    outcomes: dict[str, int] = {}
    wrong: list[str] = []
    owner, b, c = ids[:3]

    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as client:
        body = {"name": "Swap desk", "timezone": "UTC", "start_date": "2026-01-05"}
        async with client.post(
            first.url + "/api/v1/rotations", json=body, headers=auth(admin)
        ) as r:
            assert r.status == 201, await r.text()
            slug = (await r.json())["slug"]
        async with client.put(
            f"{first.url}/api/v1/rotations/{slug}/members",
            json={"person_ids": [owner, b, c]},
            headers=auth(admin),
        ) as r:
            assert r.status == 200, await r.text()
        async with client.get(
            f"{first.url}/api/v1/rotations/{slug}/shifts",
            params={"start": "2027-01-01", "end": "2027-12-31"},
            headers=auth(admin),
        ) as r:
            shifts = [s for s in await r.json() if s["person"] and s["person"]["id"] == owner]
        for n, shift in enumerate(shifts[:rounds]):
            swap_ids = []
            for counterpart in (b, c):
                async with client.post(
                    first.url + "/api/v1/swaps",
                    json={"shift_id": shift["id"], "counterpart_person_id": counterpart},
                    headers=auth(tokens[0]),
                ) as r:
                    if r.status != 201:
                        wrong.append(f"swap round {n}: request {r.status} {await r.text()}")
                        break
                    swap_ids.append((await r.json())["id"])
            if len(swap_ids) != 2:
                continue

            async def accept(server: Server, swap_id: int, token: str) -> int:
                url = f"{server.url}/api/v1/swaps/{swap_id}/accept"
                async with client.post(url, headers=auth(token)) as r:
                    await r.read()
                    return r.status

            answers = await asyncio.gather(
                accept(first, swap_ids[0], tokens[1]), accept(second, swap_ids[1], tokens[2])
            )
            key = "+".join(sorted(str(a) for a in answers))
            outcomes[key] = outcomes.get(key, 0) + 1
            async with client.get(
                f"{second.url}/api/v1/shifts/{shift['id']}", headers=auth(admin)
            ) as r:
                holder = (await r.json())["person"]["id"]
            winner = [b, c][answers.index(200)] if answers.count(200) == 1 else None
            if winner is not None and holder != winner:
                wrong.append(f"swap round {n}: accepted by {winner}, shift held by {holder}")
    return outcomes, wrong


async def _rounds(
    first: Server, second: Server, *, token: str, person_id: int, rounds: int
) -> tuple[int, list[str], dict[str, int]]:
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/people/{person_id}"
    lost: list[str] = []
    statuses: dict[str, int] = {}
    acknowledged = 0
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as client:

        async def patch(server: Server, body: dict[str, str]) -> int:
            async with client.patch(server.url + path, json=body, headers=headers) as response:
                await response.read()
                return response.status

        for n in range(rounds):
            name, team = f"Name {n}", f"team-{n}"
            answers = await asyncio.gather(
                patch(first, {"name": name}), patch(second, {"team": team})
            )
            for status in answers:
                statuses[str(status)] = statuses.get(str(status), 0) + 1
            acknowledged += sum(1 for status in answers if status == 200)
            async with client.get(first.url + path, headers=headers) as response:
                person = await response.json()
            if (person["name"], person["team"]) != (name, team):
                lost.append(
                    f"round {n}: expected {(name, team)}, found {(person['name'], person['team'])}"
                )
    return acknowledged, lost, statuses


def run(*, rounds: int, workdir: Path) -> InstancesReport:
    with private_postgres() as cluster:
        admin = make_engine(normalise_database_url(cluster.url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE allhands"))
        admin.dispose()
        url = cluster.url.rsplit("/", 1)[0] + "/allhands"
        org = seed(url, members=3, logins=0, rotation=False)
        person_id = org.member_ids[0]
        with (
            serve(url, workers=1, workdir=workdir / "a") as first,
            serve(url, workers=1, workdir=workdir / "b") as second,
        ):
            acknowledged, lost, statuses = run_async(
                _rounds(first, second, token=org.admin_token, person_id=person_id, rounds=rounds)
            )
            rotation_outcomes, rotation_lost = run_async(
                _rotation_rounds(first, second, token=org.admin_token, rounds=rounds)
            )
            swap_outcomes, swap_wrong = run_async(
                _swap_rounds(
                    first,
                    second,
                    admin=org.admin_token,
                    tokens=org.member_tokens,
                    ids=org.member_ids,
                    rounds=max(1, rounds // 4),
                )
            )
        engine = make_engine(normalise_database_url(url))
        with engine.connect() as conn:
            audited = conn.execute(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.action == "person.update", AuditEvent.subject_id == str(person_id)
                )
            ).scalar_one()
        engine.dispose()
    return InstancesReport(
        rounds=rounds,
        acknowledged=acknowledged,
        lost_updates=lost,
        audited=audited,
        statuses=statuses,
        rotation_rounds=sum(rotation_outcomes.values()),
        rotation_outcomes=rotation_outcomes,
        rotation_lost=rotation_lost,
        swap_rounds=sum(swap_outcomes.values()),
        swap_outcomes=swap_outcomes,
        swap_wrong=swap_wrong,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instances", description=__doc__)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="allhands-instances-") as tmp:
        report = run(rounds=400 if args.full else 40, workdir=Path(tmp))
    print(report.line())
    problems = report.problems()
    if problems:
        print("PROBLEMS:\n  " + "\n  ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
