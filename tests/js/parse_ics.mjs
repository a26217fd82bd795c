// Parse an iCalendar feed from standard input with Mozilla's ical.js (the parser inside
// Thunderbird) and print what a calendar client would show, as JSON on standard output:
// calendar properties, and each event's UID, STATUS, SEQUENCE and its start and end as UTC
// instants, with whether its TZID was resolved through the feed's own VTIMEZONE.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(0, "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
const vtimezones = new Map(
  calendar
    .getAllSubcomponents("vtimezone")
    .map((zone) => [zone.getFirstPropertyValue("tzid"), zone]),
);

function instant(property, time) {
  const tzid = property.getParameter("tzid") ?? null;
  let resolved;
  if (tzid === null) {
    resolved = time.zone === ICAL.Timezone.utcTimezone;
  } else {
    // Resolved through the feed only if ical.js built the zone from the feed's VTIMEZONE
    // (its global registry knows no zones here, so nothing else could have supplied it).
    const zone = time.zone;
    resolved =
      !ICAL.TimezoneService.has(tzid) &&
      vtimezones.has(tzid) &&
      zone !== undefined &&
      zone !== null &&
      zone.tzid === tzid &&
      zone.component !== undefined &&
      zone.component !== null &&
      zone.component.getFirstPropertyValue("tzid") === tzid;
  }
  return { utc: time.toJSDate().toISOString(), tzid, resolved };
}

const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  const start = instant(component.getFirstProperty("dtstart"), event.startDate);
  const end = instant(component.getFirstProperty("dtend"), event.endDate);
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    status: component.getFirstPropertyValue("status"),
    sequence: event.sequence,
    transp: component.getFirstPropertyValue("transp"),
    url: component.getFirstPropertyValue("url"),
    start: start.utc,
    end: end.utc,
    start_tzid: start.tzid,
    end_tzid: end.tzid,
    tz_resolved: start.resolved && end.resolved,
  };
});

process.stdout.write(
  JSON.stringify({
    name: calendar.getFirstPropertyValue("x-wr-calname"),
    prodid: calendar.getFirstPropertyValue("prodid"),
    timezones: [...vtimezones.keys()],
    events,
  }),
);
