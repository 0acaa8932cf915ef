"""Renders the event catalogue (``docs/events.md``) from the contracts themselves.

python -m huiwu.events.docs > docs/events.md
"""

from __future__ import annotations

import sys
from typing import Any

from huiwu.bus import DUPLICATE_WINDOW_S, stream_name
from huiwu.events.catalog import __all__ as _catalog  # noqa: F401 - registers every contract
from huiwu.events.contract import ANY_SERVICE, EventContract

HEADER = f"""# Event catalogue

Generated from `huiwu/events/catalog/` by `python -m huiwu.events.docs`; a test keeps it current.

Every event is a [CloudEvents 1.0](https://github.com/cloudevents/spec) event carried over NATS
JetStream in **binary mode**: the attributes are `ce-*` headers (values percent-encoded), the
body is the JSON `data`, and `Nats-Msg-Id` equals the event `id` (JetStream drops a re-publish
within {DUPLICATE_WINDOW_S // 60} minutes; consumers' inboxes drop any later duplicate).

| attribute | meaning |
|---|---|
| `id` | a UUID minted once, when the fact happened; never at publish time |
| `source` | `/huiwu/<producer>` |
| `type` | `huiwu.<producer>.<aggregate>.<event>.v<N>` |
| `time` | when the fact happened (UTC) |
| `subject` | the aggregate's id (meeting, attendee, …) |
| `meetingid` | extension: the meeting the event belongs to |
| `correlationid` | extension: the request or event chain that led here |
| `causationid` | extension: the id of the event whose handling produced this one |
| `actor` | extension: the token (person or system) that asked for the change |

NATS subject: `huiwu.<producer>.<aggregate>.<event>` (the version lives only in the type).
Stream: one per producer, e.g. `REGISTRATION` on `huiwu.registration.>`. A field may be added
to a version; removing or changing one makes a new version, published alongside the old one.
"""


def render() -> str:
    sections = [HEADER]
    contracts = sorted(
        EventContract.registry.items(), key=lambda item: (item[1].producer == ANY_SERVICE, item[0])
    )
    for event_type, contract in contracts:
        sections.append(_section(event_type, contract))
    return "\n".join(sections)


def _section(event_type: str, contract: type[EventContract]) -> str:
    producer = contract.producer
    platform = producer == ANY_SERVICE
    subject = (
        f"huiwu.<producer>.{contract.aggregate}.{contract.event_name}"
        if platform
        else contract.nats_subject()
    )
    stream = "the producer's own" if platform else f"`{stream_name(producer)}`"
    doc = " ".join((contract.__doc__ or "").split())
    lines = [
        f"## `{event_type}`",
        "",
        doc,
        "",
        f"- subject: `{subject}`; stream: {stream}",
        "",
        "| field | type | required | description |",
        "|---|---|---|---|",
    ]
    schema = contract.model_json_schema()
    required = set(schema.get("required", []))
    for name, field in schema["properties"].items():
        description = field.get("description", "")
        lines.append(
            f"| `{name}` | {_type(field, schema)} | {'yes' if name in required else 'no'} | {description} |"
        )
    return "\n".join(lines) + "\n"


def _type(field: dict[str, Any], schema: dict[str, Any]) -> str:
    if "$ref" in field:
        definition = schema["$defs"][field["$ref"].rsplit("/", 1)[1]]
        return " \\| ".join(f"`{value}`" for value in definition.get("enum", [])) or definition["type"]
    if "anyOf" in field:
        return " or ".join(_type(option, schema) for option in field["anyOf"])
    kind = str(field.get("type", "any"))
    return f"{kind} ({field['format']})" if "format" in field else kind


if __name__ == "__main__":
    sys.stdout.write(render())
