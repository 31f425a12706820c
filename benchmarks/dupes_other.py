"""A second generator of customer tables with known duplicates, written apart from the rules.

    python benchmarks/dupes_other.py N [OUT.csv]   # default benchmarks/data/dupes_other2_N.csv

benchmarks/dupes.py was written beside the matching rules; this one models how records of one
customer come to differ, without looking at what crmkit compares. Each customer is entered
by channels: the registry name from a contract (广东省深圳市… 有限公司), the short name a sales
rep types (brand and trade), a trade-fair card (an English name for a fifth of them), a
WeChat lead (a person's name, a mobile). Each copy keeps at least one thing a person could
match it by (a phone, an e-mail, or the contact and a name written as the customer's other
records write it; a copy of a company that shares its phone with a sister company or a store
of its chain also names its trade or store), and may be typed badly: a
homophone from a hand-made list of input-method slips, a dropped or swapped character,
繁體, full-width, stray spaces, a landline with or without area code, +86, an extension.
Different customers that look alike: stores of one chain (朝阳店 / 海淀店) with the chain's
hotline, sister companies of a group sharing a switchboard and a purchasing contact, the
same brand registered in two cities, people with the same or a homophone name, and family
members sharing a phone. The entity of each row is the `entity` column.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The pools' file names carry it: 2 since the copies keep what a person tells them apart by.
VERSION = 2
HEADERS = [
    "客户编号",
    "客户名称",
    "联系人姓名",
    "联系电话",
    "联系邮箱",
    "客户来源",
    "创建时间",
    "entity",
]

# Input-method slips: characters typed for one another (same pinyin), written by hand.
SLIPS = [
    "静晶精京经",
    "洋阳杨扬",
    "思丝斯司",
    "伟薇威维玮",
    "达大",
    "华化划",
    "明铭鸣",
    "辉晖徽灰",
    "林琳霖临",
    "芳方舫",
    "丽莉力立利",
    "军君均",
    "平萍苹",
    "强墙",
    "杰洁捷",
    "敏闽",
    "涛滔韬",
    "鑫新欣心馨",
    "源元园远圆",
    "泰太态",
    "通同铜童",
    "盛胜圣",
    "润闰",
    "嘉佳家加",
    "宏鸿洪红",
    "峰锋丰枫风",
    "晨辰尘臣",
    "宇雨语羽",
    "凯恺楷",
    "瑞锐睿",
    "博搏泊",
    "恒衡横",
    "信新心",
]
SLIP = {c: group.replace(c, "") for group in SLIPS for c in group}
FAMILY = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊洋艳勇军杰娟涛明超霞平刚桂华辉鑫晨宇思佳嘉林峰源凯瑞博恒"
BRANDS = "金银恒达宏盛润泰通源嘉鑫博瑞凯宇晨峰林辉明华信诚德顺安康丰益海天星月云龙凤东方正和"
TRADES = ["科技", "贸易", "物流", "餐饮", "建材", "服饰", "医药", "电子", "机械", "文化传媒",
          "网络技术", "食品", "家具", "化工", "教育咨询"]  # fmt: skip
CITIES = {"北京": "010", "上海": "021", "广州": "020", "深圳": "0755", "杭州": "0571",
          "成都": "028", "武汉": "027", "南京": "025", "西安": "029", "苏州": "0512"}  # fmt: skip
PROVINCE = {"广州": "广东省", "深圳": "广东省", "杭州": "浙江省", "成都": "四川省",
            "武汉": "湖北省", "南京": "江苏省", "西安": "陕西省", "苏州": "江苏省"}  # fmt: skip
FORMS = ["有限公司", "股份有限公司", "有限责任公司"]
DISTRICTS = ["朝阳", "海淀", "浦东", "徐汇", "天河", "南山", "西湖", "武侯"]
EN = ["Golden", "Harbor", "Sino", "Pacific", "Orient", "Summit", "Star", "River", "Jade",
      "Phoenix", "Crown", "Unity", "Bright", "Grand", "Ever", "Prime", "Lucky", "Silk"]  # fmt: skip
EN_TRADES = {"科技": "Technology", "贸易": "Trading", "物流": "Logistics", "餐饮": "Catering",
             "电子": "Electronics", "食品": "Foods", "医药": "Pharma"}  # fmt: skip
WIDE = {i: i + 0xFEE0 for i in range(0x21, 0x7F)}
TRAD = str.maketrans("华东门达龙丰兴发汇际贸电医药业书乐", "華東門達龍豐興發匯際貿電醫藥業書樂")


class Maker:
    """Seeded makers of entities and their copies."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used_phones: set[str] = set()

    def mobile(self) -> str:
        while True:
            phone = f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"
            if phone not in self.used_phones:
                self.used_phones.add(phone)
                return phone

    def landline(self, city: str) -> str:
        return f"{CITIES[city]}-{self.rng.randrange(2, 9)}{self.rng.randrange(10**7):07d}"

    def person(self) -> str:
        return self.rng.choice(FAMILY) + "".join(
            self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2)))
        )

    def company(self, serial: int) -> dict[str, str]:
        rng = self.rng
        city = rng.choice(list(CITIES))
        brand = "".join(rng.choice(BRANDS) for _ in range(rng.choice((2, 2, 3, 4))))
        trade = rng.choice(TRADES)
        english = rng.random() < 0.2
        return {
            "kind": "company",
            "city": city,
            "brand": brand,
            "trade": trade,
            "form": rng.choice(FORMS),
            "english": " ".join(rng.sample(EN, rng.choice((1, 2)))) if english else "",
            "contact": self.person(),
            "phone": self.landline(city) if rng.random() < 0.4 else self.mobile(),
            "email": f"{brand_code(brand, serial)}@{rng.choice(['163.com', 'qq.com', 'corp.cn'])}"
            if rng.random() < 0.5
            else "",
        }

    def individual(self, serial: int) -> dict[str, str]:
        name = self.person()
        return {
            "kind": "person",
            "contact": name,
            "phone": self.mobile(),
            "email": f"u{serial}@qq.com" if self.rng.random() < 0.3 else "",
        }

    # ------------------------------------------------------------ how a copy differs

    def slip(self, text: str) -> str:
        """One input-method slip, a dropped or a swapped character (not in the first one)."""
        rng = self.rng
        places = [i for i, c in enumerate(text) if c in SLIP]
        kind = rng.random()
        if places and kind < 0.6:
            at = rng.choice(places)
            return text[:at] + rng.choice(SLIP[text[at]]) + text[at + 1 :]
        if len(text) >= 4 and kind < 0.8:
            at = rng.randrange(1, len(text))
            return text[:at] + text[at + 1 :]
        if len(text) >= 3:
            at = rng.randrange(1, len(text) - 1)
            return text[:at] + text[at + 1] + text[at] + text[at + 2 :]
        return text

    def surface(self, text: str) -> str:
        rng = self.rng
        if rng.random() < 0.1:
            text = text.translate(TRAD)
        if rng.random() < 0.1:
            text = text.translate(WIDE)
        if rng.random() < 0.08 and len(text) > 2:
            at = rng.randrange(1, len(text))
            text = f"{text[:at]} {text[at:]}"
        return text

    def company_name(self, e: dict[str, str], typo: bool, telling: bool = False) -> str:
        """A name of `e` from one channel; `telling`: one that names its trade or its store.

        A copy kept by nothing but the contact needs a name a person can read: not an English
        card, which no other record of the customer carries. A copy of a company with a sister
        or a store on its phone needs a name that says which one it is: not the city and the
        brand alone, nor an English card without its trade.
        """
        rng = self.rng
        brand = self.slip(e["brand"]) if typo else e["brand"]
        channel = rng.random()
        english = e["english"] and not (telling and e["trade"] not in EN_TRADES)
        if telling and channel >= 0.85:
            channel = rng.uniform(0.0, 0.85)
        if english and channel < 0.2:
            trade = EN_TRADES.get(e["trade"], "Co.")
            return (
                f"{e['english']} {trade} {rng.choice(['Co., Ltd.', 'Ltd', 'Limited', ''])}".strip()
            )
        if channel < 0.45:  # the registry name
            province = PROVINCE.get(e["city"], "")
            head = rng.choice([province + e["city"] + "市", e["city"] + "市", e["city"]])
            return self.surface(f"{head}{brand}{e['trade']}{e['form']}")
        if channel < 0.6:
            return self.surface(f"{brand}{e['trade']}({e['city']}){e['form']}")
        if channel < 0.85:  # a sales rep's short name
            return self.surface(f"{brand}{e['trade']}")
        return self.surface(f"{e['city']}{brand}")

    def phone_text(self, phone: str) -> str | float:
        rng = self.rng
        style = rng.random()
        if "-" in phone:  # a landline
            area, number = phone.split("-")
            if style < 0.3:
                return phone
            if style < 0.5:
                return f"({area}){number}"
            if style < 0.65:
                return f"+86 {area[1:]} {number}"
            if style < 0.8:
                return f"{area} {number[:4]} {number[4:]}"
            return f"{phone} 转{rng.randrange(100, 999)}"
        if style < 0.4:
            return phone
        if style < 0.55:
            return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
        if style < 0.7:
            return f"+86{phone}"
        if style < 0.85:
            return float(phone)
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"

    def copy(self, e: dict[str, str], shared: bool = False) -> dict[str, object]:
        """Another record of `e`; at least one of phone, e-mail, contact+name kept intact.

        `shared`: another customer of the group has `e`'s phone (a sister company, a store of
        the chain), so the name must tell them apart.
        """
        rng = self.rng
        keep_phone = rng.random() < 0.8
        keep_email = bool(e["email"]) and rng.random() < 0.6
        keep_contact = rng.random() < 0.85
        typo = rng.random() < 0.15
        if not (keep_phone or keep_email):
            keep_contact, typo = True, False if e["kind"] == "person" else typo
            if e["kind"] == "person":
                keep_phone = True
        if e["kind"] == "person":
            name = self.slip(e["contact"]) if typo and len(e["contact"]) > 2 else e["contact"]
            name = self.surface(name)
            contact: str = name
        else:
            only_contact = not (keep_phone or keep_email)
            name = self.company_name(e, typo, telling=shared)
            while only_contact and name.isascii():
                name = self.company_name(e, typo, telling=shared)
            contact = e["contact"] if keep_contact else self.person()
            if keep_contact and rng.random() < 0.1:
                contact = contact.translate(TRAD)
        email = e["email"] if keep_email else ""
        if email and rng.random() < 0.3:
            email = email.upper()
        phone: object = self.phone_text(e["phone"]) if keep_phone else ""
        if not keep_phone and rng.random() < 0.5:
            phone = self.mobile()
        return {"name": name, "contact": contact, "phone": phone, "email": email}

    def first(self, e: dict[str, str]) -> dict[str, object]:
        if e["kind"] == "person":
            return {"name": e["contact"], "contact": e["contact"], "phone": e["phone"],
                    "email": e["email"]}  # fmt: skip
        province = PROVINCE.get(e["city"], "")
        return {
            "name": f"{province}{e['city']}市{e['brand']}{e['trade']}{e['form']}",
            "contact": e["contact"],
            "phone": e["phone"],
            "email": e["email"],
        }

    # ------------------------------------------------------------ look-alikes

    def look_alikes(self, e: dict[str, str], serial: int) -> list[dict[str, str]]:
        """Other customers that look like `e` (may be none)."""
        rng = self.rng
        kind = rng.random()
        if e["kind"] == "person":
            if kind < 0.05:  # the same or a homophone name, another person
                other = self.individual(serial)
                other["contact"] = self.slip(e["contact"]) if rng.random() < 0.5 else e["contact"]
                return [other]
            if kind < 0.08:  # a family member on the same phone
                other = self.individual(serial)
                other["contact"] = e["contact"][0] + self.person()[1:]
                other["phone"] = e["phone"]
                return [other] if other["contact"] != e["contact"] else []
            return []
        if kind < 0.03:  # stores of one chain, the chain's hotline
            stores = []
            for district in rng.sample(DISTRICTS, 2):
                store = dict(e)
                store["trade"] = f"{e['trade']}({district}店)"
                store["contact"] = self.person()
                store["email"] = ""
                stores.append(store)
            e["trade"] = f"{e['trade']}({rng.choice(DISTRICTS)}店)"
            return [s for s in stores if s["trade"] != e["trade"]][:1]
        if kind < 0.06:  # a sister company of a group: one switchboard, one purchaser
            sister = dict(e)
            sister["trade"] = rng.choice([t for t in TRADES if t != e["trade"]])
            sister["email"] = ""
            return [sister]
        if kind < 0.09:  # the same brand registered in another city
            other = self.company(serial)
            other.update(brand=e["brand"], trade=e["trade"], english="")
            other["city"] = rng.choice([c for c in CITIES if c != e["city"]])
            return [other]
        return []


def brand_code(brand: str, serial: int) -> str:
    return f"b{serial}x{len(brand)}"


def make_other(rows: int, seed: int = 23) -> list[list[object]]:
    """`rows` records (HEADERS order), the true entity last."""
    maker = Maker(seed)
    rng = maker.rng
    records: list[tuple[int, dict[str, object]]] = []
    serial = 0
    while len(records) < rows:
        serial += 1
        entity = maker.individual(serial) if rng.random() < 0.2 else maker.company(serial)
        group = [entity, *maker.look_alikes(entity, serial + 1)]
        for number, member in enumerate(group):
            ident = serial + number
            records.append((ident, maker.first(member)))
            shared = any(o is not member and o["phone"] == member["phone"] for o in group)
            if rng.random() < 0.25:
                records.extend(
                    (ident, maker.copy(member, shared)) for _ in range(rng.choice((1, 1, 1, 2, 3)))
                )
        serial += len(group) - 1
    records = records[:rows]
    rng.shuffle(records)
    out: list[list[object]] = []
    for number, (ident, record) in enumerate(records, 1):
        day = 1 + rng.randrange(28)
        out.append(
            [
                f"C{number:07d}",
                record["name"],
                record["contact"],
                record["phone"],
                record["email"],
                rng.choice(["展会", "官网", "转介绍", "电话营销"]),
                f"2024-{rng.randrange(1, 13):02d}-{day:02d} 10:00",
                ident,
            ]
        )
    return out


def write_other(rows: int, path: Path, seed: int = 23) -> Path:
    """Write the pool as UTF-8 CSV with a BOM (cached: an existing file is reused)."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    with temp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(make_other(rows, seed))
    temp.replace(path)
    return path


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    target = (
        Path(sys.argv[2])
        if len(sys.argv) > 2
        else HERE / "data" / f"dupes_other{VERSION}_{count}.csv"
    )
    print(write_other(count, target))
