"""Files that are not safe to open are refused before parsing, with the reason."""

from __future__ import annotations

import io
import zipfile

import pytest

from exchange.files import ENTRY_HEADER, csv_bytes, xlsx
from jifen.exchange.readers import ImportRefused, read_sheet

ROWS = [
    ENTRY_HEADER,
    ["11010519491231002X", "王爱丽", "study_absent", "2025/3/1", "", "", "", "缺席"],
]


def refusal(name: str, data: bytes) -> str:
    with pytest.raises(ImportRefused) as caught:
        read_sheet(name, data)
    return " ".join(caught.value.messages)


def rezip(data: bytes, change: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    """The workbook `data` with some parts replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, change.get(info.filename, source.read(info)))
        for name, body in (add or {}).items():
            target.writestr(name, body)
    return out.getvalue()


def test_an_xlsx_a_gbk_csv_and_a_utf8_csv_with_bom_read_the_same() -> None:
    sheets = [
        read_sheet("a.xlsx", xlsx(ROWS)),
        read_sheet("a.csv", csv_bytes(ROWS, "gbk")),
        read_sheet("a.csv", csv_bytes(ROWS, "utf-8-sig")),
        read_sheet("a.csv", csv_bytes(ROWS, "utf-8")),
    ]
    for sheet in sheets:
        assert sheet.headers == ENTRY_HEADER
        assert [n for n, _ in sheet.rows] == [2]
        assert sheet.rows[0][1][1] == "王爱丽"


def test_a_tab_separated_file_and_blank_rows_and_the_example_row() -> None:
    rows = [ENTRY_HEADER, ["示例：11010519491231002X"] + ["x"] * 7, [], ROWS[1]]
    data = "\n".join("\t".join(r) for r in rows).encode("gbk")
    sheet = read_sheet("a.csv", data)
    assert [n for n, _ in sheet.rows] == [4]  # the example and the blank row are skipped


def test_an_oversize_file_is_refused_with_the_limit(settings) -> None:
    settings.JIFEN_IMPORT_MAX_BYTES = 1024
    message = refusal("a.csv", b"x" * 2048)
    assert "超过上限" in message and "0.000977 MB" not in message and "MB" in message


def test_macro_workbooks_are_refused() -> None:
    assert "宏" in refusal("a.xlsm", xlsx(ROWS))
    with_macro = rezip(xlsx(ROWS), {}, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"})
    assert "vbaProject.bin" in refusal("renamed.xlsx", with_macro)


def test_a_zip_bomb_is_refused_before_it_is_inflated(monkeypatch) -> None:
    from jifen.exchange import readers

    monkeypatch.setattr(readers, "MAX_UNCOMPRESSED", 16 * 1024 * 1024)  # a lighter test
    out = io.BytesIO(xlsx(ROWS))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/media/zeros.bin", "w") as part:
            for _ in range(32):
                part.write(bytes(1024 * 1024))
    bomb = out.getvalue()
    assert len(bomb) < 100 * 1024  # small on disk, 32 MiB inflated
    message = refusal("a.xlsx", bomb)
    assert "压缩炸弹" in message and "16 MB" in message


def test_too_many_parts_are_refused() -> None:
    many = rezip(xlsx(ROWS), {}, {f"xl/media/{i}.bin": b"" for i in range(600)})
    assert "部件" in refusal("a.xlsx", many)


LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol3;</t></si></sst>"""


def test_an_xml_entity_bomb_is_refused() -> None:
    assert "实体声明" in refusal("a.xlsx", rezip(xlsx(ROWS), {"xl/worksheets/sheet1.xml": LAUGHS}))


SHEET_WITH_ENTITIES = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE worksheet [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>"""


def test_openpyxl_itself_parses_through_defusedxml(monkeypatch) -> None:
    """The second line: with our DTD scan switched off, openpyxl still refuses entities."""
    from openpyxl.xml import DEFUSEDXML

    from jifen.exchange import readers

    assert DEFUSEDXML
    monkeypatch.setattr(readers, "DTD_SCAN_BYTES", 0)
    data = rezip(xlsx(ROWS), {"xl/worksheets/sheet1.xml": SHEET_WITH_ENTITIES})
    with pytest.raises(ImportRefused) as caught:
        read_sheet("a.xlsx", data)
    assert "无法读取" in caught.value.messages[0]
    causes = []
    error: BaseException | None = caught.value
    while error is not None:
        causes.append(type(error).__name__)
        error = error.__cause__ or error.__context__
    assert "EntitiesForbidden" in causes  # defusedxml's refusal, not a parse accident


def test_other_files_are_refused() -> None:
    assert ".xls" in refusal("old.xls", b"\xd0\xcf\x11\xe0")
    assert "只接受" in refusal("photo.png", b"\x89PNG")
    assert "损坏" in refusal("broken.xlsx", b"PK\x03\x04garbage")
    assert "编码" in refusal("a.csv", b"\xff\xfe\x00\xd8\x00\xdc" * 10 + b"\x81")
    assert "空" in refusal("a.csv", b"")
