"""Print the events of an iCalendar feed (standard input) as libical reads them, as JSON.

Run by the system ``python3`` with Debian's ``gir1.2-ical-3.0`` and ``python3-gi``: libical
(Evolution's parser) is only reachable through GObject introspection. Each event gives its
start and end as Unix times, and the TZID libical resolved: a TZID with libical's built-in
prefix means it ignored the feed's VTIMEZONE and used its own zone data.
"""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402 - after require_version, as gi needs

BUILTIN_PREFIX = "/freeassociation.sourceforge.net/"


def main() -> None:
    calendar = ICalGLib.Component.new_from_string(sys.stdin.read())
    utc = ICalGLib.Timezone.get_utc_timezone()
    events = []
    kind = ICalGLib.ComponentKind.VEVENT_COMPONENT
    event = calendar.get_first_component(kind)
    while event is not None:
        seen = {"uid": event.get_uid(), "resolved": True}
        for name, time in (("start", event.get_dtstart()), ("end", event.get_dtend())):
            zone = time.get_timezone()
            seen[name] = time.as_timet_with_zone(zone if zone is not None else utc)
            tzid = time.get_tzid() or ""
            seen["resolved"] = seen["resolved"] and not tzid.startswith(BUILTIN_PREFIX)
        events.append(seen)
        event = calendar.get_next_component(kind)
    json.dump(events, sys.stdout)


if __name__ == "__main__":
    main()
