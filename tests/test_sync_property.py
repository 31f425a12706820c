"""crmkit sync is idempotent: sync(sync(x)) == sync(x), for any customers and follow-ups
(stages blank, won, lost or unknown; follow-ups of unknown customers, after the day, at the
same minute with different states, holding rule words), through a written and re-read file."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.io import read_table
from crmkit.io.write import frame_to_csv_bytes
from crmkit.spec.fields import builtin_spec
from crmkit.sync import sync_customers

from .conftest import FOLLOWUP_HEADERS

AS_OF = date(2024, 3, 20)
START = datetime(2024, 3, 1, 9)
STAGES = ["", "初步接触", "需求分析", "方案报价", "合同谈判", "成交", "关闭"]
INTENTS = ["潜在客户", "意向客户", "高意向客户", "成交客户", "沉默客户"]
TEXTS = ["介绍产品", "价格偏高", "已签约", "项目取消", "对服务不满意", "客户投诉响应慢", ""]
CUSTOMER_HEADERS = ["客户编号", "客户名称", "意向等级", "销售阶段", "负责人", "创建时间", "更新时间",
                    "下次跟进时间", "自定义列"]  # fmt: skip
TASK_HEADERS = ["任务编号", "客户编号", "客户名称", "发起人", "协作部门/人员", "任务内容", "优先级",
                "截止日期", "当前状态"]  # fmt: skip


def _csv(headers: list[str], rows: list[list[object]]) -> bytes:
    lines = [",".join(headers)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _moment(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M")


customers_st = st.lists(
    st.tuples(
        st.sampled_from(STAGES), st.sampled_from(["", *INTENTS]),
        st.one_of(st.none(), st.integers(0, 30 * 24 * 60)),  # 更新时间
        st.one_of(st.none(), st.integers(0, 40)),  # 下次跟进时间, days after START
    ),
    min_size=1, max_size=6,
)  # fmt: skip
followups_st = st.lists(
    st.tuples(
        st.integers(0, 7),  # customer number (6 and 7 may not exist)
        st.integers(0, 25 * 24 * 60).map(lambda m: m - m % 30),  # 30-minute steps: clashes
        st.sampled_from(INTENTS), st.sampled_from(["", *INTENTS]), st.sampled_from(TEXTS),
    ),
    min_size=1, max_size=12,
)  # fmt: skip


def _read(data: bytes, kind: str):  # type: ignore[no-untyped-def]
    return read_table(io.BytesIO(data), specs=[builtin_spec(kind)], format="csv")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(customers_st, followups_st)
def test_sync_twice_changes_nothing_the_second_time(
    people: list[tuple[str, str, int | None, int | None]],
    history: list[tuple[int, int, str, str, str]],
) -> None:
    customer_rows: list[list[object]] = [
        [f"CRM{n:04d}", f"客户{n}", intent, stage, "李强" if n % 2 else "", _moment(0),
         None if updated is None else _moment(updated),
         None if due is None else (START + timedelta(days=due)).strftime("%Y-%m-%d"), f"x{n}"]
        for n, (stage, intent, updated, due) in enumerate(people)
    ]  # fmt: skip
    followup_rows: list[list[object]] = [
        [f"CRM{n:04d}", _moment(at), "王芳", "电话", text, "下周回访", text,
         f"{before}→{after}" if before else after]
        for n, at, after, before, text in history
    ]  # fmt: skip
    customers = _read(_csv(CUSTOMER_HEADERS, customer_rows), "customers")
    followups = _read(_csv(FOLLOWUP_HEADERS, followup_rows), "followups")
    existing = ["TASK0001", "CRM0000", "客户0", "李强", "技术支持-刘洋", "演示", "一般", "2024-03-02",
                "已完成"]  # fmt: skip
    tasks = _read(_csv(TASK_HEADERS, [existing]), "tasks")
    first = sync_customers(customers, followups, as_of=AS_OF, tasks=tasks)
    assert first.tasks is not None
    again_customers = _read(frame_to_csv_bytes(first.table.to_frame()), "customers")
    again_tasks = _read(frame_to_csv_bytes(first.tasks.to_frame()), "tasks")
    second = sync_customers(again_customers, followups, as_of=AS_OF, tasks=again_tasks)
    assert second.changes.empty, second.changes.to_dict(orient="records")
    assert second.new_tasks.empty
    assert again_customers.to_frame()["自定义列"].tolist() == [f"x{n}" for n in range(len(people))]
