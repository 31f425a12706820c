"""frames.records.records_json writes the bytes json_text(records(frame)) writes, nested."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from crmkit.frames.records import records, records_json
from crmkit.io.write import json_text

FRAMES = {
    "texts and floats": pd.DataFrame(
        {
            "customer_id": ["CRM1", None, 'a "quoted"\n\tline\u0001'],
            "name": pd.array(["客户<甲>", None, "é"], dtype="str"),
            "amount": [3000.0, np.nan, 0.1 + 0.2],
            "share": [1 / 3, np.inf, 1e-20],
        }
    ),
    "ints": pd.DataFrame({"n": [1, -2, 3], "m": pd.array([1, None, 3], dtype="Int64")}),
    "dates and flags (the records() way)": pd.DataFrame(
        {
            "day": pd.to_datetime(["2024-03-01", None, "2024-03-02 10:30"], format="ISO8601"),
            "ok": [True, False, True],
        }
    ),
    "empty": pd.DataFrame({"a": []}),
}


@pytest.mark.parametrize("name", FRAMES)
@pytest.mark.parametrize("level", [0, 1, 3])
def test_same_bytes_as_json_text_nested(name: str, level: int) -> None:
    frame = FRAMES[name]
    document = json_text([records(frame)])
    nested = json_text(records(frame)).replace("\n", "\n" + "  " * level)
    assert records_json(frame, level) == nested
    if level == 1:  # inside a one-element list, as json_text nests it
        assert document == "[\n  " + records_json(frame, 1) + "\n]"
    assert json.loads(records_json(frame, level)) == json.loads(json_text(records(frame)))
