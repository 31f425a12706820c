"""Blank workbook templates built from a field spec: headers, dropdowns, hints, text formats."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from crmkit.errors import OutputError
from crmkit.io.write import atomic_path
from crmkit.spec.fields import LANGS as LANG_CHOICES
from crmkit.spec.fields import FieldSpec, TableSpec

TEMPLATE_ROWS = 1000
OPTIONS_SHEET = "选项"
# Text-formatted where Excel would turn typed digits into a number (13812345678 → 1.38E+10):
# phones, ids, e-mails and free text (其他电话, a contact's name typed as digits …).
_FORMATS = {
    "phone": "@",
    "id": "@",
    "text": "@",
    "datetime": "yyyy-mm-dd hh:mm",
    "number": "#,##0.00",
    "email": "@",
    "period": "@",  # a typed 2024-09 stays a period, not a date
}
_WIDTHS = {
    "phone": 16,
    "id": 18,
    "datetime": 18,
    "email": 24,
    "text": 18,
    "option": 14,
    "number": 14,
    "period": 12,
}


@lru_cache(maxsize=1)
def _s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def _options_in(spec: FieldSpec, lang: str) -> list[str]:
    if lang == "zh-Hant":
        return [str(_s2t().convert(o)) for o in spec.options]
    return list(spec.options)


def header_label(spec: FieldSpec, lang: str) -> str:
    """The header written for a field: its name in `lang`, with * when required."""
    return spec.header(lang) + ("*" if spec.required else "")


def build_template(spec: TableSpec, lang: str = "zh") -> Workbook:
    """A blank workbook for one table: marked header, dropdowns, hints, frozen header, text formats."""
    if lang not in LANG_CHOICES:
        raise ValueError(f"lang must be one of {', '.join(LANG_CHOICES)}")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.title.get(lang) or spec.title.get("zh") or spec.kind
    options_sheet = workbook.create_sheet(OPTIONS_SHEET)
    options_sheet.sheet_state = "hidden"
    header_fill = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
    option_column = 0
    for position, field in enumerate(spec.fields, 1):
        letter = get_column_letter(position)
        cell = sheet.cell(row=1, column=position, value=header_label(field, lang))
        cell.font = Font(bold=True, color="C00000" if field.required else "000000")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        hint = field.hint_in(lang)
        if hint:
            cell.comment = Comment(hint, "crmkit", width=240, height=80)
        area = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        if field.type == "option":
            option_column += 1
            values = _options_in(field, lang)
            option_letter = get_column_letter(option_column)
            options_sheet.cell(row=1, column=option_column, value=field.header(lang))
            for row, value in enumerate(values, 2):
                options_sheet.cell(row=row, column=option_column, value=value)
            source = f"'{OPTIONS_SHEET}'!${option_letter}$2:${option_letter}${len(values) + 1}"
            validation = DataValidation(
                type="list", formula1=f"={source}", allow_blank=not field.required
            )
            validation.error = (
                "请从下拉列表中选择" if lang != "en" else "Pick a value from the list"
            )
            validation.errorTitle = field.header(lang)
            validation.showErrorMessage = True
        else:
            validation = DataValidation(allow_blank=True)
        validation.promptTitle = field.header(lang)[:32]
        validation.prompt = hint[:255]
        validation.showInputMessage = bool(hint)
        validation.add(area)
        sheet.add_data_validation(validation)
        number_format = _FORMATS.get(field.type)
        if number_format:
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=position).number_format = number_format
        width = max(_WIDTHS.get(field.type, 16), 2 * len(field.header(lang)) + 4)
        sheet.column_dimensions[letter].width = min(width, 40)
    sheet.freeze_panes = "A2"
    return workbook


def check_template_path(output: str | Path, *, overwrite: bool = False) -> Path:
    """The path a template may be written to. Raises OutputError for a name that is not .xlsx
    (an .xlsm holding a plain workbook is refused by Excel) and for a file that exists, unless
    `overwrite`: it may be a filled-in workbook of the same name."""
    output = Path(output)
    if output.suffix.lower() != ".xlsx":
        raise OutputError(
            f"{output}: a template is an .xlsx workbook (no macros); name it "
            f"{output.with_suffix('.xlsx').name}"
        )
    if output.exists() and not overwrite:
        raise OutputError(
            f"{output} exists (it may hold filled-in data); use --force to replace it"
        )
    return output


def write_template(
    spec: TableSpec, output: str | Path, lang: str = "zh", *, overwrite: bool = False
) -> Path:
    """Write the blank template of a table to an .xlsx file, atomically.

    Raises OutputError when `output` is not an .xlsx name, or exists and not `overwrite`.
    """
    output = check_template_path(output, overwrite=overwrite)
    workbook = build_template(spec, lang)
    with atomic_path(output) as temp:
        workbook.save(temp)
    return output
