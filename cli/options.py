"""Option checks shared by the commands (click callbacks): enum-like filters reject an unknown
value and list the valid ones, and the free text a person records (`--by`, `--ref`, `--note`,
`--to`) is bounded and free of control characters (issue 8). A bad value is exit 2."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import click

from provenance.media import KNOWN_MEDIA_TYPES

MAX_TEXT = 1000  # characters of one --by / --ref / --note / --to value

Callback = Callable[[click.Context, click.Parameter, Any], Any]


def csv_choice(allowed: Iterable[str]) -> Callback:
    """`--opt a,b` lists: each item one of `allowed` (case-insensitive)."""
    valid = tuple(str(value) for value in allowed)

    def convert(_ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
        if value is None:
            return ()
        items = tuple(item.strip().lower() for item in value.split(",") if item.strip())
        bad = [item for item in items if item not in valid] or ([] if items else [""])
        if bad:
            # An empty value is refused too: filtering on nothing would list everything.
            raise click.BadParameter(f"{bad[0]!r} is not one of {', '.join(valid)}", param=param)
        return items

    return convert


MEDIA_FAMILIES = tuple(sorted({media_type.split("/")[0] for media_type in KNOWN_MEDIA_TYPES}))


def media_type(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """`--media-type`: a media type prov records (image/jpeg), or a family (image, image/*)."""
    if value is None:
        return None
    wanted = value.strip().lower()
    family = wanted.removesuffix("/*").removesuffix("/")
    if family in MEDIA_FAMILIES or wanted in KNOWN_MEDIA_TYPES:
        return wanted
    raise click.BadParameter(
        f"{value!r} is not a media type prov records; give a family "
        f"({', '.join(MEDIA_FAMILIES)}) or one of: {', '.join(sorted(KNOWN_MEDIA_TYPES))}",
        param=param,
    )


def recorded_text(_ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Text kept in the catalog and the audit log and shown again later (`--by`, `--ref`,
    `--note`, `--to`): at most MAX_TEXT characters and no control character, which would
    reach the terminal of whoever reads the log. Repeated options are checked one by one."""
    for text in value if isinstance(value, tuple) else (value,):
        if text is None:
            continue
        if len(text) > MAX_TEXT:
            raise click.BadParameter(
                f"{len(text)} characters; at most {MAX_TEXT} are kept", param=param
            )
        bad = next((char for char in text if _is_control(char)), None)
        if bad is not None:
            raise click.BadParameter(
                f"holds the control character {bad!r}; give plain text on one line", param=param
            )
    return value


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F or char in _UNICODE_CONTROLS


_UNICODE_CONTROLS = frozenset("\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
