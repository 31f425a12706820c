"""What the sales pipeline of crmkit.toml says about a customer row: won, lost, open.

One definition for every command (reports, tags stats, sync, profile, forecast).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from crmkit.spec.config import ReportConfig


def won_mask(stage: pd.Series, intent: pd.Series | None, pipeline: ReportConfig) -> np.ndarray:
    """Won customers: in the won stage ([pipeline] won), or at an intent level that means it
    ([pipeline.intent_stage]: 成交客户 → 成交) while their stage does not say lost."""
    won = stage.eq(pipeline.won).fillna(False).to_numpy(dtype=bool)
    won_intents = [i for i, s in pipeline.intent_stage.items() if s == pipeline.won]
    if intent is None or not won_intents:
        return won
    by_intent = intent.isin(won_intents).fillna(False).to_numpy(dtype=bool)
    return won | (by_intent & ~lost_mask(stage, pipeline))


def lost_mask(stage: pd.Series, pipeline: ReportConfig) -> np.ndarray:
    """Lost customers: in one of the [pipeline] lost stages (关闭)."""
    return stage.isin(list(pipeline.lost)).fillna(False).to_numpy(dtype=bool)
