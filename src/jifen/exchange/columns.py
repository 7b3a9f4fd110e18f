"""The columns of each import: the header people see, the names also accepted, whether
required, and the rule written into the template's 说明 sheet.

Headers are matched after normalisation (no spaces, no * or （必填）), so a template
whose header someone retyped still reads. English names follow the command line's CSV
contract (`member,occurred_on,item,points,quantity,honor_key,note`).
"""

from __future__ import annotations

from dataclasses import dataclass

from jifen.exchange.normalise import header


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    required: bool
    rule: str
    example: str
    aliases: tuple[str, ...] = ()
    width: int = 14

    def names(self) -> set[str]:
        return {header(self.title), *(header(a) for a in self.aliases), self.key}


ROSTER = (
    Column("name", "姓名", True, "党员姓名", "示例：张三", ("名字",), 12),
    Column("gender", "性别", True, "男 或 女", "男", ("gender",), 8),
    Column("id_number", "身份证号", True, "18 位居民身份证号码，用于识别党员，不能重复",
           "11010519491231002X", ("身份证号码", "公民身份号码", "member"), 22),
    Column("phone", "手机号", False, "11 位手机号码", "13900001111", ("手机", "联系电话"), 14),
    Column("branch", "所在支部", True, "支部代码或名称，须在您管理的组织内", "D-1-A",
           ("支部", "支部代码", "党支部", "所在党支部"), 16),
    Column("group", "所在小组", False, "党小组/村小组代码或名称（可空）", "",
           ("小组", "党小组"), 14),
    Column("status", "党员状态", False, "正式党员、预备党员或入党积极分子；空为正式党员",
           "正式党员", ("状态", "人员类别"), 12),
    Column("join_date", "入党日期", False, "如 2010-07-01、2010/7/1、2010年7月1日",
           "2010-07-01", ("入党时间",), 12),
    Column("birth_date", "出生日期", False, "空则取自身份证号", "", ("出生年月",), 12),
    Column("category", "党员类别", False, "积分办法中的类别（可空）", "", ("类别", "category"), 12),
)  # fmt: skip

ENTRIES = (
    Column("id_number", "身份证号", True, "党员的 18 位身份证号码（用于识别党员）",
           "示例：11010519491231002X", ("身份证号码", "公民身份号码", "member"), 22),
    Column("name", "姓名", False, "可空；填写时须与该身份证号的党员一致", "张三", ("名字",), 10),
    Column("item", "积分项目", True, "本支部积分办法中的项目代码或名称", "study_absent",
           ("项目", "项目代码", "积分项目代码", "item"), 28),
    Column("occurred_on", "发生日期", True, "如 2025-03-01、2025/3/1、2025年3月1日，不晚于今天",
           "2025-03-01", ("日期", "occurred_on"), 12),
    Column("points", "分值", False, "固定分值项目可空；其他项目须填写，如 +3、-2.5",
           "", ("分数", "积分", "points"), 8),
    Column("quantity", "次数", False, "空为 1", "1", ("数量", "quantity"), 6),
    Column("honor_key", "荣誉名称", False, "荣誉类项目必填，同一荣誉只计一次", "",
           ("荣誉", "honor_key"), 16),
    Column("note", "事由", False, "积分的原因或说明", "缺席 3 月主题党日",
           ("说明", "原因", "备注", "note"), 30),
)  # fmt: skip

COLUMNS = {"roster": ROSTER, "entries": ENTRIES}


def locate(columns: tuple[Column, ...], headers: list[str]) -> tuple[dict[str, int], list[str]]:
    """(column key → index in the row, missing required titles)."""
    found: dict[str, int] = {}
    for index, raw in enumerate(headers):
        name = header(raw)
        for column in columns:
            if column.key not in found and name in column.names():
                found[column.key] = index
                break
    missing = [c.title for c in columns if c.required and c.key not in found]
    return found, missing
