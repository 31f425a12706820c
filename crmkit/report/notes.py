"""What a report says about the rows it left out: counting notes in the reader's language
(text/words.py, keys note_…) and a Finding per row, located as the user sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crmkit.findings import Finding
from crmkit.frames.canonical import places_of
from crmkit.text.words import label

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class Note:
    """A note on a report's rows (how many were left out, and why): its words are the
    note_<key> entry of text/words.py, filled with `values`."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        """The note in a language (English for JSON and the terminal)."""
        values = {
            k: label(lang, f"note_what_{v}") if k == "what" else v for k, v in self.values.items()
        }
        return label(lang, f"note_{self.key}").format(**values)


def row_findings(
    frame: pd.DataFrame, mask: np.ndarray, field: str, rule: str, message: str
) -> list[Finding]:
    """A warning for each row of a canonical frame where `mask` is set: file, sheet and row as
    the spreadsheet shows them, `field`'s column as written and its value there."""
    chosen = frame[mask]
    if not len(chosen):
        return []
    source = frame.attrs.get("source", {})
    column = source.get("headers", {}).get(field, field)
    sheets, rows = places_of(chosen)
    values = chosen[field].tolist() if field in chosen else [None] * len(chosen)
    return [
        Finding(source.get("file", ""), sheet, int(row), column, field, _shown(value),
                "warning", rule, message)
        for sheet, row, value in zip(sheets, rows, values, strict=True)
    ]  # fmt: skip


def _shown(value: Any) -> str:
    """A typed cell as text: blank for a missing one, a whole number without its .0."""
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):  # NaN, NaT, NA
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
        return text.removesuffix(" 00:00:00")
    return str(value)
