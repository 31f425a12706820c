"""Read the TOML files crmkit is configured with (field specs, project config)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from crmkit.errors import CrmkitError


def read_toml(path: Path, error: type[CrmkitError], what: str) -> dict[str, Any]:
    """The parsed file; `error` (naming the file and `what` it is) when missing, unreadable or invalid."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read the {what} ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc})") from None
