"""口径说明: what each number of a report means, in the reader's language, with the run's own
limits (stall days, cadences, the silent limit) and the periods compared."""

from __future__ import annotations

from datetime import date

from crmkit.frames.period import Period, previous_period
from crmkit.spec.config import ReportConfig


def _join(lang: str, pairs: dict[str, int], unit_zh: str, unit_en: str) -> str:
    if lang == "zh":
        return "、".join(f"{k} {v} {unit_zh}" for k, v in pairs.items())
    return ", ".join(f"{k} {v} {unit_en}" for k, v in pairs.items())


def report_definitions(
    lang: str, config: ReportConfig, as_of: date, period: Period, previous_as_of: date | None
) -> list[str]:
    """The definitions behind the weekly report's numbers, one sentence each."""
    before = previous_period(period)
    first, won, lost = config.stages[0], config.won, "、".join(config.lost)
    stall = _join(lang, config.stall_days, "天", "d")
    cadence = (
        "、".join(f"{k}每 {v} 天" for k, v in config.cadence_days.items())
        if lang == "zh"
        else ", ".join(f"{k} every {v} d" for k, v in config.cadence_days.items())
    )
    prior = previous_as_of or as_of
    if lang == "zh":
        return [
            f"截至 {as_of}：只计此日结束前已有的记录，之后创建的客户、跟进记录不计入；"
            "未填日期的记录无法判断晚于此日，照常计入。",
            f"本期 = 统计周期 {period.since} 至 {period.until} 的跟进与新增客户；上期 = 前一个同样长度的"
            f"周期（{before.since} 至 {before.until}），按 {prior} 当日已有的记录计算。",
            f"累计到达：最远阶段（当前阶段，或跟进状态到过的最远阶段）在该阶段或之后的客户数；"
            f"每个客户都到达「{first}」。转化率 = 本阶段累计到达 ÷ 上一阶段累计到达；"
            f"赢单率 = 到达「{won}」÷ 到达「{first}」。",
            f"「{lost}」为输单，不计累计到达；销售阶段未填写的客户单列一行（未填写），计入客户总数。",
            f"停滞：最近活动（最近一次跟进，否则更新时间或创建时间）距今超过阶段时限：{stall}。",
            f"沉默：超过 {config.silent_days} 天未跟进（从未跟进则从创建时间算），且未成交、未输单。",
            f"逾期跟进：下次跟进时间已过，或未按意向等级的频率跟进（{cadence}）；输单客户除外。"
            "沉默与逾期名单的「最近活动」为最近一次跟进（否则创建时间），与闲置天数同源。",
            "渠道：占比 = 客户数 ÷ 客户总数；转化率 = 成交数 ÷ 客户数；预计金额 = 预计成交金额之和。",
        ]
    return [
        f"As of {as_of}: only records on file by the end of that day count; customers and "
        "follow-ups created later do not. A record with no date cannot be shown to be later, "
        "so it counts.",
        f"This period = follow-ups and new customers of {period.since} to {period.until}; "
        f"Previous = the period of the same length before ({before.since} to {before.until}), "
        f"computed from the records on file on {prior}.",
        "Reached: customers whose furthest stage (the current one, or the furthest their "
        f"follow-up statuses reached) is this stage or a later one; every customer reached "
        f"{first}. Conversion = reached here ÷ reached in the stage before; win rate = reached "
        f"{won} ÷ reached {first}.",
        f"{lost}: lost, not counted in Reached; customers with no stage are listed on their own "
        "row ((blank)) and count among all customers.",
        "Stalled: the last activity (latest follow-up, else the update or creation time) is "
        f"older than the stage's limit: {stall}.",
        f"Silent: no follow-up for over {config.silent_days} d (since creation if never "
        "followed up), neither won nor lost.",
        "Overdue: the next follow-up date has passed, or the intent level's cadence is broken "
        f"({cadence}); lost customers excepted. In the silent and overdue lists, Last activity "
        "is the latest follow-up (else creation): the date Days idle counts from.",
        "Channels: share = customers ÷ all customers; conversion = won ÷ customers; expected "
        "amount = the sum of expected deal amounts.",
    ]


def service_definitions(lang: str, as_of: date) -> list[str]:
    """The definitions behind the service report's numbers, one sentence each."""
    if lang == "zh":
        return [
            f"截至 {as_of}：此日之后创建的任务、之后日期的反馈不计入；未填日期（创建时间、反馈日期）"
            "的记录无法判断晚于此日，照常计入（反馈-按月不含未填反馈日期的反馈）。",
            f"未完成：当前状态不是「已完成」；已逾期：未完成且截止日期早于 {as_of}。",
            "处理时长：已完成任务的 完成时间 − 创建时间（天），取中位数。",
            "投诉占比 = 投诉 ÷ 全部反馈；平均满意度为已填评分（1–5）的平均值，空白不计为 0。",
        ]
    return [
        f"As of {as_of}: tasks created and feedback dated after that day do not count. A task "
        "with no creation time or feedback with no date cannot be shown to be later, so it "
        "counts (feedback with no date is left out of the feedback by month).",
        f"Open: any status but 已完成 (done); overdue: open with a due date before {as_of}.",
        "Time to close: completion time − creation time of closed tasks, in days (median).",
        "Complaint share = 投诉 (complaints) ÷ all feedback; satisfaction is the mean of the "
        "scores given (1–5); a blank score is left out, not counted as 0.",
    ]
