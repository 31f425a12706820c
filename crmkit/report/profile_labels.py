"""口径说明 of `report profile`, in Chinese and English (its other words are in labels.py)."""

from __future__ import annotations


def profile_definitions(
    lang: str, *, as_of: str, since: str, until: str, before: tuple[str, str], silent_days: int,
    lost: str, means: dict[str, float | None], basis: str,
) -> list[str]:  # fmt: skip
    """口径说明 of the profile: what each number means, with this run's means and limits."""

    def mean(key: str) -> str:
        value = means.get(key)
        return "—" if value is None else f"{value:,.2f}"

    if lang == "zh":
        source = (
            "R = 最近一次成交日期距截至日的天数，F = 成交笔数，M = 成交金额之和"
            if basis == "orders"
            else "未提供成交记录表：R = 最近一次跟进距截至日的天数，F = 跟进次数，M = 成交客户的预计成交金额"
        )
        return [
            f"截至 {as_of}：只计此日结束前已有的客户与记录。",
            f"{source}；只对至少有一笔记录的客户计算，其余客户单列为未成交。",
            f"高/低：优于全体已计算客户的平均值为高（R 平均 {mean('recency_days')} 天，越少越好；"
            f"F 平均 {mean('frequency')}；M 平均 {mean('monetary')}），等于平均值算低。",
            "八类客户：重要价值（RFM 高高高）、重要发展（高低高）、重要保持（低高高）、重要挽留（低低高）、"
            "一般价值（高高低）、一般发展（高低低）、一般保持（低高低）、一般挽留（低低低）。",
            "R/F/M 分（1–5）：1 + ⌊5 × 更差的客户数 ÷ 已计算客户数⌋，并列的客户同分。",
            "关键客户：按 M 从大到小，累计达到全部 M 的 80% 所需的最少客户。",
            f"流失风险：销售阶段为「{lost}」的客户不评。每满足一条原因升一级（0 条低、1 条中、2 条及以上高）："
            f"超过自身成交/跟进中位间隔的两倍（至少 3 天有记录）或超过 {silent_days} 天无成交或跟进；"
            "近 90 天有投诉或满意度评分 ≤ 2；最近一次跟进的客户反馈含「不满意」；有逾期未完成的协作任务。"
            "名单按负责人分组，组内按 M 从大到小。",
            f"咨询热点：本期（{since} 至 {until}）与上期（{before[0]} 至 {before[1]}）有新建、成交、跟进或反馈的"
            "客户的「需求类型」标签次数，以及按反馈日期统计的反馈类型次数。",
        ]
    source = (
        "R = days from the last order to the as-of day, F = orders, M = sum of order amounts"
        if basis == "orders"
        else "No orders table: R = days since the last follow-up, F = follow-ups, M = won customers' expected amount"
    )
    return [
        f"As of {as_of}: only customers and rows on record by the end of that day count.",
        f"{source}; computed for customers with at least one row, the others are counted apart (未成交).",
        f"High/low: better than the mean over the customers scored (R mean {mean('recency_days')} d, fewer is "
        f"better; F mean {mean('frequency')}; M mean {mean('monetary')}); equal to the mean is low.",
        "Segments: 重要价值 (RFM high high high), 重要发展 (HLH), 重要保持 (LHH), 重要挽留 (LLH), "
        "一般价值 (HHL), 一般发展 (HLL), 一般保持 (LHL), 一般挽留 (LLL).",
        "R/F/M scores (1–5): 1 + floor(5 × customers strictly worse / customers scored); ties share a score.",
        "Key customers: the fewest customers, largest M first, whose M adds up to 80% of all M.",
        f"Churn risk: customers in stage {lost} are not rated. Each reason raises the level (0 low, 1 medium, "
        f"2+ high): idle for over twice the customer's own median gap (3+ days of activity) or over "
        f"{silent_days} d; a complaint or a satisfaction score ≤ 2 in the last 90 days; a latest follow-up "
        "whose feedback says 不满意; open tasks past their deadline. Listed by owner, largest M first.",
        f"Hot spots: 需求类型 tags of customers active (created, ordered, followed up, gave feedback) this "
        f"period ({since} to {until}) and the previous one ({before[0]} to {before[1]}); feedback types by date.",
    ]
