"""Field specs: a team's own copy changes the checks with no code; broken specs name the entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmkit.errors import SpecError
from crmkit.spec.fields import builtin_spec, header_key, load_spec
from crmkit.spec.resources import data_dir

from .conftest import CUSTOMER_HEADERS, customer_row, explain, run, write_xlsx


def test_header_keys_ignore_marks_spaces_width_and_script() -> None:
    spec = builtin_spec("customers")
    for header in (
        "客户名称*",
        " 客户名称 ",
        "客戶名稱",
        "Customer Name",
        "＊客户名称",
        "customer_name",
    ):
        assert spec.match_header(header) == "name", header
    assert spec.match_header("预计成交金额（元）") == "amount"
    assert spec.match_header("微信号") is None
    assert header_key("联系电话 *") == header_key("聯繫電話")


def test_team_schema_adds_a_column_and_an_option(tmp_path: Path) -> None:
    text = (data_dir("schemas") / "customers.toml").read_text(encoding="utf-8")
    text = text.replace('"被动咨询", "其他"]', '"被动咨询", "朋友圈", "其他"]')
    text += '\n[[fields]]\nname = "wechat"\ntype = "text"\nrequired = true\nheaders = { zh = "微信号" }\n'
    schema = tmp_path / "my_customers.toml"
    schema.write_text(text, encoding="utf-8")
    path = write_xlsx(
        tmp_path / "c.xlsx", [*CUSTOMER_HEADERS, "微信号"],
        [customer_row(客户来源="朋友圈") + ["wx1"], customer_row(客户编号="CRM2") + [None]],
    )  # fmt: skip
    builtin = run("validate", path, "--format", "json")
    assert builtin.exit_code == 1, explain(builtin)
    assert '"rule": "option"' in builtin.stdout
    own = run("validate", path, "--schema", schema, "--format", "json")
    assert own.exit_code == 1, explain(own)
    assert '"rule": "option"' not in own.stdout
    assert '"field": "wechat"' in own.stdout and '"row": 3' in own.stdout


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            'name = "x"\ntype = "option"\nheaders = { zh = "X" }\noptions = ["a"]\nsynonyms = { "b" = "c" }',
            "field 'x': synonym 'b' points to 'c', not an option",
        ),
        (
            'name = "x"\ntype = "id"\nheaders = { zh = "X" }\npattern = "("',
            "field 'x': pattern '(' is not a regular expression",
        ),
        ('name = "x"\ntype = "colour"\nheaders = { zh = "X" }', "field 'x': type must be one of"),
        (
            'name = "x"\ntype = "text"\nheaders = { zh = "X" }\nrequird = true',
            "field 'x': unknown key 'requird'",
        ),
        ('name = "name"\ntype = "text"\nheaders = { zh = "X" }', "field 'name' is defined twice"),
    ],
)
def test_broken_spec_names_the_entry(tmp_path: Path, entry: str, message: str) -> None:
    schema = tmp_path / "bad.toml"
    schema.write_text(
        '[table]\nkind = "customers"\n[[fields]]\nname = "name"\ntype = "text"\nheaders = { zh = "客户名称" }\n'
        f"[[fields]]\n{entry}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as error:
        load_spec(schema)
    assert message in str(error.value) and str(schema) in str(error.value)
    result = run("template", "customers", "-o", tmp_path / "t.xlsx", "--schema", schema)
    assert result.exit_code == 2, explain(result)
    assert message in result.stderr
