"""Seeded generator of realistic Chinese customer and follow-up tables, clean or messy.

    python benchmarks/generate.py examples            # rebuild examples/
    python benchmarks/generate.py data N [--xlsx]     # N-row customer CSV (and xlsx) in benchmarks/data/

Messy tables carry the quirks of real sheets (phones as floats, +86, full-width digits,
dates as text or serials, title rows, 繁體 options) and injected errors whose (row, field)
are returned as ground truth.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

HEADERS = {
    "customer_id": "客户编号", "name": "客户名称", "industry": "所属行业", "contact": "联系人姓名",
    "phone": "联系电话", "email": "联系邮箱", "source": "客户来源", "intent": "意向等级",
    "stage": "销售阶段", "tags": "客户标签", "needs": "客户需求", "amount": "预计成交金额",
    "owner": "负责人", "created_at": "创建时间", "updated_at": "更新时间",
    "next_followup": "下次跟进时间", "notes": "备注",
}  # fmt: skip
FOLLOWUP_HEADERS = {
    "customer_id": "客户编号", "at": "跟进时间", "by": "跟进人", "channel": "沟通方式",
    "content": "沟通内容", "next_step": "下一步计划", "feedback": "客户反馈", "status": "跟进状态",
}  # fmt: skip

CITIES = [
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "成都",
    "武汉",
    "南京",
    "苏州",
    "西安",
    "重庆",
    "天津",
]
WORDS = ["星辰", "华信", "蓝海", "智远", "恒通", "云帆", "博雅", "金桥", "天成", "鼎盛", "瑞丰", "新锐",
         "汇智", "中科", "启明", "东方", "卓越", "宏图", "凯达", "银河", "思源", "海纳", "长风", "远航"]  # fmt: skip
TRADES = [
    "科技",
    "信息技术",
    "软件",
    "贸易",
    "制造",
    "教育科技",
    "医疗器械",
    "物流",
    "电子商务",
    "文化传媒",
]
FORMS = ["有限公司", "股份有限公司", "有限责任公司"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲建国红梅婷雪琳晨宇浩然子涵欣怡俊杰思远佳琪嘉豪"
INDUSTRIES = ["互联网", "信息技术", "软件", "制造业", "零售", "批发", "金融", "教育", "医疗", "服务业",
              "房地产", "建筑", "物流", "能源", "餐饮", "文化传媒", "农业", "政府", "其他"]  # fmt: skip
SOURCES = [
    "官网注册",
    "行业展会",
    "展会推荐",
    "客户转介绍",
    "线上广告",
    "线上搜索",
    "电话咨询",
    "被动咨询",
]
INTENTS = ["潜在客户", "意向客户", "高意向客户", "成交客户", "沉默客户"]
STAGES = ["初步接触", "需求分析", "方案报价", "合同谈判", "成交", "关闭"]
OWNERS = ["张敏", "李强", "王芳", "刘洋", "陈静", "赵磊"]
TAGS = ["需求类型-数据管理", "需求类型-客户分析", "需求类型-自动化营销", "预算规模-10万以下",
        "预算规模-10-50万", "预算规模-50万以上", "决策链角色-决策者", "决策链角色-影响者", "风险等级-低"]  # fmt: skip
NEEDS = ["需要客户数据统一管理，替换现有Excel台账", "希望分析客户复购情况并做分层运营",
         "计划上线营销自动化，支持短信和微信触达", "需要销售漏斗看板，按周汇报", "多门店会员数据打通"]  # fmt: skip
CONTENT = ["介绍了产品核心功能，客户关注数据导入和权限管理", "演示销售漏斗报表，客户希望按区域拆分",
           "沟通报价方案，客户认为价格偏高，希望分期付款", "确认合同条款，法务提出修改付款节点",
           "回访使用情况，客户反馈导入速度慢，已记录", "了解到客户预算在下季度审批，需要方案材料"]  # fmt: skip
NEXT = [
    "3月15日前发送详细方案",
    "下周二安排产品演示",
    "准备修订版报价单",
    "约客户技术负责人面谈",
    "跟进合同审批进度",
]
FEEDBACK = [
    "对功能满意，等内部评估",
    "认为价格偏高",
    "希望先试用两周",
    "需要与老板商量",
    "对实施周期有顾虑",
]
TASK_HEADERS = {
    "task_id": "任务编号", "customer_id": "客户编号", "customer_name": "客户名称", "initiator": "发起人",
    "assignee": "协作部门/人员", "content": "任务内容", "priority": "优先级", "due": "截止日期",
    "status": "当前状态", "result": "完成情况", "feedback": "客户反馈", "created_at": "创建时间",
    "closed_at": "完成时间",
}  # fmt: skip
FEEDBACK_HEADERS = {
    "date": "反馈日期", "customer_id": "客户编号", "customer_name": "客户名称", "type": "反馈类型",
    "description": "问题描述", "resolution": "处理结果", "satisfaction": "满意度评分",
    "suggestion": "改进建议",
}  # fmt: skip
HELPERS = ["技术支持-刘洋", "技术支持-孙悦", "产品部-周航", "财务部-吴倩", "法务部-郑凯"]
TASK_WORK = ["准备产品演示环境并导入客户样例数据", "评估客户现有系统的数据迁移方案",
             "出具分期付款的报价审批", "审核合同付款条款的修改", "排查客户反馈的导入速度问题"]  # fmt: skip
FEEDBACK_TEXT = {
    "咨询": ["询问数据导入是否支持WPS表格", "咨询增加账号的价格"],
    "建议": ["希望报表能按区域拆分", "建议增加微信消息提醒"],
    "投诉": ["导入五万行数据时系统卡顿超过十分钟", "实施顾问两次未按约定时间到场"],
    "表扬": ["培训讲解清楚，团队很快上手", "技术支持响应及时"],
}  # fmt: skip
CHANNELS = ["电话", "微信", "邮件", "面谈", "短信", "视频会议"]
VAGUE = ["已沟通", "询问需求", "跟进", "同上"]


@dataclass
class Generated:
    """Rows as lists of cell values in header order, and the injected errors as (row index, field)."""

    headers: list[str]
    rows: list[list[object]]
    errors: set[tuple[int, str]] = field(default_factory=set)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _company(rng: random.Random) -> str:
    return (
        rng.choice(CITIES)
        + rng.choice(WORDS)
        + rng.choice(WORDS)
        + rng.choice(TRADES)
        + rng.choice(FORMS)
    )


def make_customers(
    n: int, seed: int = 7, *, messy: bool = False, start: datetime | None = None
) -> Generated:
    """n customers; messy ones carry real-sheet quirks and about 3% injected errors."""
    rng = random.Random(seed)
    start = start or datetime(2024, 1, 8, 9, 0)
    names = list(HEADERS)
    rows: list[list[object]] = []
    errors: set[tuple[int, str]] = set()
    for i in range(n):
        created = start + timedelta(days=rng.randrange(300), minutes=rng.randrange(600))
        stage_index = min(int(rng.expovariate(0.6)), 5)
        stage = STAGES[stage_index]
        intent = (
            "成交客户"
            if stage == "成交"
            else ("沉默客户" if stage == "关闭" else rng.choice(INTENTS[:3]))
        )
        contact = _person(rng)
        person = rng.random() < 0.1
        record: dict[str, object] = {
            "customer_id": f"CRM{created:%Y%m%d}{i:04d}",
            "name": contact if person else _company(rng),
            "industry": rng.choice(INDUSTRIES),
            "contact": contact,
            "phone": _phone(rng),
            "email": f"user{i}@example.com" if rng.random() < 0.6 else None,
            "source": rng.choice(SOURCES),
            "intent": intent,
            "stage": stage,
            "tags": ",".join(rng.sample(TAGS, rng.randrange(0, 3))) or None,
            "needs": rng.choice(NEEDS),
            "amount": float(rng.randrange(1, 200) * 5000),
            "owner": rng.choice(OWNERS),
            "created_at": created,
            "updated_at": created + timedelta(days=rng.randrange(0, 30), hours=rng.randrange(0, 8)),
            "next_followup": (created + timedelta(days=rng.randrange(3, 40))).replace(
                hour=0, minute=0
            ),
            "notes": None,
        }
        if messy:
            _add_quirks(record, rng)
            kind = _add_error(record, rng) if rng.random() < 0.03 else None
            if kind:
                errors.add((i, kind))
        rows.append([record[k] for k in names])
    return Generated([HEADERS[k] for k in names], rows, errors)


def _add_quirks(record: dict[str, object], rng: random.Random) -> None:
    phone = str(record["phone"])
    roll = rng.random()
    if roll < 0.15:
        record["phone"] = float(phone)
    elif roll < 0.25:
        record["phone"] = f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}"
    elif roll < 0.3:
        record["phone"] = phone.translate({ord(c): 0xFF10 + int(c) for c in "0123456789"})
    elif roll < 0.33:
        record["phone"] = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    created = record["created_at"]
    assert isinstance(created, datetime)
    roll = rng.random()
    if roll < 0.1:
        record["created_at"] = f"{created.year}年{created.month}月{created.day}日"
    elif roll < 0.2:
        record["created_at"] = f"{created.year}/{created.month}/{created.day}"
    elif roll < 0.25:
        record["created_at"] = f"{created:%Y-%m-%d %H:%M}"
    if rng.random() < 0.05:
        record["source"] = {"客户转介绍": "客戶轉介紹", "官网注册": "官網註冊"}.get(
            str(record["source"]), "展会"
        )
    if rng.random() < 0.05:
        record["name"] = f"  {record['name']} "


def _add_error(record: dict[str, object], rng: random.Random) -> str:
    kind = rng.choice(
        ["phone", "phone_sci", "name", "source", "created_at", "amount", "notes", "email"]
    )
    if kind == "phone":
        record["phone"] = str(record["phone"])[:7]
    elif kind == "phone_sci":
        record["phone"] = "1.38123E+10"
        kind = "phone"
    elif kind == "name":
        record["name"] = None
    elif kind == "source":
        record["source"] = "朋友圈"
    elif kind == "created_at":
        record["created_at"] = "2024-02-30"
    elif kind == "amount":
        record["amount"] = -5000.0
    elif kind == "notes":
        record["notes"] = "身份证 11010519491231002X 已登记"
    elif kind == "email":
        record["email"] = "wang#example.com"
    return kind


def make_followups(
    customers: Generated, per_customer: float, seed: int = 11, *, vague: float = 0.0
) -> Generated:
    """Follow-up records for the customers: dates after creation, intents that only move forward."""
    rng = random.Random(seed)
    names = list(FOLLOWUP_HEADERS)
    index = {h: i for i, h in enumerate(customers.headers)}
    rows: list[list[object]] = []
    for customer in customers.rows:
        created = customer[index["创建时间"]]
        if not isinstance(created, datetime):
            continue
        count = max(1, int(rng.expovariate(1 / per_customer)))
        at = created
        level = 0
        for _ in range(count):
            at = at + timedelta(days=rng.randrange(1, 9), minutes=rng.randrange(0, 240))
            at = at.replace(second=0, microsecond=0)
            move = rng.random() < 0.3 and level < 2
            status = f"{INTENTS[level]}→{INTENTS[level + 1]}" if move else INTENTS[level]
            level += move
            content = rng.choice(VAGUE) if rng.random() < vague else rng.choice(CONTENT)
            record = {
                "customer_id": customer[index["客户编号"]], "at": at, "by": customer[index["负责人"]],
                "channel": rng.choice(CHANNELS), "content": content, "next_step": rng.choice(NEXT),
                "feedback": rng.choice(FEEDBACK), "status": status,
            }  # fmt: skip
            rows.append([record[k] for k in names])
    return Generated([FOLLOWUP_HEADERS[k] for k in names], rows)


def make_tasks(customers: Generated, n: int, seed: int = 31) -> Generated:
    """Collaboration tasks of summer 2024: done ones, and open ones overdue, due and ahead on 2024-09-02."""
    rng = random.Random(seed)
    index = {h: i for i, h in enumerate(customers.headers)}
    rows: list[list[object]] = []
    for number in range(n):
        customer = rng.choice(customers.rows)
        status = rng.choice(["已完成", "已完成", "处理中", "待处理", "待审核"])
        # Done tasks spread over the summer; open ones were mostly raised in the last two weeks.
        first, span = (
            (datetime(2024, 7, 15, 9), 45) if status == "已完成" else (datetime(2024, 8, 19, 9), 14)
        )
        created = first + timedelta(days=rng.randrange(0, span), hours=rng.randrange(0, 8))
        due = (created + timedelta(days=rng.choice((2, 3, 5, 7, 10)))).replace(hour=0, minute=0)
        closed = created + timedelta(days=rng.randrange(1, 9)) if status == "已完成" else None
        by_name = number % 4 == 0  # some sheets name the customer, not its id
        record = {
            "task_id": f"TASK{number + 1:04d}",
            "customer_id": None if by_name else customer[index["客户编号"]],
            "customer_name": customer[index["客户名称"]], "initiator": customer[index["负责人"]],
            "assignee": rng.choice(HELPERS), "content": rng.choice(TASK_WORK),
            "priority": rng.choice(["紧急", "重要", "重要", "一般"]), "due": due, "status": status,
            "result": "已交付，客户确认" if closed else None,
            "feedback": rng.choice(FEEDBACK) if closed else None,
            "created_at": created, "closed_at": closed,
        }  # fmt: skip
        rows.append([record[k] for k in TASK_HEADERS])
    return Generated(list(TASK_HEADERS.values()), rows)


def make_feedback(customers: Generated, n: int, seed: int = 37) -> Generated:
    """Customer feedback from June to August 2024: every type, scores 1–5."""
    rng = random.Random(seed)
    index = {h: i for i, h in enumerate(customers.headers)}
    rows: list[list[object]] = []
    for number in range(n):
        customer = rng.choice(customers.rows)
        kind = rng.choice(["咨询", "咨询", "建议", "投诉", "表扬"])
        score = {"投诉": rng.choice((1, 2, 3)), "表扬": 5}.get(kind, rng.choice((3, 4, 5)))
        record = {
            "date": datetime(2024, 6, 1) + timedelta(days=rng.randrange(0, 92)),
            "customer_id": customer[index["客户编号"]] if number % 3 else None,
            "customer_name": customer[index["客户名称"]], "type": kind,
            "description": rng.choice(FEEDBACK_TEXT[kind]),
            "resolution": "已回复并解决" if rng.random() < 0.8 else None,
            "satisfaction": score if rng.random() < 0.9 else None,
            "suggestion": "导入大文件时显示进度" if kind == "投诉" else None,
        }  # fmt: skip
        rows.append([record[k] for k in FEEDBACK_HEADERS])
    return Generated(list(FEEDBACK_HEADERS.values()), rows)


def write_xlsx(data: Generated, path: Path, *, sheet: str, title: str | None = None,
               header_marks: bool = False, extra: dict[str, list[object]] | None = None) -> None:  # fmt: skip
    """Write a generated table with openpyxl, as a person would have typed it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=not title)
    ws = workbook.create_sheet(sheet) if not title else workbook.active
    if title:
        ws.title = sheet
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
        ws.cell(row=1, column=1).font = Font(bold=True, size=14)
        ws.append([])
    headers = [
        f"{h}*" if header_marks and h in ("客户名称", "联系电话", "客户来源") else h
        for h in data.headers
    ]
    headers = [
        h.replace("预计成交金额", "预计成交金额（元）") if header_marks else h for h in headers
    ]
    extra = extra or {}
    ws.append(headers + list(extra))
    for i, row in enumerate(data.rows):
        ws.append(list(row) + [values[i] for values in extra.values()])
    workbook.save(path)


def write_csv(data: Generated, path: Path, *, encoding: str = "utf-8-sig") -> None:
    """Write a generated table as CSV, dates in Excel's text form."""
    import csv

    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(data.headers)
        for row in data.rows:
            writer.writerow(
                [
                    v.strftime("%Y-%m-%d %H:%M")
                    if isinstance(v, datetime)
                    else ("" if v is None else v)
                    for v in row
                ]
            )


def build_examples(folder: Path) -> None:
    """Rebuild examples/: customers, follow-ups, tasks, feedback, trade-fair leads, a messy workbook."""
    folder.mkdir(parents=True, exist_ok=True)
    customers = make_customers(50, seed=2024)
    write_xlsx(customers, folder / "customers.xlsx", sheet="客户信息")
    followups = make_followups(customers, 5.0, seed=2025)
    write_xlsx(followups, folder / "followups.xlsx", sheet="跟进记录")
    write_xlsx(make_tasks(customers, 30), folder / "tasks.xlsx", sheet="沟通协作任务")
    write_xlsx(make_feedback(customers, 24), folder / "feedback.xlsx", sheet="客户反馈记录")
    expo = make_expo_leads(customers)
    expo_fair = ["2024深圳CRM展" if i % 2 else "2024上海数字营销展" for i in range(len(expo.rows))]
    expo.headers.append("展会名称")
    for row, fair in zip(expo.rows, expo_fair, strict=True):
        row.append(fair)
    write_csv(expo, folder / "expo_leads.csv", encoding="gb18030")
    messy = make_customers(40, seed=99, messy=True)
    _messy_touches(messy)
    wechat = [f"wx_{i:03d}" if i % 3 else None for i in range(len(messy.rows))]
    write_xlsx(messy, folder / "messy_customers.xlsx", sheet="客户信息", title="表1:CRM客户基础信息表",
               header_marks=True, extra={"微信号": wechat})  # fmt: skip


def make_expo_leads(customers: Generated) -> Generated:
    """Leads from a trade fair: some are customers already in `customers`, spelled otherwise.

    Duplicates: city in brackets and +86 phone; 繁體 and a phone stored as a float; no legal
    form and another phone but the same contact; an individual with the same phone; one wrong
    character. Hard negatives: the same brand in another city, names one character apart, a
    namesake individual. Plus new leads, and a column the spec does not know (展会名称).
    """
    col = {h: i for i, h in enumerate(customers.headers)}
    base = [list(r) for r in customers.rows]

    def lead(row: int | None, **changes: object) -> list[object]:
        record = list(base[row]) if row is not None else [None] * len(customers.headers)
        record[col["客户编号"]] = None
        record[col["客户来源"]] = "行业展会"
        record[col["创建时间"]] = datetime(2024, 8, 30, 10, 0)
        record[col["更新时间"]] = datetime(2024, 8, 31, 16, 30)
        record[col["下次跟进时间"]] = None
        record[col["客户标签"]] = "来源-展会"
        for key, value in changes.items():
            record[col[HEADERS[key]]] = value
        return record

    rows = [
        lead(0, name="金桥思源物流(苏州)有限公司", phone="+86 177-8142-5421"),
        lead(1, name="天津遠航恆通教育科技股份有限公司", phone=15852184378.0),
        lead(3, name="西安海纳蓝海信息技术", phone="13911112222", email=None),
        lead(6, phone="136 8220 0696"),
        lead(4, name="杭州恒通凯迭制造有限责任公司", phone="16234812705"),
        lead(9, name="上海海纳中科科技有限公司", contact="周敏", phone="13522223333", email=None),
        lead(5, name="西安蓝海卓悦软件有限公司", contact="孔令华", phone="18633334444", email=None),
        lead(6, phone="13744445555", email=None),
        lead(None, name="成都天成鼎盛科技有限公司", industry="软件", contact="叶青", phone="18055556666",
             intent="潜在客户", stage="初步接触", owner="王芳"),
        lead(None, name="南京瑞丰新锐贸易有限公司", industry="批发", contact="蒋涛", phone="025-86667777",
             intent="意向客户", stage="需求分析", owner="李强"),
    ]  # fmt: skip
    return Generated(customers.headers, rows)


def _messy_touches(messy: Generated) -> None:
    """Make sure the messy example shows each quirk and each error at least once."""
    col = {h: i for i, h in enumerate(messy.headers)}
    rows = messy.rows
    rows[0][col["联系电话"]] = 13812345678.0
    rows[1][col["联系电话"]] = "+86 139-1234-5678"
    rows[2][col["联系电话"]] = "１３７１２３４５６７８"
    rows[3][col["联系电话"]] = "010-62345678"
    rows[4][col["联系电话"]] = "1.38123E+10"
    rows[5][col["创建时间"]] = "2024年3月10日"
    rows[6][col["创建时间"]] = 45361
    rows[7][col["创建时间"]] = "2024-02-30"
    rows[8][col["客户来源"]] = "客戶轉介紹"
    rows[9][col["客户来源"]] = "朋友圈"
    rows[10][col["客户编号"]] = None
    rows[11][col["客户编号"]] = None
    rows[12][col["客户名称"]] = None
    rows[13][col["备注"]] = "客户身份证 11010519491231002X，勿外传"
    rows[14][col["预计成交金额"]] = -5000.0
    rows[15][col["联系邮箱"]] = "ｌｉｕ＠ＥＸＡＭＰＬＥ.com"
    rows[16][col["客户编号"]] = rows[17][col["客户编号"]]
    rows[18][col["联系电话"]] = "62345678"
    # Tags as teams write them (issue 4): synonyms, amounts, other joiners and separators.
    rows[20][col["客户标签"]] = "预算低，高意向"
    rows[21][col["客户标签"]] = "预算<10万、决策人"
    rows[22][col["客户标签"]] = "预算 8万;意向高"
    rows[23][col["客户标签"]] = "预算规模_10万以下 | 风险等级-低"
    rows[24][col["客户标签"]] = "budget 300k,需求类型-客户分析,VIP"
    rows[25][col["客户标签"]] = "预算30万 决策链角色-影响者"
    rows[26][col["客户标签"]] = "預算規模-50萬以上,需求类型-数据管理,需求类型-数据管理"


def main(argv: list[str]) -> None:
    if argv[:1] == ["examples"]:
        build_examples(Path(__file__).resolve().parent.parent / "examples")
        return
    if argv[:1] == ["data"] and len(argv) >= 2:
        n = int(argv[1])
        out = Path(__file__).resolve().parent / "data"
        out.mkdir(exist_ok=True)
        data = make_customers(n, seed=n, messy=True)
        write_csv(data, out / f"customers_{n}.csv")
        if "--xlsx" in argv:
            write_xlsx(data, out / f"customers_{n}.xlsx", sheet="客户信息")
        return
    print(__doc__)
    raise SystemExit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
