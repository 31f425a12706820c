"""Name keys made in Arrow over many names (key_columns, fold_array, compact_array) are the
keys key_parts, fold and compact make of one name: awkward names in a table, random names built
from the vocabulary's own pieces, and a pool's rows read from a CSV."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.dedupe import build_pool
from crmkit.dedupe.names import key_parts, keys_of
from crmkit.io import read_table
from crmkit.spec.fields import builtin_spec
from crmkit.spec.names import compact, compact_array, fold_array, fold_many, load_vocabulary

from .conftest import write_csv

AWKWARD = [
    # 繁體 and full-width
    "臺北星辰科技有限公司",
    "韋鴻機械（大連）有限公司",
    "ＡＢＣ有限公司",
    "長沙ＸＺＲＳ制造股份有限公司",
    "星辰科技（北京）有限公司",
    "優瑞昌實業（成都）有限責任公司",
    # English, with brackets
    "Sunrise Hotel (Shanghai) Co., Ltd.",
    "Blue Bottle (Hong Kong)",
    "The Amber Cafe (Beijing) Limited",
    "sunrise hotel [shanghai]",
    "HONG KONG IRIS PALISADE RESTAURANT",
    "hong kong kong cafe",
    "Café Lumière (Paris)",
    "O'Brien's Bar & Grill",
    "co ltd",
    "(shanghai)",
    "123 (shanghai)",
    # places in front, at the end, in brackets
    "北京星辰科技有限公司",
    "广东省深圳市腾宇科技股份有限公司",
    "北京市朝阳区星辰科技",
    "内蒙古自治区包头市星辰科技",
    "北京北京科技",
    "北京上海科技有限公司",
    "星辰科技有限公司北京分公司",
    "星辰科技北京",
    "星辰科技(北京)",
    "星辰科技(深圳)(集团)有限公司",
    "星辰科技(集团)有限公司",
    "星辰科技(有限公司)",
    "宏嘉家具(朝阳店)股份有限公司",
    "德凤科技(西湖店 )",
    "陕西省西安市宏嘉家具(朝阳店)股份有限公司",
    "sunrise (blue) hotel",
    "sunrise ( ) hotel",
    "星辰科技()",
    "广东星辰科技(深圳)有限公司",
    "深圳星辰科技(广东)有限公司",
    "(北京)",
    "(北京)有限公司",
    "北京",
    "北京公司",
    # Latin letters stuck to Chinese
    "hongkong腾宇中餐厅",
    "Hong Kong腾宇中餐厅",
    "pglm生物科技(成都)股份有限公司",
    "太原rma物流股份有限公司",
    "星辰科技co",
    "星辰科技 Co., Ltd.",
    # persons and forms alone
    "张伟",
    "欧阳娜娜",
    "欧阳",
    "欧阳修",
    "司马光明",
    "王小明工作室",
    "(张伟)",
    "公司公司",
    "有限公司",
    "集团有限公司",
    "海尔集团青岛冰箱厂",
    "中国移动通信集团北京",
    # blank, punctuation, odd white space
    "",
    " ",
    "-",
    "锐洲\u3000科技",
    "锐洲  科技\t有限公司",
    "星辰_科技",
]


def test_awkward_names_keyed_alone_and_together_as_one_by_one() -> None:
    vocab = load_vocabulary()
    folded = fold_many(AWKWARD)
    assert fold_array(pa.array(AWKWARD)).to_pylist() == folded
    assert compact_array(pa.array(folded)).to_pylist() == [compact(f) for f in folded]
    alone = [key_parts(f, vocab) for f in folded]
    assert [keys_of([f], vocab)[0] for f in folded] == alone
    assert keys_of(folded, vocab) == alone


def test_keys_worked_out_by_hand() -> None:
    vocab = load_vocabulary()
    names = [
        "星辰科技（北京）有限公司",
        "广东省深圳市腾宇科技股份有限公司",
        "北京上海科技有限公司",
        "Sunrise Hotel (Shanghai) Co., Ltd.",
        "欧阳",
        "欧阳修",
    ]
    assert keys_of(fold_many(names), vocab) == [
        ("星辰科技", "北京", False, "", "星辰科技北京有限公司"),
        ("腾宇科技", "深圳", False, "", "广东省深圳市腾宇科技股份有限公司"),
        # a second place of another province is part of the brand
        ("上海科技", "北京", False, "", "北京上海科技有限公司"),
        ("hotelsunrise", "上海", False, "sunrise", "sunrisehotelshanghaicoltd"),
        # 欧阳 is a surname with nothing after it; 欧阳修 a person
        ("欧阳", "", False, "", "欧阳"),
        ("欧阳修", "", True, "", "欧阳修"),
    ]


def _pieces() -> list[str]:
    vocab = load_vocabulary()
    places = sorted(vocab.province)[:40] + ["北京", "广东", "深圳", "内蒙古", "包头"]
    return [
        *places,
        *vocab.legal_forms,
        *vocab.branch_words,
        *sorted(vocab.bracket_words),
        *vocab.surnames[:20],
        *(vocab.latin_places or {}),
        "hong kong", "shanghai", "co", "ltd", "inc", "the", "and", "hotel", "cafe", "sunrise",
        "星辰", "科技", "腾宇", "工作室", "中餐厅", "冰箱厂", "伟", "娜", "臺", "灣", "韋", "鴻",
        "(", ")", "（", "）", "[", "]", "【", "】", "{", "}", "「", "」",
        " ", "  ", "\u3000", ",", ".", "-", "'", "’", "&", "_", "Ａ", "Ｂ", "１", "é", "ß", "İ",
        "省", "市", "自治区", "地区", "特别行政区", "A", "Z", "9",
    ]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_pieces()), max_size=7).map("".join), max_size=40))
def test_random_names_from_the_vocabularys_pieces(names: list[str]) -> None:
    vocab = load_vocabulary()
    folded = fold_many(names)
    assert fold_array(pa.array(names, pa.large_string())).to_pylist() == folded
    assert compact_array(pa.array(names, pa.large_string())).to_pylist() == [
        compact(n) for n in names
    ]
    assert keys_of(folded, vocab) == [key_parts(f, vocab) for f in folded]


def test_pool_rows_carry_their_names_keys(tmp_path: Path) -> None:
    """Repeated names, a name that folds like another (繁體, full-width), a person named as
    their own contact, missing names and contacts."""
    names = ["星辰科技（北京）有限公司", "星辰科技(北京)有限公司", "张伟", "臺北星辰科技", None,
             "Sunrise Hotel (Shanghai)", "张伟", "星辰科技(北京)有限公司"]  # fmt: skip
    contacts = ["李娜", "李 娜", "张 伟", None, "王芳", None, "李娜", "赵六"]
    path = write_csv(
        tmp_path / "pool.csv",
        ["客户名称", "联系人姓名"],
        [[n, c] for n, c in zip(names, contacts, strict=True)],
    )
    pool = build_pool([read_table(path, specs=[builtin_spec("customers")])])
    records = pool.records
    assert records["key"].tolist() == [
        "星辰科技", "星辰科技", "张伟", "星辰科技", "", "hotelsunrise", "张伟", "星辰科技",
    ]  # fmt: skip
    assert records["place"].tolist() == ["北京", "北京", "", "台北", "", "上海", "", "北京"]
    assert records["words"].tolist() == ["", "", "", "", "", "sunrise", "", ""]
    assert records["whole"].tolist()[:4] == ["星辰科技北京有限公司"] * 2 + ["张伟", "台北星辰科技"]
    # 张伟 is a person by name; a row whose contact is its name is one too
    assert records["person"].tolist() == [False, False, True, False, False, False, True, False]
    assert records["contact"].tolist() == [
        "李娜",
        "李娜",
        "张伟",
        None,
        "王芳",
        None,
        "李娜",
        "赵六",
    ]
    assert records["contact"].dtype == object
