"""dedupe evidence (issue 17): names that sound alike, names in Latin letters, international
phones — each merged when it should be, kept apart when it must be, and explained."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from crmkit.dedupe import build_pool, find_duplicates
from crmkit.dedupe.names import name_keys
from crmkit.dedupe.rules import describe_all
from crmkit.dedupe.sound import sounds_alike
from crmkit.io import read_table
from crmkit.spec.config import ConfigError, DedupeConfig, load_config
from crmkit.spec.fields import load_specs

from .conftest import explain, run, write_csv, write_xlsx

HEADERS = ["客户编号", "客户名称", "联系人姓名", "联系电话", "联系邮箱", "创建时间"]
SPECS = load_specs(())


def row(**cells: Any) -> list[Any]:
    """A customer row in HEADERS order; unnamed cells empty."""
    return [cells.get(h) for h in HEADERS]


def person(name: str, phone: str, written: str | None = None) -> list[Any]:
    """An individual customer: the name is the contact."""
    return row(客户名称=written or name, 联系人姓名=name, 联系电话=phone)


def dedupe(tmp_path: Path, rows: list[list[Any]], **config: int) -> Any:
    path = write_csv(tmp_path / "pool.csv", HEADERS, rows)
    table = read_table(path, specs=[SPECS["customers"]])
    return find_duplicates(build_pool([table]), DedupeConfig(**config))


def together(found: Any, a: int, b: int) -> bool:
    number = found.clusters.number
    return bool(number[a] >= 0 and number[a] == number[b])


def reasons(found: Any) -> dict[tuple[int, int], tuple[str, str]]:
    """(left, right) → (decision, why) of every pair."""
    pairs = found.pairs
    return dict(
        zip(
            zip(pairs["left"].tolist(), pairs["right"].tolist(), strict=True),
            zip(pairs["decision"].tolist(), describe_all(pairs), strict=True),
            strict=True,
        )
    )


# ---------------------------------------------------------------- names that sound alike


def test_sounds_alike_takes_every_reading_and_needs_every_character() -> None:
    assert sounds_alike("王静", "王晶") and sounds_alike("恒达", "恒大")
    assert sounds_alike("重庆", "崇庆")  # 重 reads zhong and chong
    assert sounds_alike("张伟", "张薇")  # alike, yet only evidence beside a shared phone
    assert not sounds_alike("王静", "王敏") and not sounds_alike("王静", "王静静")
    assert not sounds_alike("abc", "abd") and not sounds_alike("王静", "王静")


def test_a_homophone_typo_with_the_same_phone_is_merged_and_explained(tmp_path: Path) -> None:
    rows = [
        person("王静", "13811110001"),
        person("王晶", "138-1111-0001"),
        person("刘洋", "13811110002"),
        person("刘阳", "+86 138 1111 0002"),
        person("陈思", "13811110003"),
        person("陳絲", "13811110003"),  # 繁體 and a homophone
        row(客户名称="深圳恒达有限公司", 联系人姓名="李娜", 联系电话="075512345678"),
        row(客户名称="恒大", 联系人姓名="李娜", 联系电话="0755-12345678"),
    ]
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 4
    assert all(together(found, a, a + 1) for a in (0, 2, 4, 6))
    why = reasons(found)
    assert why[(0, 1)] == ("auto", "same phone, names sound alike (wang jing)")
    assert why[(2, 3)] == ("auto", "same phone, names sound alike (liu yang)")
    assert why[(4, 5)] == ("auto", "same phone, names sound alike (chen si)")
    assert why[(6, 7)] == ("auto", "same phone, names sound alike (heng da)")
    assert (found.pairs["decision"] == "review").sum() == 0


def test_names_that_sound_alike_stay_apart_without_a_shared_phone(tmp_path: Path) -> None:
    rows = [
        person("张伟", "13600000001"),
        person("张薇", "13600000002"),  # sounds alike, another phone: another person
        person("王静", "13600000003"),
        person("王敏", "13600000003"),  # one phone, names neither alike nor close: review
        # the same brand in two cities, one switchboard, a homophone typo: a person decides
        row(客户名称="北京星辰科技有限公司", 联系人姓名="张伟", 联系电话="4008001234"),
        row(客户名称="上海星晨科技有限公司", 联系人姓名="张伟", 联系电话="4008001234"),
        # the same brand in two cities, different phones
        row(客户名称="北京星辰科技有限公司", 联系人姓名="李娜", 联系电话="13900000001"),
        row(客户名称="上海星辰科技有限公司", 联系人姓名="李娜", 联系电话="13900000002"),
        # homophone names on one switchboard, two contacts who do not sound alike: sister firms
        row(客户名称="恒达有限公司", 联系人姓名="周杰", 联系电话="02188886666"),
        row(客户名称="恒大有限公司", 联系人姓名="吴磊", 联系电话="021-88886666"),
    ]
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 0, reasons(found)
    why = reasons(found)
    assert (0, 1) not in why
    assert why[(2, 3)] == ("review", "same phone, names only 50")
    assert why[(4, 5)] == ("review", "places differ (names 75)")
    assert why[(6, 7)][0] == "review"
    assert why[(8, 9)] == (
        "review",
        "same phone or e-mail, names sound alike (heng da), other contacts",
    )


def test_contacts_that_sound_alike_are_one_contact(tmp_path: Path) -> None:
    rows = [
        row(客户名称="蓝海物流有限公司", 联系人姓名="王静", 联系电话="13700000009"),
        row(客户名称="蓝海物流", 联系人姓名="王晶", 联系电话="13700000009"),
    ]
    found = dedupe(tmp_path, rows)
    assert together(found, 0, 1)
    assert reasons(found)[(0, 1)] == ("auto", "same phone, names 100")


def test_one_contact_and_names_that_sound_alike_merge_long_names_only(tmp_path: Path) -> None:
    rows = [
        row(客户名称="西安诺兰泉商贸股份有限公司", 联系人姓名="顾桂", 联系电话="15081817027"),
        row(客户名称="诺蓝泉商贸有限公司", 联系人姓名="顧桂", 联系电话="18803711509"),
        # two characters: a shared contact name is too common to call 华为 / 华威 one customer
        row(客户名称="华为", 联系人姓名="刘洋", 联系电话="13500000001"),
        row(客户名称="华威", 联系人姓名="刘洋", 联系电话="13500000002"),
    ]
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 1 and together(found, 0, 1)
    assert reasons(found)[(0, 1)] == (
        "auto",
        "same contact, names sound alike (nuo lan quan shang mao)",
    )


def test_sound_alike_can_be_turned_off(tmp_path: Path) -> None:
    rows = [person("王静", "13811110001"), person("王晶", "13811110001")]
    assert together(dedupe(tmp_path, rows), 0, 1)
    found = dedupe(tmp_path, rows, sound_alike=0)
    assert found.cluster_count == 0
    assert reasons(found)[(0, 1)] == ("review", "same phone, names only 50")


# ---------------------------------------------------------------- short names, scripts, groups, chains


def test_a_short_name_two_scripts_and_a_transposed_name_are_merged(tmp_path: Path) -> None:
    rows = [
        # a sales rep's short name beside one phone
        row(
            客户名称="上海市益瑞文化传媒股份有限公司", 联系人姓名="吕博洋", 联系电话="021-33523944"
        ),
        row(客户名称="上海益瑞", 联系人姓名="吕博洋", 联系电话="021-33523944 转836"),
        # …or beside one contact, in the same city
        row(客户名称="上海市瑞峰科技有限公司", 联系人姓名="曾平超", 联系电话="13126195344"),
        row(客户名称="上海瑞峰", 联系人姓名="曾平超", 联系电话="16447661422"),
        # one phone, one contact, a name in each script
        row(客户名称="湖北省武汉市海云宇食品有限公司", 联系人姓名="罗华", 联系电话="18187271639"),
        row(客户名称="Bright Foods Ltd", 联系人姓名="罗华", 联系电话="181 8727 1639"),
        # an individual's name with two characters swapped
        person("罗磊英", "18643052104"),
        person("罗英磊", "186 4305 2104"),
    ]
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 4, reasons(found)
    why = reasons(found)
    assert why[(0, 1)] == ("auto", "same phone, one name holds the other (益瑞)")
    assert why[(2, 3)] == ("auto", "same contact, one name holds the other (瑞峰)")
    assert why[(4, 5)] == ("auto", "same phone, one contact, names in two scripts")
    assert why[(6, 7)] == ("auto", "same phone, the same characters in another order (罗英磊)")


def test_sister_companies_chain_stores_and_siblings_stay_apart(tmp_path: Path) -> None:
    rows = [
        # a group's sister companies: one switchboard, one purchaser, two trades
        row(
            客户名称="江苏省南京市博晨明建材股份有限公司",
            联系人姓名="马晨",
            联系电话="025-30334717",
        ),
        row(客户名称="南京博晨明科技股份有限公司", 联系人姓名="马晨", 联系电话="025-30334717"),
        # two stores of one chain on its hotline
        row(
            客户名称="上海市信源康海食品(西湖店)有限公司",
            联系人姓名="彭洋平",
            联系电话="4008123456",
        ),
        row(
            客户名称="上海市信源康海食品(海淀店)有限公司",
            联系人姓名="彭洋平",
            联系电话="4008123456",
        ),
        # siblings on their parents' phone (a generation character in common)
        person("唐博桂", "18215492152"),
        person("唐伟桂", "18215492152"),
        # a short name beside one contact, but another city
        row(客户名称="上海市瑞峰科技有限公司", 联系人姓名="曾平超", 联系电话="13126195344"),
        row(客户名称="北京瑞峰", 联系人姓名="曾平超", 联系电话="16447661422"),
    ]
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 0, reasons(found)
    why = reasons(found)
    assert why[(0, 1)] == ("review", "names 60, but another trade or store (建材 / 科技)")
    assert why[(2, 3)] == ("review", "names 77.8, but another trade or store (西湖店 / 海淀店)")
    assert why[(4, 5)] == ("review", "same phone or e-mail, names only 66.7, other contacts")
    assert (6, 7) not in why


def test_one_trade_written_two_ways_is_one_business(tmp_path: Path) -> None:
    rows = [
        row(客户名称="上海浦软科技有限公司", 联系人姓名="张伟", 联系电话="021-50801234"),
        row(客户名称="上海浦软信息技术有限公司", 联系人姓名="张伟", 联系电话="021-50801234"),
    ]
    assert together(dedupe(tmp_path, rows), 0, 1)


# ---------------------------------------------------------------- names in Latin letters


@pytest.mark.parametrize(
    ("name", "key", "place", "words"),
    [
        ("Hotel Sunrise", "hotelsunrise", "", "sunrise"),
        ("The Sunrise Hotel Co., Ltd.", "hotelsunrise", "", "sunrise"),
        ("Blue Bottle (Shanghai)", "bluebottle", "上海", "blue bottle"),
        ("Blue Bottle Coffee（上海）", "bluebottlecoffee", "上海", "blue bottle"),
        ("Hong Kong Jade Garden Restaurant", "gardenjaderestaurant", "香港", "garden jade"),
        ("The Bar", "bar", "", "bar"),  # nothing but a generic word: it is the name
        ("ABC Technology Co., Ltd.", "abctechnology", "", "abc technology"),
        ("Hong Kong腾宇中餐厅", "腾宇中餐厅", "香港", ""),
    ],
)
def test_a_latin_name_key_is_its_words_in_order_without_stop_words(
    name: str, key: str, place: str, words: str
) -> None:
    found = name_keys([name])[0]
    assert (found.key, found.place, found.words) == (key, place, words)


def test_english_spellings_of_one_customer_with_one_phone_are_merged(tmp_path: Path) -> None:
    rows = [
        row(客户名称="Hotel Sunrise", 联系电话="+852 2345 6789"),
        row(客户名称="Sunrise Hotel", 联系电话="00852-23456789"),
        row(客户名称="Blue Bottle (Shanghai)", 联系电话="021-61234567"),
        row(客户名称="Blue Bottle Coffee", 联系电话="02161234567"),
        row(客户名称="Lotus", 联系人姓名="Amy Chan", 联系电话="+853 2888 1234"),
        row(客户名称="Lotus Jade Garden", 联系人姓名="Amy Chan", 联系电话="+853 2888 1234"),
        row(客户名称="The Grand Cafe Inc.", 联系邮箱="hi@grand.example"),
        row(客户名称="Grand Café", 联系邮箱="HI@grand.example"),
    ]
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 4
    assert all(together(found, a, a + 1) for a in (0, 2, 4, 6))
    why = reasons(found)
    assert why[(0, 1)] == (
        "auto",
        "same phone, same words, order and generic words aside (sunrise)",
    )
    assert why[(2, 3)] == (
        "auto",
        "same phone, same words, order and generic words aside (blue bottle)",
    )
    assert why[(4, 5)] == ("auto", "same phone, one name holds the other (lotus)")


def test_a_hotel_switchboard_does_not_merge_its_restaurants(tmp_path: Path) -> None:
    rows = [
        row(客户名称="Sunrise Hotel", 联系人姓名="Front Desk", 联系电话="+852 2345 6789"),
        row(
            客户名称="Jade Garden Restaurant", 联系人姓名="Ken Lau", 联系电话="+852 2345 6789 ext 3"
        ),
        row(客户名称="Azure Terrace Cafe", 联系人姓名="Mia Wong", 联系电话="+852 2345 6789"),
        row(客户名称="Harbour Grill", 联系电话="00852 2345 6789"),
        # one name holds the other, but two contacts on one switchboard: a person decides
        row(客户名称="Imperial Jade Garden Lounge", 联系人姓名="Tom Ho", 联系电话="+852 2345 6789"),
        # the same brand in two cities, one phone
        row(客户名称="Blue Bottle (Shanghai)", 联系电话="4008201234"),
        row(客户名称="Blue Bottle (Beijing)", 联系电话="400-820-1234"),
    ]
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 0, reasons(found)
    why = reasons(found)
    assert {why[(0, b)][0] for b in (1, 2, 3)} == {"review"}
    assert why[(1, 4)] == (
        "review",
        "same phone or e-mail, one name holds the other (garden jade), other contacts",
    )
    assert why[(5, 6)] == (
        "review",
        "places differ (same words, order and generic words aside (blue bottle))",
    )


def test_latin_names_sharing_only_their_brand_word_are_not_a_pair_to_review(
    tmp_path: Path,
) -> None:
    rows = [
        row(客户名称="Amber Cafe", 联系电话="+852 2345 6789"),
        row(客户名称="Amber Hotel", 联系电话="+852 3345 6789"),
        row(客户名称="The Amber Hotel", 联系电话="+852 5345 6789"),  # one word: too common
        row(客户名称="Blue Amber Hotel", 联系电话="+852 6345 6789"),
        row(客户名称="The Amber Blue Hotel", 联系电话="+852 9345 6789"),
    ]
    found = dedupe(tmp_path, rows)
    assert reasons(found) == {(3, 4): ("review", "names 100, nothing else shared")}


def test_one_contact_does_not_merge_a_latin_name_inside_another(tmp_path: Path) -> None:
    rows = [
        row(客户名称="Thistle Cafe LLC", 联系人姓名="向萍", 联系电话="15284411557"),
        row(客户名称="Kestrel Thistle Restaurant", 联系人姓名="向萍", 联系电话="+852 5498 2640"),
        row(客户名称="Thistle Kestrel Bar", 联系人姓名="向萍", 联系电话="+852 6498 2640"),
    ]
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 1 and together(found, 1, 2)
    assert reasons(found)[(1, 2)] == (
        "auto",
        "same contact, same words, order and generic words aside (kestrel thistle)",
    )


# ---------------------------------------------------------------- international phones


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("+1 (415) 555-0100", "001-415-555-0100"),
        ("+1 415 555 0100 ext. 12", "+1 415-555-0100"),  # an extension of one switchboard
        ("+44 20 7946 0958", "0044 20 7946 0958"),
        ("+852 2345 6789", "00852-23456789"),
        ("+853 2888 1234", "00853 2888 1234"),
        ("+886 2 2345 6789", "00886-2-2345-6789"),
        ("+886-912-345-678", "+886 912 345 678"),
    ],
)
def test_international_phones_are_compared_normalized(tmp_path: Path, one: str, other: str) -> None:
    rows = [
        row(客户名称="Lotus Trading Ltd", 联系电话=one),
        row(客户名称="Lotus Trading", 联系电话=other),
        row(客户名称="Acme Lotus", 联系电话="+86 138 0000 0000"),  # neither phone
    ]
    found = dedupe(tmp_path, rows)
    assert together(found, 0, 1) and found.cluster_count == 1
    assert reasons(found)[(0, 1)] == (
        "auto",
        "same phone, same words, order and generic words aside (lotus)",
    )


def test_one_number_in_two_countries_is_two_phones(tmp_path: Path) -> None:
    rows = [
        row(客户名称="Lotus Garden", 联系电话="+852 2345 6789"),
        row(客户名称="Lotus Garden", 联系电话="+853 2345 6789"),
    ]
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 0
    assert reasons(found)[(0, 1)] == ("review", "names 100, nothing else shared")


# ---------------------------------------------------------------- config and the CLI


def test_the_new_thresholds_are_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "crmkit.toml"
    path.write_text("[dedupe]\nsound_alike = 0\nwords_name_min = 90\n", encoding="utf-8")
    assert load_config(path).dedupe == DedupeConfig(sound_alike=0, words_name_min=90)
    path.write_text("[dedupe]\nsound_alike = 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"dedupe\.sound_alike is 1 \(on\) or 0 \(off\), not 2"):
        load_config(path)


def test_cli_explains_new_evidence_in_the_summary_and_the_pairs_report(tmp_path: Path) -> None:
    crm = write_xlsx(
        tmp_path / "客户.xlsx",
        HEADERS,
        [
            ["CRM20240101001", "王静", "王静", "13811110001", None, "2024-01-01 09:00"],
            ["CRM20240101002", "Hotel Sunrise", None, "+852 2345 6789", None, "2024-01-01 09:00"],
            ["CRM20240101003", "Jade Garden", "Ken Lau", "+852 2345 6789", None, "2024-01-01"],
        ],
    )
    fair = write_csv(
        tmp_path / "展会.csv",
        HEADERS,
        [
            ["", "王晶", "王晶", "138 1111 0001", None, "2024-03-01 09:00"],
            ["", "Sunrise Hotel", None, "00852 23456789", None, "2024-03-01 09:00"],
            ["", "Azure Terrace Cafe", "Mia Wong", "+852-2345-6789", None, "2024-03-01"],
        ],
        encoding="gb18030",
    )
    result = run("dedupe", crm, fair, "--report", tmp_path / "pairs.csv", "--as-of", "2024-09-02")
    assert result.exit_code == 0, explain(result)
    assert "2 customers entered more than once (4 rows)" in result.stderr
    assert "same phone, names sound alike (wang jing)" in result.stderr
    pairs = pd.read_csv(tmp_path / "pairs.csv", encoding="utf-8-sig", dtype=str)
    auto = pairs[pairs["decision"] == "auto"]
    assert sorted(auto["why"]) == [
        "same phone, names sound alike (wang jing)",
        "same phone, same words, order and generic words aside (sunrise)",
    ]
    review = pairs.loc[pairs["decision"] == "review", "why"]
    assert len(review) == 5 and review.str.startswith("same phone, names only ").all()
    result = run("dedupe", crm, fair, "--report", tmp_path / "pairs.json")
    assert result.exit_code == 0, explain(result)
    records = json.loads((tmp_path / "pairs.json").read_text(encoding="utf-8"))
    assert [r["why"] for r in records] == pairs["why"].tolist()
