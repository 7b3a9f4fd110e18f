"""A year of plausible ledger activity for one member, per preset (schemes.md §2).

Each generator returns `Act`s — what happened, when, and for how many points — using the
preset's exact item codes: fixed items at their value, range items within the range,
assessed items within their max, honors with an `honor_key` and quantity 1. The builder
turns acts into `EntryDraft`s with the member and the branch where they were earned.

The demo year (`DemoYear`) is fixed by the date alone: the current year up to yesterday,
because the ledger refuses entries dated after today; in January, when the current year
has almost nothing yet, the previous full year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from jifen.ledger.models import Source

D = Decimal


@dataclass(frozen=True, slots=True)
class DemoYear:
    year: int
    first: dt.date
    last: dt.date  # the last day that may carry an entry

    def months(self) -> list[tuple[int, dt.date, dt.date]]:
        """(month, first day, last usable day) of every month that has begun."""
        spans = []
        for month in range(1, self.last.month + 1 if self.last.year == self.year else 13):
            start = dt.date(self.year, month, 1)
            end = dt.date(self.year, month, calendar.monthrange(self.year, month)[1])
            spans.append((month, start, min(end, self.last)))
        return spans

    def month_closed(self, month: int) -> bool:
        return self.month_end(month) <= self.last

    def month_end(self, month: int) -> dt.date:
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    def has(self, day: dt.date) -> bool:
        return self.first <= day <= self.last


def demo_year(today: dt.date) -> DemoYear:
    yesterday = today - dt.timedelta(days=1)
    if yesterday.timetuple().tm_yday <= 31:  # January: too little of this year to show
        year = yesterday.year - 1
        return DemoYear(year, dt.date(year, 1, 1), dt.date(year, 12, 31))
    return DemoYear(yesterday.year, dt.date(yesterday.year, 1, 1), yesterday)


@dataclass(frozen=True, slots=True)
class Act:
    occurred_on: dt.date
    item_code: str
    points: Decimal
    note: str = ""
    honor_key: str = ""
    source: str = Source.REGISTRATION


@dataclass(frozen=True, slots=True)
class Profile:
    category: str = ""
    diligence: float = 0.7  # 0..1


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _party_day(year: int, month: int) -> dt.date:
    """主题党日: the 10th of every month in these branches."""
    return dt.date(year, month, 10)


# --- s004 农村党员分类积分 (monthly, base 60) ----------------------------------------------

S004_GOOD = {
    "village_cleanup": (D(2), "参加村湾环境卫生整治"),
    "new_customs": (D(2), "劝导移风易俗、弘扬新风正气"),
    "lead_prosperity": (D(3), "带领群众发展特色种养"),
    "collective_income": (D(3), "协助村集体经济项目增收"),
    "flood_control": (D(3), "参加防汛抢险值守"),
    "forest_fire": (D(3), "参加森林防火巡查"),
}


def s004(rng: random.Random, profile: Profile, year: DemoYear) -> list[Act]:
    acts: list[Act] = []
    per_month = {"A": (2, 3), "B": (1, 3), "C": (0, 2), "D": (0, 1)}.get(profile.category, (1, 2))
    for month, start, end in year.months():
        codes = ["village_cleanup", "new_customs"]
        if profile.category in ("A", "B"):
            codes.append("lead_prosperity")
        if profile.category == "A":
            codes.append("collective_income")
        if month in (6, 7, 8):
            codes.append("flood_control")
        if month in (11, 12, 1, 2, 3, 4):
            codes.append("forest_fire")
        for _ in range(rng.randint(*per_month)):
            code = rng.choice(codes)
            points, note = S004_GOOD[code]
            acts.append(Act(_day(rng, start, end), code, points, note, source=Source.DECLARATION))
        party_day = _party_day(year.year, month)
        miss = 0.04 + 0.25 * (1 - profile.diligence) + (0.15 if profile.category == "C" else 0)
        if year.has(party_day) and profile.category != "D" and rng.random() < miss:
            acts.append(
                Act(
                    party_day,
                    "absent_unexcused",
                    D(-2),
                    "无故缺席主题党日",
                    source=Source.ATTENDANCE,
                )
            )
    return acts


# --- s002 六项量化百分制 (quarterly, deduct from full marks, honors) -------------------------

# (code, points or None for a discretionary −, weight, note)
S002_DEDUCTIONS: tuple[tuple[str, Decimal | None, float, str], ...] = (
    ("study_absent", D(-1), 10, "缺席支部学习"),
    ("study_notes", D(-1), 7, "当月学习笔记少于1篇"),
    ("study_reflection", D(-1), 2, "本季度学习心得少于1篇"),
    ("study_other", None, 1, "未完成专题学习测试"),
    ("service_dress_deadline", D(-1), 6, "未按规定着装"),
    ("service_activity", D(-1), 5, "未参加服务队活动"),
    ("service_complaint", D(-2), 1.5, "客户责任投诉"),
    ("service_criticized", D(-2), 0.5, "行风检查通报批评"),
    ("service_other", None, 1, "服务台账填写不规范"),
    ("duty_orglife_dues", D(-2), 2.5, "未按规定交纳党费"),
    ("duty_ethics", D(-1), 2.5, "志愿服务参与不足"),
    ("duty_weak_execution", D(-2), 1, "落实上级部署不及时"),
    ("duty_harm_masses", D(-2), 0.2, "处理群众诉求不当"),
    ("duty_other", None, 0.5, "组织生活发言准备不充分"),
    ("perf_delay_temp", D(-5), 1, "临时性工作拖延"),
    ("perf_delay_daily", D(-10), 0.3, "日常工作拖延"),
    ("perf_delay_key", D(-15), 0.1, "重点工作拖延"),
    ("perf_other", None, 0.5, "工作质量未达要求"),
    ("integ_low_satisfaction", D(-1), 2.5, "服务对象满意度较低"),
    ("integ_absent", D(-2), 1.5, "未参加廉政教育活动"),
    ("integ_complaints", D(-6), 0.1, "信访投诉经查属实"),
    ("integ_other", None, 0.3, "廉洁承诺未按时签订"),
    ("promise_breach", D(-1), 1, "未兑现公开承诺事项"),
    ("promise_other", None, 0.3, "承诺事项进度未公示"),
)  # fmt: skip
_S002_WEIGHTS = [w for _, _, w, _ in S002_DEDUCTIONS]
S002_HONORS = (
    ("honor_company", D(1)),
    ("honor_municipal", D(3)),
    ("honor_provincial", D(5)),
    ("honor_national", D(8)),
)
S002_HONOR_TITLES = ("优秀共产党员", "岗位能手", "先进工作者", "青年岗位能手")


def s002_deduction(rng: random.Random, day: dt.date) -> Act:
    code, points, _, note = rng.choices(S002_DEDUCTIONS, _S002_WEIGHTS)[0]
    if points is None:  # discretionary (酌情): a written reason and a modest value
        points = rng.choice((D("-0.5"), D(-1), D(-1), D(-2)))
    return Act(day, code, points, note)


def s002(rng: random.Random, profile: Profile, year: DemoYear) -> list[Act]:
    acts: list[Act] = []
    rate = 1.2 + 2.6 * (1 - profile.diligence)  # deductions per month
    for month, start, end in year.months():
        count = sum(1 for _ in range(6) if rng.random() < rate / 6)
        acts.extend(s002_deduction(rng, _day(rng, start, end)) for _ in range(count))
        if month == 1 and year.has(dt.date(year.year, 1, 31)) and rng.random() < 0.05:
            acts.append(
                Act(dt.date(year.year, 1, 31), "promise_letter_late", D(-1), "未按期制定承诺书")
            )
    # Honors: one in six is honored by the company; a few of them again, higher, later in
    # the year under the same honor_key (highest_honor_only then counts the difference).
    if profile.diligence > 0.6 and rng.random() < 0.25:
        title = rng.choice(S002_HONOR_TITLES)
        key = f"{year.year}-{title}"
        months = year.months()
        month, start, end = months[rng.randrange(len(months))]
        acts.append(
            Act(
                _day(rng, start, end),
                "honor_company",
                D(1),
                f"公司{title}",
                key,
                Source.DECLARATION,
            )
        )
        later = [m for m in months if m[0] > month]
        if later and rng.random() < 0.2:
            _, start, end = rng.choice(later)
            acts.append(
                Act(
                    _day(rng, start, end),
                    "honor_municipal",
                    D(3),
                    f"市级{title}",
                    key,
                    Source.DECLARATION,
                )
            )
    return acts


# --- s001 十二分制 (yearly, recorded monthly on 主题党日) -------------------------------------


def s001(rng: random.Random, profile: Profile, year: DemoYear) -> list[Act]:
    acts: list[Act] = []
    d = profile.diligence
    for month, start, end in year.months():
        party_day = _party_day(year.year, month)
        if year.has(party_day):
            draw = rng.random()
            if draw < 0.03 * (1 - d) + 0.01:
                acts.append(
                    Act(
                        party_day,
                        "absent_unexcused",
                        D(-2),
                        "无正当理由不参加主题党日",
                        source=Source.ATTENDANCE,
                    )
                )
            elif draw < 0.12:
                acts.append(
                    Act(
                        party_day,
                        "absent_leave",
                        D(-1),
                        "请假未参加主题党日",
                        source=Source.ATTENDANCE,
                    )
                )
        for _ in range(rng.choice((1, 1, 2, 2, 3) if d > 0.6 else (0, 1, 1, 2, 2))):
            acts.append(
                Act(
                    _day(rng, start, end),
                    "volunteer",
                    D(1),
                    "参加社区志愿服务",
                    source=Source.DECLARATION,
                )
            )
        if rng.random() < 0.5 * d:
            acts.append(
                Act(
                    _day(rng, start, end),
                    "praise",
                    D(1),
                    "热心帮助邻里，受居民好评",
                    source=Source.ATTESTATION,
                )
            )
        if rng.random() < 0.05 * d:
            acts.append(
                Act(_day(rng, start, end), "key_work", D(2), "创文创卫工作表现突出受街道肯定")
            )
        if rng.random() < 0.015:
            acts.append(Act(_day(rng, start, end), "dues_late", D(-3), "未按时足额交纳党费"))
        if rng.random() < 0.004:
            acts.append(Act(_day(rng, start, end), "disobey", D(-4), "不服从网格工作分配"))
    if rng.random() < 0.08 * d and year.months():
        _, start, end = year.months()[-1]
        acts.append(
            Act(
                _day(rng, start, end),
                "honor_township",
                D(2),
                "街道优秀志愿者",
                f"{year.year}-街道优秀志愿者",
                Source.DECLARATION,
            )
        )
    return acts


# --- s003 区级党员积分管理 (yearly, base 100, contribution bonus) ----------------------------


def s003(rng: random.Random, profile: Profile, year: DemoYear) -> list[Act]:
    acts: list[Act] = []
    d = profile.diligence
    for month, start, end in year.months():
        for _ in range(rng.choice((1, 1, 2, 2, 3) if d > 0.5 else (0, 1, 1, 2, 2))):
            acts.append(
                Act(
                    _day(rng, start, end),
                    "contrib_volunteer",
                    D(1),
                    rng.choice(("参加志愿服务", "参加在职党员进社区活动", "参加文明交通劝导")),
                    source=Source.DECLARATION,
                )
            )
        party_day = _party_day(year.year, month)
        if year.has(party_day) and rng.random() < 0.02 + 0.08 * (1 - d):
            acts.append(
                Act(party_day, "base_absent", D(-2), "无故缺席组织生活", source=Source.ATTENDANCE)
            )
        if rng.random() < 0.012:
            acts.append(Act(_day(rng, start, end), "base_dues_late", D(-3), "未按时交纳党费"))
        if rng.random() < 0.02 * d:
            level = rng.choice((1, 2, 2, 3, 5))
            acts.append(
                Act(
                    _day(rng, start, end),
                    "contrib_recognized",
                    D(level),
                    "受上级表彰",
                    source=Source.DECLARATION,
                )
            )
    return acts


# --- s000a 百分制三板块 (monthly assessment at the month's end) ------------------------------


def _assessed(rng: random.Random, maximum: int, diligence: float, step: Decimal) -> Decimal:
    share = 0.72 + 0.28 * min(1.0, diligence * rng.uniform(0.85, 1.1))
    value = Decimal(str(maximum * share)) / step
    return min(D(maximum), value.to_integral_value() * step)


def s000a(rng: random.Random, profile: Profile, year: DemoYear) -> list[Act]:
    acts: list[Act] = []
    for month, _start, _end in year.months():
        if not year.month_closed(month):
            continue  # assessed at the start of the next month, for the month just ended
        on = year.month_end(month)
        d = profile.diligence
        acts.append(
            Act(on, "base_assessed", _assessed(rng, 30, d, D(1)), "公开承诺、三会一课、党员活动日")
        )
        acts.append(Act(on, "task_assessed", _assessed(rng, 60, d, D(1)), "本月工作任务完成情况"))
        if rng.random() < 0.35 * d:
            acts.append(Act(on, "reward_assessed", D(rng.randint(2, 10)), "当月受到表扬或额外贡献"))
    return acts


# --- s000b 日常行为七成 + 年度评议三成 --------------------------------------------------------


def s000b(rng: random.Random, profile: Profile, year: DemoYear) -> list[Act]:
    acts: list[Act] = []
    for _month, start, end in year.months():
        if rng.random() < 0.04 + 0.16 * (1 - profile.diligence):
            acts.append(
                Act(
                    _day(rng, start, end),
                    "obligation_absent",
                    D(-5),
                    "无故不参加村组织的义务活动",
                    source=Source.ATTENDANCE,
                )
            )
        if rng.random() < 0.08 * profile.diligence:
            acts.append(
                Act(
                    _day(rng, start, end),
                    "economy_contribution",
                    D(rng.randint(2, 6)),
                    "引进项目带动村集体经济发展",
                    source=Source.DECLARATION,
                )
            )
    appraisal_day = dt.date(year.year, 12, 20)  # 年度民主评议
    if year.has(appraisal_day):
        score = D(round(60 + 38 * profile.diligence * rng.uniform(0.9, 1.05)))
        acts.append(Act(appraisal_day, "annual_appraisal", min(score, D(100)), "年度民主评议"))
    return acts


# --- s000c 四大项十八小项 (assessed at the half-year checkpoint and the year's end) ----------

S000C_ASSESSED = (
    ("edu_theory", 5), ("edu_training", 5), ("edu_notes", 5), ("edu_reflections", 5),
    ("edu_research", 5), ("obl_line", 5), ("obl_discipline", 5), ("obl_orglife", 5),
    ("obl_masses", 5), ("obl_ethos", 5), ("work_plan", 5), ("work_key", 5), ("work_ontime", 5),
    ("work_results", 10), ("com_content", 5), ("com_progress", 5), ("com_report", 5),
    ("com_rate", 10),
)  # fmt: skip


def s000c(rng: random.Random, profile: Profile, year: DemoYear) -> list[Act]:
    """Each half year awards up to half of every item's max; the year adds them (capped
    at the max by the engine, which these values never reach)."""
    acts: list[Act] = []
    checkpoints = (
        (dt.date(year.year, 6, 30), "上半年评定"),
        (dt.date(year.year, 12, 25), "年终总评"),
    )
    for on, label in checkpoints:
        if not year.has(on):
            continue
        for code, maximum in S000C_ASSESSED:
            half = Decimal(maximum) / 2
            share = Decimal(str(round(0.6 + 0.4 * profile.diligence * rng.uniform(0.8, 1.0), 2)))
            value = (half * share * 2).to_integral_value() / 2  # in steps of 0.5
            acts.append(Act(on, code, min(value, half), label))
        start = on.replace(month=on.month - 5, day=1)
        if rng.random() < 0.2 * profile.diligence:
            acts.append(
                Act(
                    _day(rng, start, on),
                    "bonus_publication",
                    D(2),
                    "在市级刊物发表文章",
                    source=Source.DECLARATION,
                )
            )
        if rng.random() < 0.08:
            acts.append(
                Act(
                    _day(rng, start, on),
                    "bonus_innovation",
                    D(3),
                    "预算绩效管理工作创新",
                    source=Source.DECLARATION,
                )
            )
        if rng.random() < 0.1 * profile.diligence:
            acts.append(
                Act(
                    _day(rng, start, on),
                    "bonus_extra",
                    D(rng.randint(1, 3)),
                    "完成承诺之外的专项审计任务",
                    source=Source.DECLARATION,
                )
            )
        if rng.random() < 0.05 + 0.15 * (1 - profile.diligence):
            acts.append(Act(_day(rng, start, on), "ded_daily_error", D(-4), "报表数据差错"))
        if rng.random() < 0.03 * (1 - profile.diligence):
            acts.append(
                Act(_day(rng, start, on), "ded_attitude", D(-2), "工作积极性不高，经提醒未改")
            )
    return acts


GENERATORS: dict[str, Callable[[random.Random, Profile, DemoYear], list[Act]]] = {
    "s000a": s000a,
    "s000b": s000b,
    "s000c": s000c,
    "s001": s001,
    "s002": s002,
    "s003": s003,
    "s004": s004,
}


def year_of_acts(
    scheme_code: str, rng: random.Random, profile: Profile, year: DemoYear
) -> list[Act]:
    acts = GENERATORS[scheme_code](rng, profile, year)
    return sorted(acts, key=lambda act: act.occurred_on)
