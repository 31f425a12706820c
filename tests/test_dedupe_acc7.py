"""dedupe on data its rules were not written for (issue 17, accuracy): a short name or an
English card beside two sister companies, short names typed with a homophone or two
characters swapped, another contact beside a mobile, a landline or a switchboard, names in
two scripts told apart by their trade, and family members on one phone."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from crmkit.dedupe import build_pool, find_duplicates
from crmkit.dedupe.rules import describe_all
from crmkit.io import read_table
from crmkit.spec.config import DedupeConfig
from crmkit.spec.fields import load_specs
from crmkit.spec.names import load_vocabulary

from .conftest import explain, run, write_csv

HEADERS = ["客户编号", "客户名称", "联系人姓名", "联系电话", "联系邮箱", "创建时间"]
SPECS = load_specs(())


def row(**cells: Any) -> list[Any]:
    """A customer row in HEADERS order; unnamed cells empty."""
    return [cells.get(h) for h in HEADERS]


def dedupe(tmp_path: Path, rows: list[list[Any]]) -> Any:
    path = write_csv(tmp_path / "pool.csv", HEADERS, rows)
    table = read_table(path, specs=[SPECS["customers"]])
    return find_duplicates(build_pool([table]), DedupeConfig())


def together(found: Any, a: int, b: int) -> bool:
    number = found.clusters.number
    return bool(number[a] >= 0 and number[a] == number[b])


def reasons(found: Any) -> dict[tuple[int, int], tuple[str, str, str]]:
    """(left, right) → (rule, decision, why) of every pair."""
    pairs = found.pairs
    return dict(
        zip(
            zip(pairs["left"].tolist(), pairs["right"].tolist(), strict=True),
            zip(
                pairs["rule"].tolist(), pairs["decision"].tolist(), describe_all(pairs), strict=True
            ),
            strict=True,
        )
    )


# ---------------------------------------------------------------- either of two businesses


def test_a_short_name_beside_two_sister_companies_is_reviewed_against_both(
    tmp_path: Path,
) -> None:
    group = {"联系人姓名": "罗博霞", "联系电话": "13232494595"}
    rows = [
        row(客户名称="湖北省武汉市源顺金机械股份有限公司", **group),
        row(客户名称="湖北省武汉市源顺金医药股份有限公司", **group),
        row(客户名称="武汉源顺金", 联系人姓名="罗博霞", 联系电话="132-3249-4595"),
    ]
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 0, reasons(found)
    why = reasons(found)
    assert why[(0, 1)] == (
        "business",
        "review",
        "names 60, but another trade or store (机械 / 医药)",
    )
    either = "names 75, but it could be either of two businesses (源顺金机械 / 源顺金医药)"
    assert why[(0, 2)] == ("either", "review", either)
    assert why[(1, 2)] == ("either", "review", either)


def test_without_the_sister_the_short_name_is_merged(tmp_path: Path) -> None:
    rows = [
        row(客户名称="湖北省武汉市源顺金机械股份有限公司", 联系人姓名="罗博霞", 联系电话="13232494595"),
        row(客户名称="武汉源顺金", 联系人姓名="罗博霞", 联系电话="132-3249-4595"),
    ]  # fmt: skip
    found = dedupe(tmp_path, rows)
    assert together(found, 0, 1)
    assert reasons(found)[(0, 1)] == ("phone", "auto", "same phone, names 75")


def test_an_english_card_joins_the_sister_of_its_trade_or_none(tmp_path: Path) -> None:
    group = {"联系人姓名": "唐勇嘉", "联系电话": "028-78465317"}
    rows = [
        row(客户名称="四川省成都市海益物流股份有限公司", **group),
        row(客户名称="四川省成都市海益食品股份有限公司", **group),
        # its trade word says 食品: the card of the second
        row(客户名称="Unity River Foods Co., Ltd.", 联系人姓名="唐勇嘉", 联系电话="028-78465317 转938"),
        # no trade word: either of them, a person cannot tell which
        row(客户名称="Sino Co. Limited", 联系人姓名="唐勇嘉", 联系电话="(028)78465317"),
    ]  # fmt: skip
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 1 and together(found, 1, 2), reasons(found)
    assert not together(found, 0, 1) and found.clusters.number[3] < 0
    why = reasons(found)
    assert why[(1, 2)] == ("phone", "auto", "same phone, one contact, names in two scripts")
    assert why[(0, 2)] == ("phone-only", "review", "same phone, names only 0")
    either = "names 0, but it could be either of two businesses (海益物流 / 海益食品)"
    assert why[(0, 3)] == ("either", "review", either)
    assert why[(1, 3)] == ("either", "review", either)


def test_latin_trades_map_words_to_families_of_trades() -> None:
    vocab = load_vocabulary()
    assert vocab.latin_trade("harbor foods co., ltd.") == "食品"
    assert vocab.latin_trade("pacific summit electronics limited") == "电子"
    assert vocab.latin_trade("golden co. limited") == ""


# ---------------------------------------------------------------- short names typed in a hurry


def test_a_short_name_with_a_homophone_or_two_characters_swapped_is_held(
    tmp_path: Path,
) -> None:
    rows = [
        row(客户名称="江苏省南京市林东餐饮股份有限公司", 联系人姓名="陈英", 联系电话="14728019067"),
        row(客户名称="南京琳东", 联系人姓名="陈英", 联系电话="147 2801 9067"),
        row(客户名称="浙江省杭州市德源盛科技有限公司", 联系人姓名="孙思", 联系电话="18534697113"),
        row(客户名称="杭州德盛源", 联系人姓名="孙思", 联系电话="+8618534697113"),
        # one contact only (another phone): a short name of the same city, a homophone in it
        row(客户名称="苏州市龙辉机械有限责任公司", 联系人姓名="萧伟", 联系电话="19397564834"),
        row(客户名称="苏州龙徽", 联系人姓名="萧伟"),
    ]  # fmt: skip
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 3, reasons(found)
    why = reasons(found)
    assert why[(0, 1)] == (
        "phone",
        "auto",
        "same phone, one name holds the other, sounding alike (lin dong)",
    )
    assert why[(2, 3)] == (
        "phone",
        "auto",
        "same phone, one name holds the other, in another order (德源盛)",
    )
    assert why[(4, 5)] == (
        "contact",
        "auto",
        "same contact, one name holds the other, sounding alike (long hui)",
    )


def test_a_homophone_short_name_of_another_city_stays_apart(tmp_path: Path) -> None:
    rows = [
        row(客户名称="苏州市龙辉机械有限责任公司", 联系人姓名="萧伟", 联系电话="19397564834"),
        row(客户名称="杭州龙徽", 联系人姓名="萧伟"),
    ]  # fmt: skip
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 0 and (0, 1) not in reasons(found)


# ---------------------------------------------------------------- another contact


def test_another_contact_on_a_mobile_or_an_e_mail_is_the_same_company(tmp_path: Path) -> None:
    rows = [
        row(客户名称="深圳宏安教育咨询股份有限公司", 联系人姓名="许桂勇", 联系电话="14308522575"),
        row(客户名称="深圳宏安", 联系人姓名="沈辉英", 联系电话="+8614308522575"),
        row(客户名称="上海市明通机械有限公司", 联系人姓名="杨嘉超", 联系邮箱="b4895x2@corp.cn"),
        row(客户名称="上海明通", 联系人姓名="曾辉鑫", 联系邮箱="B4895X2@CORP.CN"),
    ]  # fmt: skip
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 2, reasons(found)
    why = reasons(found)
    assert why[(0, 1)] == ("phone", "auto", "same phone, one name holds the other (宏安)")
    assert why[(2, 3)] == ("email", "auto", "same e-mail, one name holds the other (明通)")


LONE = "another contact on a phone no other business shares"


@pytest.mark.parametrize(
    ("name", "card", "why"),
    [
        ("上海市瑞云化工有限公司", "上海瑞云", f"same phone, one name holds the other (瑞云), {LONE}"),
        ("湖北省武汉市峰达食品股份有限公司", "Harbor Foods Co., Ltd.",
         f"same phone, names in two scripts, one trade (食品), {LONE}"),
    ],
)  # fmt: skip
def test_another_contact_on_a_lone_landline_merges(
    tmp_path: Path, name: str, card: str, why: str
) -> None:
    rows = [
        row(客户名称=name, 联系人姓名="张平", 联系电话="021-67143918"),
        row(客户名称=card, 联系人姓名="张英娟", 联系电话="021 6714 3918"),
    ]
    found = dedupe(tmp_path, rows)
    assert together(found, 0, 1)
    assert reasons(found)[(0, 1)] == ("phone", "auto", why)


def test_another_contact_on_a_switchboard_is_reviewed(tmp_path: Path) -> None:
    # a third company answers that landline: a switchboard, where another contact may be
    # another company's
    rows = [
        row(客户名称="上海市瑞云化工有限公司", 联系人姓名="张平", 联系电话="021-67143918"),
        row(客户名称="上海瑞云", 联系人姓名="张英娟", 联系电话="021 6714 3918"),
        row(客户名称="上海市博晨餐饮有限公司", 联系人姓名="周杰", 联系电话="021-67143918"),
    ]  # fmt: skip
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 0, reasons(found)
    assert reasons(found)[(0, 1)] == (
        "contacts-differ",
        "review",
        "same phone or e-mail, one name holds the other (瑞云), other contacts",
    )


def test_two_people_with_other_names_on_one_phone_are_a_family(tmp_path: Path) -> None:
    rows = [
        row(客户名称="张超娜", 联系人姓名="张超娜", 联系电话="15222979900"),
        row(客户名称="张超", 联系人姓名="张超", 联系电话="15222979900", 联系邮箱="u5586@qq.com"),
    ]  # fmt: skip
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 0
    assert reasons(found)[(0, 1)] == (
        "contacts-differ",
        "review",
        "same phone or e-mail, names only 80, other contacts",
    )


def test_names_in_two_scripts_with_one_phone_and_one_e_mail_are_merged(tmp_path: Path) -> None:
    rows = [
        row(客户名称="江苏省南京市东天顺恒建材有限责任公司", 联系人姓名="宋源静",
            联系电话="13752237209", 联系邮箱="b3141x4@163.com"),
        row(客户名称="Sino Co. Ltd", 联系人姓名="周涛桂", 联系电话="137-5223-7209",
            联系邮箱="B3141X4@163.COM"),
        # one phone, no e-mail, no contact and no trade in common: a person decides
        row(客户名称="四川省成都市嘉明诚润教育咨询有限责任公司", 联系人姓名="朱桂强",
            联系电话="18314443159"),
        row(客户名称="Unity Co.", 联系人姓名="曹宇霞", 联系电话="18314443159"),
    ]  # fmt: skip
    found = dedupe(tmp_path, rows)
    assert found.cluster_count == 1 and together(found, 0, 1), reasons(found)
    why = reasons(found)
    assert why[(0, 1)] == ("phone", "auto", "same phone, one e-mail too, names in two scripts")
    assert why[(2, 3)] == ("phone-only", "review", "same phone, names only 0")


# ---------------------------------------------------------------- through the CLI


def test_the_pairs_report_says_why_a_short_name_is_left_for_review(tmp_path: Path) -> None:
    group = {"联系人姓名": "罗博霞", "联系电话": "13232494595"}
    source = write_csv(
        tmp_path / "客户.csv",
        HEADERS,
        [
            row(客户名称="湖北省武汉市源顺金机械股份有限公司", **group),
            row(客户名称="湖北省武汉市源顺金医药股份有限公司", **group),
            row(客户名称="武汉源顺金", **group),
        ],
    )
    report = tmp_path / "pairs.csv"
    result = run("dedupe", source, "-o", tmp_path / "merged.csv", "--report", report)
    assert result.exit_code == 0, explain(result)
    with open(report, encoding="utf-8-sig", newline="") as handle:
        pairs = list(csv.DictReader(handle))
    assert [(p["left_row"], p["right_row"], p["rule"], p["decision"]) for p in pairs] == [
        ("2", "4", "either", "review"),
        ("3", "4", "either", "review"),
        ("2", "3", "business", "review"),
    ]
    assert pairs[0]["why"] == (
        "names 75, but it could be either of two businesses (源顺金机械 / 源顺金医药)"
    )
    with open(tmp_path / "merged.csv", encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 3  # nothing merged
