"""What the task and feedback tables say: a finished task, a complaint, who a task is for."""

from __future__ import annotations

import re
from typing import Any

DONE = "已完成"
COMPLAINT = "投诉"
_ASSIGNEE_SPLIT = re.compile(r"\s*[-－—–/／]\s*")


def split_assignee(text: Any) -> tuple[str, str]:
    """(department, person) of a 协作部门/人员 cell: 技术支持-刘* → (技术支持, 刘*); one word is a person."""
    if text is None or text != text or not str(text).strip():
        return "", ""
    parts = _ASSIGNEE_SPLIT.split(str(text).strip(), maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
