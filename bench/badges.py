"""Badge sheet benchmark: how long registration takes to lay out the printable badges of a large
meeting (``GET …/attendees/badges.pdf``), the first time and again.

    python bench/badges.py [-n 1000]

Registration's own layout code, no database and no HTTP: N attendees with Chinese names and
organizations, each with a token as long as a real one. *First sheet* includes working out every
QR code (choosing its mask is most of that); *again* finds them remembered, as a reprint does. The
gateway waits up to ``HUIWU_PRINTOUT_TIMEOUT_S`` for a printout; both should stay well inside it.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from huiwu.demo import demo_attendees  # noqa: E402
from huiwu.events.catalog import AttendeeCategory  # noqa: E402
from huiwu.settings import Settings  # noqa: E402
from services.registration.checkin.badges import PASS_NAMES, PREFIX  # noqa: E402
from services.registration.exports import BadgeCard, badge_sheet_pdf  # noqa: E402
from services.registration.exports.badge_sheet import CARDS_PER_PAGE  # noqa: E402

MEETING = "中共江州市纪委第三次全体会议"
# A real token: the prefix, base64url of the claims (two UUIDs and a version), and an HMAC-SHA256.
PAYLOAD_BYTES, MAC_BYTES = 92, 32


def cards(n: int) -> list[BadgeCard]:
    """The demo roster (about 300 people), round again until there are ``n``."""
    people = demo_attendees()
    return [
        BadgeCard(
            name=person["name"],
            organization=person["organization"],
            category=person["category"],
            pass_name=PASS_NAMES[AttendeeCategory(person["category"])],
            token=f"{PREFIX}.{secrets.token_urlsafe(PAYLOAD_BYTES)}.{secrets.token_urlsafe(MAC_BYTES)}",
        )
        for person in (people[index % len(people)] for index in range(n))
    ]


def timed(badges: list[BadgeCard]) -> tuple[float, int]:
    started = time.perf_counter()
    pdf = badge_sheet_pdf(MEETING, badges)
    return time.perf_counter() - started, len(pdf)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=1000, help="attendees (default: %(default)s)")
    args = parser.parse_args(argv)
    badges = cards(args.n)
    first, size = timed(badges)
    again, _ = timed(badges)
    pages = -(-args.n // CARDS_PER_PAGE)
    print(f"{args.n} badges, {pages} A4 pages, {size / 1024:.0f} KiB")
    print(f"first sheet    {first:7.2f} s   ({first / args.n * 1000:.1f} ms a badge)")
    print(f"again          {again:7.2f} s   ({again / args.n * 1000:.1f} ms a badge)")
    print(f"the gateway waits up to {Settings().printout_timeout_s:.0f} s for a printout")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
