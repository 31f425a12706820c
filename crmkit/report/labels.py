"""Words and number formats of the reports, in Chinese and English."""

from __future__ import annotations

from typing import Any

BLANK = "(blank)"  # a group whose cell is empty; shown as label "blank" in the reader's language

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "客户周报", "period": "统计周期", "as_of": "截至", "to": "至", "summary": "汇总",
        "funnel": "销售漏斗", "channel": "渠道分析", "stage": "阶段分析", "stalled": "停滞客户",
        "silent": "沉默客户", "overdue": "逾期跟进", "funnel_by": "漏斗分组",
        "metric": "指标", "value": "本期", "previous": "上期", "change": "变化",
        "stage_col": "阶段", "current": "当前数", "reached": "累计到达", "conversion": "转化率",
        "win_rate": "赢单率", "group": "分组", "source": "客户来源", "customers": "客户数", "share": "占比",
        "won": "成交数", "amount": "预计金额", "cost": "渠道成本", "cost_per_customer": "单客成本",
        "cost_per_won": "单成交成本", "count": "客户数", "median_days_idle": "闲置天数中位数",
        "max_days_idle": "最长闲置天数", "customer_id": "客户编号", "name": "客户名称", "owner": "负责人",
        "phone": "联系电话", "intent": "意向等级", "last_activity": "最近活动", "days_idle": "闲置天数",
        "reason": "原因", "sheet": "工作表", "row": "原表行号", "none": "（无）", "more_rows": "行未列出（完整名单见 --format json）",
        "h_customers": "客户总数", "h_new_customers": "新增客户", "h_followups": "跟进次数",
        "h_active_customers": "有跟进的客户", "h_won": "成交客户", "h_win_rate": "赢单率",
        "h_pipeline_amount": "在途预计金额", "h_stalled": "停滞客户", "h_silent": "沉默客户",
        "h_overdue": "逾期跟进",
        "service_title": "客户服务报告", "tasks_by_person": "任务-按人员", "tasks_by_department": "任务-按部门",
        "time_to_close": "处理时长", "overdue_tasks": "已逾期", "overdue_task_list": "逾期任务",
        "feedback_by_type": "反馈类型", "feedback_by_month": "反馈-按月", "person": "人员",
        "department": "部门", "tasks": "任务数", "open_tasks": "未完成", "priority": "优先级",
        "closed": "已完成数", "median_days_to_close": "处理天数中位数", "task_id": "任务编号",
        "customer": "客户", "status": "状态", "due": "截止日期", "days_overdue": "逾期天数",
        "content": "任务内容", "type": "反馈类型", "feedback": "反馈数", "satisfaction": "平均满意度",
        "month": "月份", "complaints": "投诉数", "complaint_share": "投诉占比",
        "h_tasks": "任务总数", "h_open_tasks": "未完成任务", "h_overdue_tasks": "逾期任务",
        "h_median_days_to_close": "处理天数中位数", "h_feedback": "反馈总数",
        "h_complaint_share": "投诉占比", "h_satisfaction": "平均满意度",
        "blank": "（未填写）", "industry": "所属行业", "by_title": "{report} · 按{by}",
        "r_stalled": "闲置超过{n}天", "r_silent": "超过{n}天未跟进", "r_next": "下次跟进时间 {date} 已过",
        "r_cadence": "应每{every}天跟进，已{since}天未跟进", "pp": "个百分点", "r_join": "；",
        "definitions": "口径说明", "chart_axis": "横轴：{what}",
        "page_footer": "&A · 第 &P 页，共 &N 页",
        "forecast_title": "销售预测", "forecast_owners": "目标达成-按负责人", "forecast_stages": "在途商机-按阶段",
        "target": "目标金额", "won_amount": "已成交金额", "attainment": "达成率", "gap": "差额",
        "pipeline": "在途金额", "weighted_pipeline": "加权在途金额", "coverage": "覆盖倍数",
        "expected_amount": "预计完成金额", "expected_finish": "预计完成率", "run_rate": "按进度推算",
        "target_deals": "目标成交数", "won_deals": "已成交数", "open_customers": "在途客户数",
        "probability": "赢单概率", "total": "合计", "customers_without_target": "无目标负责人的客户",
        "owners_without_customers": "有目标无客户", "target_findings": "目标表问题", "column": "列", "cell": "单元格内容",
        "message": "说明", "rule": "规则", "target_vs_won": "目标 / 已成交", "pipeline_vs_gap": "加权在途 / 差额",
        "h_target": "目标金额", "h_won_amount": "已成交金额", "h_attainment": "达成率",
        "h_weighted_pipeline": "加权在途金额", "h_expected_finish": "预计完成率", "h_run_rate": "按进度推算",
    },
    "en": {
        "title": "Weekly customer report", "period": "Period", "as_of": "as of", "to": "to", "summary": "Summary",
        "funnel": "Funnel", "channel": "Channels", "stage": "Stages", "stalled": "Stalled",
        "silent": "Silent", "overdue": "Overdue", "funnel_by": "Funnel by group",
        "metric": "Metric", "value": "This period", "previous": "Previous", "change": "Change",
        "stage_col": "Stage", "current": "Now in stage", "reached": "Reached", "conversion": "Conversion",
        "win_rate": "Win rate", "group": "Group", "source": "Source", "customers": "Customers", "share": "Share",
        "won": "Won", "amount": "Expected amount", "cost": "Cost", "cost_per_customer": "Cost per customer",
        "cost_per_won": "Cost per won", "count": "Customers", "median_days_idle": "Median days idle",
        "max_days_idle": "Max days idle", "customer_id": "Customer ID", "name": "Customer", "owner": "Owner",
        "phone": "Phone", "intent": "Intent", "last_activity": "Last activity", "days_idle": "Days idle",
        "reason": "Reason", "sheet": "Sheet", "row": "Row", "none": "(none)", "more_rows": "more rows not listed (all of them: --format json)",
        "h_customers": "Customers", "h_new_customers": "New customers", "h_followups": "Follow-ups",
        "h_active_customers": "Customers followed up", "h_won": "Won customers", "h_win_rate": "Win rate",
        "h_pipeline_amount": "Open pipeline amount", "h_stalled": "Stalled", "h_silent": "Silent",
        "h_overdue": "Overdue follow-ups",
        "service_title": "Customer service report", "tasks_by_person": "Tasks by person",
        "tasks_by_department": "Tasks by department", "time_to_close": "Time to close",
        "overdue_tasks": "Overdue", "overdue_task_list": "Overdue tasks",
        "feedback_by_type": "Feedback by type", "feedback_by_month": "Feedback by month",
        "person": "Person", "department": "Department", "tasks": "Tasks", "open_tasks": "Open",
        "priority": "Priority", "closed": "Closed", "median_days_to_close": "Median days to close",
        "task_id": "Task ID", "customer": "Customer", "status": "Status", "due": "Due",
        "days_overdue": "Days overdue", "content": "Task", "type": "Type", "feedback": "Feedback",
        "satisfaction": "Mean satisfaction", "month": "Month", "complaints": "Complaints",
        "complaint_share": "Complaint share", "h_tasks": "Tasks", "h_open_tasks": "Open tasks",
        "h_overdue_tasks": "Overdue tasks", "h_median_days_to_close": "Median days to close",
        "h_feedback": "Feedback", "h_complaint_share": "Complaint share",
        "h_satisfaction": "Mean satisfaction",
        "blank": "(blank)", "industry": "Industry", "by_title": "{report} by {by}",
        "r_stalled": "idle over {n} d", "r_silent": "no follow-up for over {n} d",
        "r_next": "next follow-up {date} passed", "r_cadence": "every {every} d, {since} d since",
        "pp": "pp", "r_join": "; ", "definitions": "Definitions", "chart_axis": "Bar length: {what}",
        "page_footer": "&A · page &P of &N",
        "forecast_title": "Sales forecast", "forecast_owners": "Attainment by owner",
        "forecast_stages": "Pipeline by stage", "target": "Target", "won_amount": "Won",
        "attainment": "Attainment", "gap": "Gap", "pipeline": "Pipeline",
        "weighted_pipeline": "Weighted pipeline", "coverage": "Coverage",
        "expected_amount": "Expected", "expected_finish": "Expected finish", "run_rate": "Run rate",
        "target_deals": "Target deals", "won_deals": "Won deals", "open_customers": "Open customers",
        "probability": "Probability", "total": "Total", "customers_without_target": "Customers without a target",
        "owners_without_customers": "Targets without customers", "target_findings": "Target table problems",
        "column": "Column", "cell": "Cell", "message": "Message", "rule": "Rule", "target_vs_won": "Target / won",
        "pipeline_vs_gap": "Weighted pipeline / gap", "h_target": "Target", "h_won_amount": "Won",
        "h_attainment": "Attainment", "h_weighted_pipeline": "Weighted pipeline",
        "h_expected_finish": "Expected finish", "h_run_rate": "Run rate",
    },
}  # fmt: skip

# report profile
PROFILE_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "profile_title": "客户画像", "basis_orders": "依据成交记录表计算 RFM",
        "basis_followups": "未提供成交记录表：R、F 取自跟进记录，M 取自成交客户的预计成交金额",
        "segments": "价值细分", "key_customers": "关键客户", "churn": "流失风险",
        "churn_by_owner": "流失风险-按负责人", "hotspots": "咨询热点", "rfm": "RFM 明细",
        "segment": "客户价值", "recency_days": "最近成交距今天数", "frequency": "成交次数",
        "monetary": "成交总额", "r": "R分", "f": "F分", "m": "M分", "churn_risk": "流失风险",
        "reasons": "原因", "cumulative_share": "累计占比", "amount_share": "金额占比",
        "high": "高", "medium": "中", "low": "低", "category": "类别", "topic": "热点",
        "mentions": "本期", "mentions_previous": "上期",
        "h_scored_customers": "有成交的客户", "h_no_orders": "未成交客户", "h_repeat_rate": "复购率",
        "h_orders_per_customer": "人均成交次数", "h_avg_order_value": "客单价",
        "h_period_orders": "本期成交笔数", "h_period_amount": "本期成交金额",
        "h_key_customers": "关键客户数", "h_risk_high": "高流失风险", "h_risk_medium": "中流失风险",
        "key_customer": "关键客户", "key_title": "关键客户：{k} 位客户占成交总额的 80%",
        "pareto": "帕累托曲线", "at_risk": "高或中风险",
    },
    "en": {
        "profile_title": "Customer profile", "basis_orders": "RFM from the orders table",
        "basis_followups": "No orders table: R and F from follow-ups, M from won customers' expected amount",
        "segments": "Value segments", "key_customers": "Key customers", "churn": "Churn risk",
        "churn_by_owner": "Churn risk by owner", "hotspots": "Inquiry hot spots", "rfm": "RFM per customer",
        "segment": "Segment", "recency_days": "Days since last order", "frequency": "Orders",
        "monetary": "Amount", "r": "R", "f": "F", "m": "M", "churn_risk": "Churn risk",
        "reasons": "Reasons", "cumulative_share": "Cumulative share", "amount_share": "Amount share",
        "high": "High", "medium": "Medium", "low": "Low", "category": "Category", "topic": "Topic",
        "mentions": "This period", "mentions_previous": "Previous",
        "h_scored_customers": "Customers with orders", "h_no_orders": "Customers without orders",
        "h_repeat_rate": "Repeat-purchase rate", "h_orders_per_customer": "Orders per customer",
        "h_avg_order_value": "Mean order amount", "h_period_orders": "Orders this period",
        "h_period_amount": "Amount this period", "h_key_customers": "Key customers",
        "h_risk_high": "High churn risk", "h_risk_medium": "Medium churn risk",
        "key_customer": "Key customer", "key_title": "Key customers: {k} customers make 80% of the amount",
        "pareto": "Pareto curve", "at_risk": "High or medium risk",
    },
}  # fmt: skip

PROFILE_PERCENT_KEYS = {"repeat_rate", "cumulative_share", "amount_share"}
PROFILE_MONEY_KEYS = {"monetary", "avg_order_value", "period_amount"}
PROFILE_COUNT_KEYS = {"frequency", "recency_days", "r", "f", "m", "high", "medium", "low", "mentions",
                      "mentions_previous", "at_risk", "scored_customers", "no_orders", "key_customers",
                      "risk_high", "risk_medium", "period_orders"}  # fmt: skip
for _lang, _words in PROFILE_LABELS.items():
    LABELS[_lang].update(_words)

PERCENT_KEYS = {"share", "conversion", "win_rate", "complaint_share", "attainment",
                "expected_finish", "probability"} | PROFILE_PERCENT_KEYS  # fmt: skip
MONEY_KEYS = {"amount", "cost", "cost_per_customer", "cost_per_won", "pipeline_amount", "target",
              "won_amount", "gap", "pipeline", "weighted_pipeline", "expected_amount",
              "run_rate"} | PROFILE_MONEY_KEYS  # fmt: skip
COUNT_KEYS = {"current", "reached", "customers", "won", "count", "stalled", "days_idle", "row", "tasks",
              "open_tasks", "overdue_tasks", "closed", "days_overdue", "feedback", "complaints",
              "target_deals", "won_deals", "open_customers"} | PROFILE_COUNT_KEYS  # fmt: skip
NUMERIC_KEYS = PERCENT_KEYS | MONEY_KEYS | COUNT_KEYS | {
    "median_days_idle", "max_days_idle", "median_days_to_close", "satisfaction", "coverage",
    "orders_per_customer"}  # fmt: skip


def for_reader(listing: Any) -> Any:
    """A listing as a reader sees it: without the `sheet` column when no row has a sheet (a
    CSV file has none)."""
    if "sheet" in listing and listing["sheet"].isna().all():
        return listing.drop(columns="sheet")
    return listing


def label(lang: str, key: str) -> str:
    """The label of a key in a language (English when a key has no translation)."""
    return LABELS.get(lang, LABELS["en"]).get(key) or LABELS["en"].get(key, key)


def column_label(lang: str, key: str, by: str | None = None) -> str:
    """The header of a metrics column ("stage" is 阶段 here, not the report name; the "group"
    of a funnel per owner is headed 负责人)."""
    if key == "group" and by:
        return label(lang, by)
    return label(lang, "stage_col" if key == "stage" else key)


def funnel_by_title(lang: str, by: str) -> str:
    """The title of the funnel per group: 销售漏斗 · 按负责人."""
    return label(lang, "by_title").format(report=label(lang, "funnel"), by=label(lang, by))


def is_missing(value: Any) -> bool:
    """True for None, NaN, pd.NA and NaT (never shown as <NA>, nan or NaT)."""
    if value is None:
        return True
    import pandas as pd  # here, not at the top: `crmkit --help` imports no pandas (STYLE.md)

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array is a value
        return False


def format_value(key: str, value: Any) -> str:
    """A number as a person reads it: 76.2%, 1,240,000, 12; missing as —."""
    if is_missing(value):
        return "—"
    if key in PERCENT_KEYS:
        return f"{float(value) * 100:.1f}%"
    if key in MONEY_KEYS:
        return f"{float(value):,.0f}"
    if isinstance(value, float):
        return f"{value:g}" if value.is_integer() else f"{value:.1f}"
    if hasattr(value, "strftime"):
        return str(value.strftime("%Y-%m-%d"))
    return str(value)


def cell_text(lang: str, key: str, value: Any) -> str:
    """A table cell as a reader sees it: `format_value`, the empty group in the reader's language."""
    return (
        label(lang, "blank")
        if isinstance(value, str) and value == BLANK
        else format_value(key, value)
    )


def format_change(key: str, value: Any, previous: Any, lang: str = "en") -> str:
    """The change from the previous period: +3, -1.5 pp (percentages), or — when unknown."""
    if is_missing(value) or is_missing(previous):
        return "—"
    delta = float(value) - float(previous)
    if key in PERCENT_KEYS:
        return f"{delta * 100:+.1f} {label(lang, 'pp')}"
    if key in MONEY_KEYS:
        return f"{delta:+,.0f}"
    return f"{delta:+g}"
