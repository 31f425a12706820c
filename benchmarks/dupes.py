"""Seeded customer tables with known duplicate clusters, for measuring `crmkit dedupe`.

    python benchmarks/dupes.py N [OUT.csv]      # N rows (default benchmarks/data/dupes_N.csv)

Each row belongs to an entity (the true customer); about a fifth of the entities are entered
two to four times, each copy changed the way real sheets change it: 有限公司 / 股份有限公司
added, dropped or swapped, the city in front, in brackets or gone, 繁體, full-width letters,
stray spaces, one wrong character, the phone with +86, dashes or stored as a float, another
phone or another contact person (never all evidence at once: a copy that shares nothing but
a similar name cannot be told apart by anyone). Hard negatives are made on purpose: the same
brand in another city (北京星辰科技 / 上海星辰科技), names one character apart (华为 / 华美)
with other phones and contacts, and individuals with the same name (two 张伟) and other
phones. The entity of each row is the `entity` column; the scorer ignores it.
"""

from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import opencc

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import GIVEN, HEADERS, INDUSTRIES, OWNERS, SOURCES, SURNAMES  # noqa: E402

BRAND = (
    "华信达通德盛兴隆泰康宏远鸿鹏飞腾龙凤祥瑞丰源恒昌明光辉耀星辰月阳海洋江河峰川林森金银"
    "晶彩虹云天宇宙乾坤新锐蓝红绿紫博雅文思智慧聪颖优卓越精诚义仁和美佳嘉益利福禄喜乐欣悦"
    "润泽汇聚合众志创启航帆风雷电科联邦盟友港湾桥峻峡溪泉湖洲岛众鼎九千百万亿元方圆正道德"
    "立本永久长盈丰收满意舜禹尧汉唐宋元明清奥迪凯特斯普朗瑞克赛威力诺森林佰仟亨通豪迈振"
    "铭轩昊泓淼焱垚鑫磊晟昱煜琦璟瑾瑜琪璐璇琳珂珑珏瑛瑶蕾薇萱芷若兰竹松柏梅菊荷莲桃李杏"
)
TRADES = [
    "科技", "信息技术", "软件", "贸易", "制造", "教育科技", "医疗器械", "物流", "电子商务",
    "文化传媒", "网络科技", "电子", "机械", "建筑工程", "食品", "餐饮管理", "商贸", "实业",
    "咨询", "广告", "环保科技", "新能源", "生物科技", "汽车服务", "家居", "服饰", "化工",
    "包装", "印刷", "仪器仪表",
]  # fmt: skip
FORMS = ["有限公司", "股份有限公司", "有限责任公司", ""]
CITIES = [
    "北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "苏州", "西安", "重庆",
    "天津", "长沙", "郑州", "青岛", "济南", "合肥", "福州", "厦门", "昆明", "沈阳", "大连",
    "宁波", "无锡", "佛山", "东莞", "南昌", "贵阳", "南宁", "太原", "石家庄", "哈尔滨",
]  # fmt: skip
FIELDS = list(HEADERS)
_S2T = opencc.OpenCC("s2t")
_WIDE = {i: i + 0xFEE0 for i in range(0x21, 0x7F)}


@dataclass
class Entity:
    """One true customer."""

    person: bool
    brand: str
    trade: str
    city: str
    form: str
    contact: str
    phone: str
    email: str | None

    def name(self) -> str:
        if self.person:
            return self.contact
        return f"{self.city}{self.brand}{self.trade}{self.form}"


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _brand(rng: random.Random) -> str:
    if rng.random() < 0.04:
        return "".join(rng.choice("ABCDEFGHJKLMNPRSTWXYZ") for _ in range(rng.randint(2, 4)))
    return "".join(rng.choice(BRAND) for _ in range(2 if rng.random() < 0.7 else 3))


def _entity(rng: random.Random, serial: int) -> Entity:
    person = rng.random() < 0.15
    contact = _person(rng)
    return Entity(
        person=person,
        brand=_brand(rng),
        trade=rng.choice(TRADES),
        city=rng.choice(CITIES) if rng.random() < 0.6 else "",
        form=rng.choice(FORMS[:3]),
        contact=contact,
        phone=_phone(rng),
        email=f"c{serial}@{rng.choice(['qq.com', '163.com', 'example.cn'])}"
        if rng.random() < 0.5
        else None,
    )


def _hard_negative(base: Entity, rng: random.Random, serial: int) -> Entity:
    """A different customer that looks like `base`."""
    other = _entity(rng, serial)
    other.person = base.person
    if base.person:
        other.contact = base.contact  # the same name, another person
        return other
    other.trade = base.trade
    if rng.random() < 0.5:  # the same brand in another city
        other.brand = base.brand
        other.city = rng.choice([c for c in CITIES if c != base.city])
        base.city = base.city or rng.choice([c for c in CITIES if c != other.city])
    else:  # one character apart (华为 / 华美)
        chars = list(base.brand)
        chars[rng.randrange(len(chars))] = rng.choice(BRAND)
        other.brand = "".join(chars)
        other.city = base.city
    return other


def _typo(text: str, rng: random.Random) -> str:
    chars = list(text)
    position = rng.randrange(len(chars))
    chars[position] = rng.choice([c for c in BRAND if c != chars[position]])
    return "".join(chars)


def _variant_name(entity: Entity, rng: random.Random, typo: bool) -> str:
    if entity.person:
        name = entity.contact
        if rng.random() < 0.2:
            name = " ".join(name)
        return _S2T.convert(name) if rng.random() < 0.15 else name
    brand = _typo(entity.brand, rng) if typo else entity.brand
    form = rng.choice(FORMS) if rng.random() < 0.5 else entity.form
    core = f"{brand}{entity.trade}"
    where = rng.random()
    if entity.city and where < 0.3:
        name = f"{core}({entity.city}){form}" if form else f"{core}({entity.city})"
    elif entity.city and where < 0.5:
        name = f"{core}{form}"
    else:
        city = entity.city + ("市" if entity.city and rng.random() < 0.2 else "")
        name = f"{city}{core}{form}"
    if rng.random() < 0.15:
        name = _S2T.convert(name)
    if rng.random() < 0.3:
        name = name.translate(_WIDE)
    if rng.random() < 0.1:
        cut = rng.randrange(1, len(name))
        name = f"{name[:cut]} {name[cut:]}"
    return name


def _variant_phone(phone: str, rng: random.Random) -> str | float:
    style = rng.random()
    if style < 0.35:
        return phone
    if style < 0.55:
        return f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if style < 0.7:
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    if style < 0.85:
        return float(phone)
    return phone.translate(_WIDE)


def _copy(entity: Entity, rng: random.Random) -> dict[str, object]:
    """One more record of `entity`, as another person or channel entered it."""
    typo = not entity.person and rng.random() < 0.1
    keep_phone = rng.random() < 0.85
    keep_contact = entity.person or rng.random() < 0.9
    keep_email = entity.email is not None and rng.random() < 0.7
    if not keep_phone and not (keep_contact and not typo) and not keep_email:
        keep_phone = True
    if entity.person and not keep_phone and not keep_email:
        keep_phone = True
    contact = entity.contact if keep_contact else _person(rng)
    if keep_contact and rng.random() < 0.1:
        contact = _S2T.convert(contact)
    phone: str | float = _variant_phone(entity.phone, rng) if keep_phone else _phone(rng)
    return {
        "name": _variant_name(entity, rng, typo),
        "contact": entity.contact if entity.person else contact,
        "phone": phone,
        "email": entity.email if keep_email else None,
    }


def make_pool(rows: int, seed: int = 11) -> tuple[list[str], list[list[object]]]:
    """`rows` customer records (headers, rows); the last column is the true entity."""
    rng = random.Random(seed)
    records: list[tuple[int, dict[str, object]]] = []
    serial = 0
    while len(records) < rows:
        serial += 1
        entity = _entity(rng, serial)
        group = [entity]
        if rng.random() < 0.06:
            serial += 1
            group.append(_hard_negative(entity, rng, serial))
        for member in group:
            ident = serial if member is group[-1] else serial - 1
            base = {
                "name": member.name(),
                "contact": member.contact,
                "phone": member.phone,
                "email": member.email,
            }
            records.append((ident, base))
            if rng.random() < 0.2:
                extra = rng.choices((1, 2, 3), (0.7, 0.2, 0.1))[0]
                records.extend((ident, _copy(member, rng)) for _ in range(extra))
    records = records[:rows]
    rng.shuffle(records)
    start = datetime(2021, 1, 4, 9, 0)
    out: list[list[object]] = []
    for number, (ident, record) in enumerate(records, 1):
        created = start + timedelta(minutes=rng.randrange(4 * 365 * 24 * 60))
        full = {
            "customer_id": f"CRM{created:%Y%m%d}{number:07d}",
            "industry": rng.choice(INDUSTRIES),
            "source": rng.choice(SOURCES),
            "intent": "潜在客户",
            "stage": "初步接触",
            "tags": None,
            "needs": None,
            "amount": float(rng.randrange(1, 100) * 1000),
            "owner": rng.choice(OWNERS),
            "created_at": created.strftime("%Y-%m-%d %H:%M"),
            "updated_at": (created + timedelta(days=rng.randrange(60))).strftime("%Y-%m-%d %H:%M"),
            "next_followup": None,
            "notes": None,
            **record,
        }
        out.append([full[k] for k in FIELDS] + [ident])
    return [HEADERS[k] for k in FIELDS] + ["entity"], out


def write_pool(rows: int, path: Path, seed: int = 11) -> Path:
    """Write the pool as UTF-8 CSV with a BOM (cached: an existing file is reused)."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    headers, data = make_pool(rows, seed)
    temp = path.with_suffix(".tmp")
    with temp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(data)
    temp.replace(path)
    return path


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "data" / f"dupes_{count}.csv"
    print(write_pool(count, target))
