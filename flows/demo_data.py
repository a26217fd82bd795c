"""The demo organisation: a small SaaS company running All Hands Support.

Plain data only; ``flows.demo`` loads it through the domain services.
"""

from __future__ import annotations

from typing import NamedTuple

# (email local part, name, timezone, team)
ENGINEERS = [
    ("ana.devries", "Ana de Vries", "Europe/Amsterdam", "Platform"),
    ("sam.okafor", "Sam Okafor", "Europe/London", "Payments"),
    ("priya.nair", "Priya Nair", "Asia/Kolkata", "Integrations"),
    ("lucas.martin", "Lucas Martin", "Europe/Paris", "Platform"),
    ("mei.chen", "Mei Chen", "America/Los_Angeles", "Mobile"),
    ("tom.becker", "Tom Becker", "Europe/Berlin", "Data"),
    ("olivia.brown", "Olivia Brown", "America/New_York", "Payments"),
    ("kenji.sato", "Kenji Sato", "Asia/Tokyo", "Integrations"),
    ("isabel.rocha", "Isabel Rocha", "America/Sao_Paulo", "Mobile"),
    ("noah.wilson", "Noah Wilson", "Australia/Sydney", "Data"),
]
PRODUCT = [
    ("grace.kim", "Grace Kim", "America/New_York", "Product"),
    ("omar.haddad", "Omar Haddad", "Europe/Amsterdam", "Product"),
    ("lena.fischer", "Lena Fischer", "Europe/Berlin", "Design"),
    ("diego.alvarez", "Diego Álvarez", "America/Mexico_City", "Product"),
]
FOUNDERS = [
    ("maya.patel", "Maya Patel", "America/Los_Angeles", "Founders"),
    ("jonas.berg", "Jonas Berg", "Europe/Stockholm", "Founders"),
    ("ruth.adeyemi", "Ruth Adeyemi", "Europe/London", "Founders"),
    ("felix.wagner", "Felix Wagner", "Europe/Vienna", "Executives"),
]
SUPPORT = [
    ("hana.novak", "Hana Novak", "Europe/Prague", "Support"),
    ("carlos.silva", "Carlos Silva", "Europe/Lisbon", "Support"),
]
ADMIN = ("admin", "Alex Admin", "Europe/Amsterdam", "Operations")
# Demo people who chose a language on their profile; everyone else follows their browser.
LOCALES = {"ana.devries": "nl"}
DOMAIN = "example.com"
DEMO_PASSWORD = "allhands-demo"  # noqa: S105  (documented demo login, never a real secret)

# (title, source, collection, verify_every_days, verified_days_ago or None, major changes)
CARDS = [
    ("How to escalate a tier-2 ticket", "guru", "Support Playbooks", 90, 20, 1),
    ("Refunds and credits policy", "guru", "Support Playbooks", 30, 160, 0),
    ("Triage: severity levels and SLAs", "guru", "Support Playbooks", 90, 10, 2),
    ("Handing over an open ticket", "guru", "Support Playbooks", 90, 45, 0),
    ("Talking to an angry customer", "guru", "Support Playbooks", 180, 30, 0),
    ("Using the support inbox macros", "guru", "Support Playbooks", 60, 75, 0),
    ("Feature Breakdown: Scheduled Exports", "guru", "Feature Breakdowns", 14, 8, 3),
    ("Feature Breakdown: Webhooks v2", "guru", "Feature Breakdowns", 30, 12, 1),
    ("Feature Breakdown: SSO and SCIM", "guru", "Feature Breakdowns", 30, 40, 0),
    ("Feature Breakdown: Billing portal", "guru", "Feature Breakdowns", 30, 5, 0),
    ("Feature Breakdown: Mobile offline mode", "guru", "Feature Breakdowns", 30, 25, 0),
    ("Known issues this quarter", "confluence", "Engineering", 14, 3, 4),
    ("Reading application logs in Grafana", "confluence", "Engineering", 90, 50, 0),
    ("Reproducing a customer's account locally", "confluence", "Engineering", 90, 100, 0),
    ("Querying the read replica safely", "confluence", "Engineering", 90, 20, 0),
    ("Incident response: who to page", "confluence", "Engineering", 30, 15, 1),
    ("Rate limits and quotas explained", "confluence", "Engineering", 180, 60, 0),
    ("Data deletion and GDPR requests", "confluence", "Legal & Compliance", 90, 95, 0),
    ("Security questionnaire answers", "confluence", "Legal & Compliance", 90, 30, 0),
    ("Pricing and plans FAQ", "notion", "Product", 60, 20, 1),
    ("Roadmap: what we can promise", "notion", "Product", 30, 35, 0),
    ("Writing a good bug report", "notion", "Product", 180, 10, 0),
    ("Feature request triage", "notion", "Product", 90, 15, 0),
    ("Customer interview checklist", "notion", "Product", 180, 200, 0),
    ("Enterprise accounts and their CSMs", "notion", "Customer Success", 30, 10, 0),
    ("Churn-risk signals", "notion", "Customer Success", 60, 70, 0),
    ("Status page: when and how to post", "link", "Communications", 90, 5, 0),
    ("Tone of voice for support replies", "link", "Communications", 365, 100, 0),
    ("Founders' customer day: what to expect", "notion", "Leadership", 90, 30, 0),
    ("Top 10 accounts and their history", "notion", "Leadership", 30, 12, 1),
]

# card-set name → (description, card titles)
CARD_SETS = {
    "Tier-2 essentials": (
        "What every engineer needs before a tier-2 week.",
        [
            "How to escalate a tier-2 ticket",
            "Triage: severity levels and SLAs",
            "Handing over an open ticket",
            "Known issues this quarter",
            "Reading application logs in Grafana",
            "Incident response: who to page",
            "Refunds and credits policy",
        ],
    ),
    "Current feature breakdowns": (
        "Recently shipped features customers ask about.",
        [
            "Feature Breakdown: Scheduled Exports",
            "Feature Breakdown: Webhooks v2",
            "Feature Breakdown: SSO and SCIM",
            "Feature Breakdown: Billing portal",
        ],
    ),
    "Product support week": (
        "For product managers and designers on the fortnightly rotation.",
        [
            "Pricing and plans FAQ",
            "Roadmap: what we can promise",
            "Feature request triage",
            "Writing a good bug report",
            "Tone of voice for support replies",
        ],
    ),
    "Customer day briefing": (
        "A founder's or executive's monthly day on the queue.",
        [
            "Founders' customer day: what to expect",
            "Top 10 accounts and their history",
            "Enterprise accounts and their CSMs",
            "Talking to an angry customer",
        ],
    ),
}


class RotationPlan(NamedTuple):
    """One demo rotation; people are named by email local part, crew in roster order."""

    description: str
    timezone: str
    shift_days: int
    managers: tuple[str, ...]
    crew: tuple[str, ...]
    # (card set, assign_days_before, due_days_before)
    requirements: tuple[tuple[str, int, int], ...]
    swap_requires_approval: bool = False
    # Where handoffs are posted once the Slack app is set up (README "Slack").
    slack_channel: str = ""


def _locals(rows: list[tuple[str, str, str, str]]) -> tuple[str, ...]:
    return tuple(local for local, *_rest in rows)


# rotation name → plan, in creation order
ROTATIONS = {
    "Tier-2 engineering": RotationPlan(
        "One engineer a week on tier-2 tickets: everyone's turn every tenth week.",
        "Europe/Amsterdam",
        7,
        managers=("hana.novak",),
        crew=_locals(ENGINEERS),
        # Four weeks ahead: the login the README offers an engineer (ana.devries, fourth in
        # line) has a checklist to work through.
        requirements=(("Tier-2 essentials", 28, 2), ("Current feature breakdowns", 14, 2)),
        slack_channel="#support-tier-2",
    ),
    "Product support fortnight": RotationPlan(
        "A product manager or designer answers feature questions for two weeks.",
        "America/New_York",
        14,
        managers=("carlos.silva", "grace.kim"),
        crew=_locals(PRODUCT),
        requirements=(("Product support week", 21, 3),),
        swap_requires_approval=True,
        slack_channel="#product-support",
    ),
    "Founders' customer days": RotationPlan(
        "A founder or executive owns a four-week stretch with one customer day a week "
        "in the queue.",
        "Europe/London",
        28,
        managers=("maya.patel",),
        crew=_locals(FOUNDERS),
        requirements=(("Customer day briefing", 28, 3),),
        slack_channel="#founders-customer-days",
    ),
}
# The rotation whose next engineers are mid-reading, on holiday soon and asking for a trade.
TIER_TWO = "Tier-2 engineering"
# Engineers (by roster position) with a week off, starting this many days from today.
TIME_OFF = ((2, 20), (6, 45))

# (email local part, what the login shows), printed after the demo loads
LOGINS = (
    ("admin", "admin: everything"),
    ("hana.novak", "manager of Tier-2 engineering"),
    ("ana.devries", "engineer on the tier-2 rotation"),
    ("grace.kim", "product manager, manages the product rotation"),
    ("noah.wilson", "engineer shadowing product support before his own shifts"),
)
# Engineers who joined product support as newcomers: each shadows this many shifts first.
# The graduate shadowed, read up and now takes shifts; the shadow is shadowing now.
STAGES_ROTATION = "Product support fortnight"
SHADOW_SHIFTS = 2
GRADUATE = "kenji.sato"
SHADOW = "noah.wilson"
# A card changed once more after the next engineer read it (and re-read it).
RECENTLY_CHANGED = "Known issues this quarter"
# Follow the sun: three regional rotations covering their own office hours, layered into one
# schedule. (name, slug, timezone, member email local parts, holiday country, policy)
REGIONS = [
    ("APAC", "apac", "Asia/Tokyo", ["kenji.sato", "priya.nair", "noah.wilson"], "JP", "staff"),
    (
        "EMEA",
        "emea",
        "Europe/Amsterdam",
        ["ana.devries", "lucas.martin", "tom.becker", "sam.okafor"],
        "NL",
        "skip",
    ),
    (
        "AMER",
        "amer",
        "America/New_York",
        ["olivia.brown", "mei.chen", "isabel.rocha"],
        "US",
        "skip",
    ),
]
# Staffed through its public holidays, so a holiday week weighs more: shared out by burden.
BY_BURDEN = {"apac"}
OFFICE_HOURS = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}
FOLLOW_THE_SUN = ("Follow the sun", "follow-the-sun")
# People who keep their own country's public holidays off their shifts.
OWN_HOLIDAYS = {"ana.devries": "NL", "tom.becker": "DE", "olivia.brown": "US", "kenji.sato": "JP"}
