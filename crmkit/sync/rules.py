"""The stage rules: the texts of the latest follow-ups, each distinct text tested once."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from crmkit.frames.columns import normalize_column
from crmkit.io.table import Table
from crmkit.spec.config import StageRule

TEXT_FIELDS = ("content", "next_step", "feedback")


def followup_texts(followups: Table, keys: pd.Index | pd.Series) -> pd.DataFrame:
    """沟通内容, 下一步计划 and 客户反馈 of some follow-ups (by their keys), normalized as text
    ('' where blank): only the follow-ups a rule or trigger reads are normalized."""
    index = pd.Index(keys)
    out = {}
    for name in TEXT_FIELDS:
        if not followups.has(name) or followups.spec is None:
            out[name] = np.full(len(index), "", dtype=object)
            continue
        cells = followups.column(name).loc[index]
        values = normalize_column(cells, followups.spec.field(name),
                                  text_is_native=followups.format == "csv").values  # fmt: skip
        out[name] = values.astype(object).where(values.notna(), "").to_numpy(dtype=object)
    return pd.DataFrame(out, index=index)


def matcher(words: tuple[str, ...], pattern: str) -> re.Pattern[str]:
    parts = [re.escape(w) for w in words] + ([f"(?:{pattern})"] if pattern else [])
    return re.compile("|".join(parts))


def by_distinct(values: np.ndarray, test: re.Pattern[str]) -> np.ndarray:
    """Which cells match, each distinct text tested once."""
    return Distinct(values).matches(test)


class Distinct:
    """Cells as codes of their distinct texts: many rules test each text once."""

    def __init__(self, values: np.ndarray) -> None:
        self.codes, distinct = pd.factorize(values)
        self.texts = [str(v) for v in distinct]

    def matches(self, test: re.Pattern[str]) -> np.ndarray:
        found = [test.search(text) is not None for text in self.texts]
        return np.array([*found, False], dtype=bool)[self.codes]


def rule_stages(
    latest: pd.DataFrame, rules: tuple[StageRule, ...], followups: Table
) -> tuple[np.ndarray, np.ndarray]:
    """The stage of the first rule each latest follow-up matches (None: none) and why."""
    stage = np.full(len(latest), None, dtype=object)
    reason = np.full(len(latest), "", dtype=object)
    fields = {name: Distinct(latest[name].to_numpy(dtype=object))
              for name in {name for rule in rules for name in rule.fields}}  # fmt: skip
    for rule in rules:
        test = matcher(rule.words, rule.pattern)
        for name in rule.fields:
            hit = fields[name].matches(test) & pd.isna(stage)
            if hit.any():
                header = followups.header_of(name) if followups.has(name) else name
                stage[hit] = rule.stage
                reason[hit] = f"rule {rule.name} ({header})"
    return stage, reason
