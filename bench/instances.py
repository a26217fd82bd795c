"""Two `allhands serve` instances on one PostgreSQL, editing the same rows at the same time.

    python -m bench.instances            # short form: 40 rounds
    python -m bench.instances --full     # 400 rounds

Each round sends two PATCHes of one person at the same moment, one to each instance, each
changing a different field. Neither change may be lost: after every round the person shows
both, and every acknowledged change has its audit event.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from sqlalchemy import func, select, text

from bench.harness import Server, private_postgres, seed, serve
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

    def line(self) -> str:
        return (
            f"{self.rounds} rounds of simultaneous edits through two instances: "
            f"{self.acknowledged} acknowledged, {len(self.lost_updates)} lost updates, "
            f"{self.audited} audit events; statuses {self.statuses}"
        )

    def problems(self) -> list[str]:
        found = list(self.lost_updates[:5])
        if self.audited != self.acknowledged:
            found.append(f"{self.acknowledged} acknowledged edits but {self.audited} audit events")
        if set(self.statuses) - {"200"}:
            found.append(f"unexpected statuses {self.statuses}")
        return found


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
        org = seed(url, members=2, logins=0)
        person_id = org.member_ids[0]
        with (
            serve(url, workers=1, workdir=workdir / "a") as first,
            serve(url, workers=1, workdir=workdir / "b") as second,
        ):
            acknowledged, lost, statuses = asyncio.run(
                _rounds(first, second, token=org.admin_token, person_id=person_id, rounds=rounds)
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
