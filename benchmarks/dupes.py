"""Seeded customer tables with known duplicate clusters, for measuring `crmkit dedupe`.

    python benchmarks/dupes.py N [OUT.csv]      # N rows (default benchmarks/data/dupes_N.csv)
    python benchmarks/dupes.py --classic N      # the generator before issue 17 (dupes_classic_N)

Each row belongs to an entity (the true customer); about a fifth of the entities are entered
two to four times, each copy changed the way real sheets change it: 有限公司 / 股份有限公司
added, dropped or swapped, the city in front, in brackets or gone, 繁體, full-width letters,
stray spaces, one wrong character, the phone with +86, dashes or stored as a float, another
phone or another contact person (never all evidence at once: a copy that shares nothing but
a similar name cannot be told apart by anyone). Hard negatives are made on purpose: the same
brand in another city (北京星辰科技 / 上海星辰科技), names one character apart (华为 / 华美)
with other phones and contacts, and individuals with the same name (two 张伟) and other
phones. The entity of each row is the `entity` column; the scorer ignores it.

Since issue 17 (classic=False, the default) the pool also holds what lists from trade fairs
and foreign branches hold: a tenth of the organisations named in English (Jade Garden
Restaurant, The Lotus Trading Co., Ltd.), their copies with the words in another order,
generic words and legal forms added or dropped, a city in brackets, or only the first words
(Lotus / Lotus Jade Garden); international phones (+852, +853, +886, +1, +44) written with or
without 00, spaces, brackets and an extension; homophone typos (王静 / 王晶) in a fifth of the
copies of people and in some company names; hard negatives of people with homophone names
and other phones (张伟 / 张薇); and hotel switchboards: a hotel and three restaurants with
their own names and contacts on one phone. `classic=True` reproduces the older pools
exactly (same seed, same rows), so figures can be compared.
"""

from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import opencc
import phonenumbers
from pypinyin import lazy_pinyin

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
WORDS = [
    "Lotus", "Jade", "Garden", "Azure", "Terrace", "Harbour", "Golden", "Dragon", "Phoenix",
    "Blue", "Bottle", "Sunrise", "Maple", "Cedar", "Orchid", "Pearl", "Silver", "Crane",
    "Bamboo", "Willow", "Coral", "Summit", "Crown", "Emerald", "Ivory", "Amber", "Falcon",
    "Harvest", "Meadow", "Lantern", "Compass", "Anchor", "Beacon", "Granite", "Horizon",
    "Juniper", "Kestrel", "Lighthouse", "Magnolia", "Northwind", "Oakleaf", "Pinnacle",
    "Quartz", "Riverside", "Sapphire", "Thistle", "Upland", "Velvet", "Wharf", "Zephyr",
    "Atlas", "Bridge", "Canyon", "Delta", "Ember", "Fjord", "Glacier", "Hollow", "Isle",
    "Acorn", "Alder", "Alpine", "Arbor", "Aspen", "Aurora", "Avalon", "Bayside", "Birch",
    "Bluebell", "Bramble", "Brook", "Buckeye", "Cascade", "Chestnut", "Citadel", "Clover",
    "Cobalt", "Copper", "Cove", "Cypress", "Dahlia", "Driftwood", "Dune", "Eagle", "Echo",
    "Elm", "Evergreen", "Fern", "Firefly", "Fox", "Foxglove", "Gable", "Gardenia", "Garnet",
    "Gateway", "Ginger", "Goldfinch", "Hawthorn", "Heather", "Heron", "Hickory", "Highland",
    "Holly", "Honey", "Indigo", "Iris", "Jasmine", "Juniperus", "Kingfisher", "Lagoon",
    "Larch", "Laurel", "Lavender", "Linden", "Lumen", "Lynx", "Marigold", "Marina", "Meridian",
    "Mesa", "Mistral", "Monarch", "Moonstone", "Mosaic", "Nectar", "Nimbus", "Nova", "Oasis",
    "Obsidian", "Olive", "Onyx", "Opal", "Orbit", "Osprey", "Otter", "Paddock", "Palisade",
    "Paragon", "Pebble", "Pelican", "Peony", "Pepper", "Pine", "Plover", "Poplar", "Prairie",
    "Prism", "Quill", "Raven", "Redwood", "Reef", "Ridge", "Robin", "Rosewood", "Rowan",
    "Saffron", "Sage", "Sandstone", "Sequoia", "Shore", "Sierra", "Skylark", "Solstice",
    "Sparrow", "Spruce", "Starling", "Stonebridge", "Sycamore", "Tamarind", "Tidewater",
    "Topaz", "Tulip", "Tundra", "Valley", "Vista", "Walnut", "Waterfall", "Wildflower",
    "Wisteria", "Woodland", "Wren", "Yarrow", "Yew", "Zenith", "Zinnia",
]  # fmt: skip
GENERIC = ["Restaurant", "Cafe", "Hotel", "Group", "Trading", "Bar", "Kitchen", ""]
LATIN_FORMS = ["Ltd", "Co., Ltd.", "Inc", "LLC", "Limited", ""]
LATIN_CITIES = ["Shanghai", "Beijing", "Shenzhen", "Guangzhou", "Hong Kong", "Macau", "Taipei"]
COUNTRIES = ["852", "853", "886", "1", "44"]

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
    words: list[str] | None = None  # an English name's own words (generic and form apart)

    def name(self) -> str:
        if self.person:
            return self.contact
        if self.words is not None:
            city = f" ({self.city})" if self.city else ""
            return (
                " ".join(w for w in (*self.words, self.trade) if w)
                + city
                + (f" {self.form}" if self.form else "")
            )
        return f"{self.city}{self.brand}{self.trade}{self.form}"


def _homophones() -> dict[str, list[str]]:
    """Characters of the generator's names and brands that read alike (pypinyin, first reading)."""
    chars = sorted(set(GIVEN + SURNAMES + BRAND + "晶阳丝薇炜巍玮蔚卫大"))
    by_sound: dict[str, list[str]] = {}
    for char in chars:
        by_sound.setdefault(lazy_pinyin(char)[0], []).append(char)
    return {c: [o for o in by_sound[lazy_pinyin(c)[0]] if o != c] for c in chars}


HOMOPHONES = _homophones()


def _homophone(text: str, rng: random.Random) -> str:
    """`text` with one character replaced by a homophone (itself when none has one)."""
    places = [i for i, c in enumerate(text) if HOMOPHONES.get(c)]
    if not places:
        return text
    at = rng.choice(places)
    return text[:at] + rng.choice(HOMOPHONES[text[at]]) + text[at + 1 :]


def _intl_phone(rng: random.Random) -> str:
    """A valid phone outside mainland China, as +CC digits."""
    while True:
        phone = _any_intl_phone(rng)
        if phonenumbers.is_valid_number(phonenumbers.parse(phone)):
            return phone


def _any_intl_phone(rng: random.Random) -> str:
    country = rng.choice(COUNTRIES)
    if country == "852":
        return f"+852{rng.choice('235679')}{rng.randrange(10**7):07d}"
    if country == "853":
        return f"+853{rng.choice('28')}{rng.randrange(10**7):07d}"
    if country == "886":
        return f"+8869{rng.randrange(10**8):08d}"
    if country == "1":
        return f"+1{rng.choice(['415', '212', '646', '604'])}{rng.randrange(2, 10)}{rng.randrange(10**6):06d}"
    return f"+4420{rng.choice('378')}{rng.randrange(10**7):07d}"


def _english(entity: Entity, rng: random.Random) -> None:
    """Make `entity` an organisation named in English."""
    entity.words = rng.sample(WORDS, rng.choice((1, 2, 2, 3)))
    entity.trade = rng.choice(GENERIC)
    entity.form = rng.choice(LATIN_FORMS)
    entity.city = rng.choice(LATIN_CITIES) if rng.random() < 0.3 else ""
    if rng.random() < 0.6:
        entity.phone = _intl_phone(rng)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def _brand(rng: random.Random) -> str:
    if rng.random() < 0.04:
        return "".join(rng.choice("ABCDEFGHJKLMNPRSTWXYZ") for _ in range(rng.randint(2, 4)))
    return "".join(rng.choice(BRAND) for _ in range(2 if rng.random() < 0.7 else 3))


def _entity(rng: random.Random, serial: int, classic: bool = True) -> Entity:
    person = rng.random() < 0.15
    contact = _person(rng)
    entity = Entity(
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
    if not classic and not person and rng.random() < 0.1:
        _english(entity, rng)
    return entity


def _hard_negative(base: Entity, rng: random.Random, serial: int, classic: bool = True) -> Entity:
    """A different customer that looks like `base`."""
    other = _entity(rng, serial)
    other.person = base.person
    if base.person:
        other.contact = base.contact  # the same name, another person
        if not classic and rng.random() < 0.4:
            other.contact = _homophone(base.contact, rng)  # 张伟 / 张薇, another phone
        return other
    if base.words is not None:  # the same words in another city, or one word apart
        other.words, other.trade, other.form = list(base.words), base.trade, base.form
        if rng.random() < 0.5:
            other.city = rng.choice([c for c in LATIN_CITIES if c != base.city])
            base.city = base.city or rng.choice([c for c in LATIN_CITIES if c != other.city])
        else:
            other.words[rng.randrange(len(other.words))] = rng.choice(WORDS)
            other.city = base.city
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


def _variant_english(entity: Entity, rng: random.Random) -> str:
    words = list(entity.words or [])
    style = rng.random()
    if style < 0.25 and len(words) > 1:
        words.reverse()  # Garden Jade / Jade Garden
    elif style < 0.4 and len(words) > 1:
        words = words[:1]  # Lotus / Lotus Jade Garden
    trade = entity.trade if rng.random() < 0.6 else rng.choice(GENERIC)
    lead = "The " if rng.random() < 0.15 else ""
    if trade and rng.random() < 0.3:
        core = f"{lead}{trade} {' '.join(words)}"  # Hotel Sunrise
    else:
        core = f"{lead}{' '.join(words)} {trade}".strip()
    city = entity.city if rng.random() < 0.7 else ""
    if city and rng.random() < 0.5:
        core = f"{core} ({city})"
    elif city:
        core = f"{city} {core}"
    form = entity.form if rng.random() < 0.5 else rng.choice(LATIN_FORMS)
    name = f"{core}, {form}" if form and rng.random() < 0.3 else f"{core} {form}".strip()
    case = rng.random()
    return name.upper() if case < 0.1 else name.lower() if case < 0.2 else name


def _variant_name(entity: Entity, rng: random.Random, typo: bool, classic: bool = True) -> str:
    if entity.person:
        name = entity.contact
        if not classic and rng.random() < 0.2:
            name = _homophone(name, rng)
        if rng.random() < 0.2:
            name = " ".join(name)
        return _S2T.convert(name) if rng.random() < 0.15 else name
    if entity.words is not None:
        return _variant_english(entity, rng)
    if not classic and not typo and rng.random() < 0.08:
        return _variant_name(
            Entity(**{**entity.__dict__, "brand": _homophone(entity.brand, rng)}), rng, typo
        )
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


def _variant_intl(phone: str, rng: random.Random) -> str:
    country = next(c for c in ("852", "853", "886", "44", "1") if phone.startswith("+" + c))
    rest = phone[1 + len(country) :]
    style = rng.random()
    if style < 0.3:
        return phone
    if style < 0.5:
        return f"00{country} {rest[:4]} {rest[4:]}"
    if style < 0.7:
        return f"+{country}-{rest[:3]}-{rest[3:6]}-{rest[6:]}"
    if style < 0.85:
        return f"(+{country}) {rest}"
    return f"+{country} {rest} ext. {rng.randrange(1, 300)}"


def _variant_phone(phone: str, rng: random.Random) -> str | float:
    if phone.startswith("+"):
        return _variant_intl(phone, rng)
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


def _copy(entity: Entity, rng: random.Random, classic: bool = True) -> dict[str, object]:
    """One more record of `entity`, as another person or channel entered it."""
    typo = not entity.person and entity.words is None and rng.random() < 0.1
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
        "name": _variant_name(entity, rng, typo, classic),
        "contact": entity.contact if entity.person else contact,
        "phone": phone,
        "email": entity.email if keep_email else None,
    }


def _switchboard(rng: random.Random, serial: int) -> list[Entity]:
    """A hotel and three of its restaurants: own names and contacts, the hotel's phone."""
    hotel = _entity(rng, serial, classic=False)
    hotel.person = False
    english = rng.random() < 0.5
    if english:
        _english(hotel, rng)
        hotel.trade = "Hotel"
    else:
        hotel.words, hotel.trade = None, "大酒店"
        hotel.city = rng.choice(CITIES) if rng.random() < 0.6 else ""
        hotel.form = rng.choice(FORMS[:3])
    outlets = []
    used = set(hotel.words or [hotel.brand])
    for number in range(3):
        outlet = _entity(rng, serial + 1 + number, classic=False)
        outlet.person, outlet.phone, outlet.city = False, hotel.phone, hotel.city
        if english:
            outlet.words = rng.sample([w for w in WORDS if w not in used], 2)
            used.update(outlet.words)
            outlet.trade = ["Restaurant", "Cafe", "Bar"][number]
            outlet.form = ""
        else:
            outlet.words = None
            outlet.brand = "".join(
                rng.choice([c for c in BRAND if c not in used]) for _ in range(2)
            )
            used.update(outlet.brand)
            outlet.trade, outlet.form = ["中餐厅", "西餐厅", "酒廊"][number], ""
        outlets.append(outlet)
    return [hotel, *outlets]


def make_pool(
    rows: int, seed: int = 11, classic: bool = False
) -> tuple[list[str], list[list[object]]]:
    """`rows` customer records (headers, rows); the last column is the true entity.

    classic: the generator before issue 17 (Chinese names, mainland phones), row for row."""
    rng = random.Random(seed)
    records: list[tuple[int, dict[str, object]]] = []
    serial = 0
    while len(records) < rows:
        serial += 1
        if not classic and rng.random() < 0.01:
            group = _switchboard(rng, serial)
            idents = list(range(serial, serial + len(group)))
            serial += len(group) - 1
        else:
            entity = _entity(rng, serial, classic)
            group = [entity]
            idents = [serial]
            if rng.random() < 0.06:
                serial += 1
                group.append(_hard_negative(entity, rng, serial, classic))
                idents = [serial - 1, serial]
        for member, ident in zip(group, idents, strict=True):
            base = {
                "name": member.name(),
                "contact": member.contact,
                "phone": member.phone,
                "email": member.email,
            }
            records.append((ident, base))
            if rng.random() < 0.2:
                extra = rng.choices((1, 2, 3), (0.7, 0.2, 0.1))[0]
                records.extend((ident, _copy(member, rng, classic)) for _ in range(extra))
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


def write_pool(rows: int, path: Path, seed: int = 11, classic: bool = False) -> Path:
    """Write the pool as UTF-8 CSV with a BOM (cached: an existing file is reused)."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    headers, data = make_pool(rows, seed, classic)
    temp = path.with_suffix(".tmp")
    with temp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(data)
    temp.replace(path)
    return path


def pool_path(rows: int, classic: bool = False) -> Path:
    """Where the benchmark keeps the pool of `rows` rows."""
    return HERE / "data" / (f"dupes_classic_{rows}.csv" if classic else f"dupes17_{rows}.csv")


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--classic"]
    old = "--classic" in sys.argv
    count = int(arguments[0]) if arguments else 10_000
    target = Path(arguments[1]) if len(arguments) > 1 else pool_path(count, old)
    print(write_pool(count, target, classic=old))
