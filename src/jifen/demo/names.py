"""Realistic people for the demo: names, ID-card numbers, phones, birth and join dates.

Everything here draws from a `random.Random` the caller seeds, so a demo is the same on
every machine. Nothing here touches the database.

- Surnames are weighted by their approximate share of the population (‰), so
  a branch of 40 has several 王, 李, 张 and the occasional 欧阳, as a real roster does.
- Given names follow the era of birth: a 1953 member is 建国 or 桂兰, a 1998 one 子涵.
- ID numbers (GB 11643) use real region prefixes of Wuhan's 青山区 and of places people
  there come from, the birth date, a sequence whose parity gives the gender, and the
  check digit computed by `jifen.members.idcard.check_digit`.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from jifen.members.idcard import check_digit

# (surname, share of the population in ‰). The tail is cut at ~0.2‰ plus two compound names.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 72.5), ("李", 71.9), ("张", 68.3), ("刘", 53.8), ("陈", 45.3), ("杨", 30.8),
    ("黄", 22.3), ("赵", 19.3), ("吴", 17.7), ("周", 17.2), ("徐", 12.8), ("孙", 12.6),
    ("马", 12.1), ("朱", 11.3), ("胡", 10.8), ("郭", 10.5), ("何", 10.3), ("高", 9.1),
    ("林", 8.9), ("罗", 8.4), ("郑", 8.1), ("梁", 7.9), ("谢", 6.6), ("宋", 6.2), ("唐", 6.1),
    ("许", 5.9), ("韩", 5.6), ("冯", 5.4), ("邓", 5.3), ("曹", 5.2), ("彭", 5.0), ("曾", 4.9),
    ("肖", 4.7), ("田", 4.6), ("董", 4.5), ("袁", 4.3), ("潘", 4.2), ("于", 4.1), ("蒋", 4.0),
    ("蔡", 3.8), ("余", 3.7), ("杜", 3.6), ("叶", 3.5), ("程", 3.4), ("苏", 3.3), ("魏", 3.2),
    ("吕", 3.1), ("丁", 3.0), ("任", 2.9), ("沈", 2.8), ("姚", 2.7), ("卢", 2.6), ("姜", 2.5),
    ("崔", 2.4), ("钟", 2.3), ("谭", 2.2), ("陆", 2.1), ("汪", 2.0), ("范", 1.9), ("金", 1.8),
    ("石", 1.7), ("廖", 1.6), ("贾", 1.5), ("夏", 1.4), ("韦", 1.3), ("付", 1.3), ("方", 1.2),
    ("白", 1.2), ("邹", 1.1), ("孟", 1.1), ("熊", 1.0), ("秦", 1.0), ("邱", 1.0), ("江", 0.9),
    ("尹", 0.9), ("薛", 0.8), ("闫", 0.8), ("段", 0.8), ("雷", 0.7), ("侯", 0.7), ("龙", 0.7),
    ("史", 0.6), ("陶", 0.6), ("黎", 0.6), ("贺", 0.5), ("顾", 0.5), ("毛", 0.5), ("郝", 0.5),
    ("龚", 0.4), ("邵", 0.4), ("万", 0.4), ("覃", 0.3), ("武", 0.3), ("欧阳", 0.3), ("诸葛", 0.1),
)  # fmt: skip
_SURNAME_NAMES = [s for s, _ in SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in SURNAMES]

# Given names by birth decade and gender: whole names people of that era were given, so
# combinations stay plausible (no 桂兰 born in 2001).
GIVEN: dict[tuple[str, str], tuple[str, ...]] = {
    ("old", "M"): (
        "建国", "建华", "建军", "国庆", "国强", "卫东", "卫国", "志强", "志明", "德明", "德胜",
        "文革", "红兵", "向东", "援朝", "长生", "金山", "福生", "明", "华", "军", "平", "斌",
        "振华", "永福", "学军", "保国", "新民", "光明", "庆华",
    ),
    ("old", "F"): (
        "秀英", "桂兰", "玉兰", "淑珍", "凤英", "桂英", "秀兰", "红梅", "素珍", "翠华", "秀珍",
        "玉珍", "建英", "冬梅", "爱华", "丽华", "美华", "桂芳", "金凤", "春兰", "英", "兰", "芳",
    ),
    ("mid", "M"): (
        "伟", "勇", "军", "磊", "涛", "强", "斌", "超", "亮", "刚", "健", "杰", "峰", "鹏",
        "晓东", "海涛", "志刚", "俊杰", "建波", "文斌", "永刚", "国华", "海波", "红军", "立新",
        "小龙", "春雷", "卫平", "剑", "浩",
    ),
    ("mid", "F"): (
        "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "芳", "婷", "海燕", "丽娟", "晓红",
        "小红", "春燕", "慧", "晶", "雪梅", "秀梅", "红霞", "文静", "丽萍", "晓梅", "莉",
    ),
    ("young", "M"): (
        "浩然", "宇航", "子豪", "思远", "一鸣", "俊熙", "博文", "天佑", "子轩", "明轩", "浩宇",
        "宇轩", "志豪", "嘉豪", "文博", "鑫", "昊", "帆", "晨", "阳", "皓", "睿", "凯", "楠",
    ),
    ("young", "F"): (
        "子涵", "欣怡", "梓萱", "诗涵", "雨轩", "佳怡", "思琪", "雨萱", "可馨", "梦瑶", "紫涵",
        "晓彤", "嘉怡", "静怡", "雅琪", "悦", "琳", "璐", "倩", "萌", "瑶", "颖", "甜", "冉",
    ),
}  # fmt: skip

# Region codes (GB/T 2260) of Wuhan's districts and of places in Hubei that Wuhan's people
# come from: the district itself dominates.
HOME_REGIONS: tuple[tuple[str, float], ...] = (
    ("420107", 55),  # 武汉市青山区
    ("420106", 8),  # 武昌区
    ("420111", 8),  # 洪山区
    ("420102", 4),  # 江岸区
    ("420115", 4),  # 江夏区
    ("420116", 4),  # 黄陂区
    ("420117", 5),  # 新洲区
    ("421122", 3),  # 黄冈市红安县
    ("421127", 2),  # 黄冈市黄梅县
    ("420281", 3),  # 黄石市大冶市
    ("420982", 2),  # 孝感市安陆市
    ("421002", 2),  # 荆州市沙市区
)
_REGION_CODES = [c for c, _ in HOME_REGIONS]
_REGION_WEIGHTS = [w for _, w in HOME_REGIONS]

# Real mobile prefixes (China Mobile, Unicom, Telecom), all matching 1[3-9]xxxxxxxxx.
PHONE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "173", "176", "177", "178",
    "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    gender: str  # "M" | "F", as jifen.members.models.Gender
    birth_date: dt.date
    id_number: str
    phone: str


def era(birth_year: int) -> str:
    return "old" if birth_year < 1966 else "mid" if birth_year < 1988 else "young"


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_NAMES, _SURNAME_WEIGHTS)[0]


def given_name(rng: random.Random, gender: str, birth_year: int) -> str:
    return rng.choice(GIVEN[(era(birth_year), gender)])


def birth_date(rng: random.Random, first_year: int, last_year: int) -> dt.date:
    start = dt.date(first_year, 1, 1)
    days = (dt.date(last_year, 12, 31) - start).days
    return start + dt.timedelta(days=rng.randint(0, days))


def id_number(rng: random.Random, region: str, born: dt.date, gender: str) -> str:
    """A valid 18-digit number: region, birth date, a sequence whose last digit is odd for
    men and even for women (GB 11643), and the check digit."""
    sequence = rng.randrange(0, 1000)
    if (sequence % 2 == 1) != (gender == "M"):
        sequence = (sequence + 1) % 1000
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)


def phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(0, 10**8):08d}"


class PersonFactory:
    """Draws people, never the same ID number twice (the tenant's unique constraint)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._id_numbers: set[str] = set()

    def person(
        self,
        *,
        born_from: int = 1950,
        born_to: int = 2003,
        female_share: float = 0.3,
        family_name: str | None = None,
        region: str | None = None,
    ) -> Person:
        rng = self.rng
        gender = "F" if rng.random() < female_share else "M"
        born = birth_date(rng, born_from, born_to)
        name = (family_name or surname(rng)) + given_name(rng, gender, born.year)
        home = region or rng.choices(_REGION_CODES, _REGION_WEIGHTS)[0]
        number = id_number(rng, home, born, gender)
        while number in self._id_numbers:  # same region, day and sequence: draw again
            number = id_number(rng, home, born, gender)
        self._id_numbers.add(number)
        return Person(name, gender, born, number, phone(rng))


def join_date(rng: random.Random, born: dt.date, latest: dt.date) -> dt.date:
    """When a full member joined: usually between 21 and 40, never before 18, and at least a
    year before `latest` (the probationary year is over)."""
    earliest = dt.date(born.year + 18, born.month, min(born.day, 28))
    last = latest - dt.timedelta(days=366)
    if earliest >= last:
        return last
    first_year = min(born.year + 21, last.year)
    year = rng.randint(first_year, max(first_year, min(born.year + 40, last.year)))
    day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    return min(max(day, earliest), last)
