"""Jifen's scoring engine: plain Python (no Django), shared by the web, the API and the CLI.

Entry points
------------
Schemes (`scheme.py`)
    `load_scheme(code_or_path) -> Scheme`  a preset by code (`s002`) or any TOML file;
                                           raises `SchemeError` naming file, place, problem
    `list_presets() -> list[Scheme]`        the seven presets of schemes.md §2

Evaluation, in two steps (`ledger.py`, `evaluate.py`)
    `evaluate(scheme, members, entries, period) -> Evaluation`
        raw `Entry` rows: validates (`EntryError` naming each bad row), aggregates, evaluates
    `aggregate_entries(scheme, members, entries, period) -> list[Aggregate]`   step (a)
    `evaluate_aggregates(scheme, members, aggregates, period) -> Evaluation`   step (b)
        for a database caller that builds `Aggregate`s with one GROUP BY (see `Aggregate`)
    `plan_request(scheme.scoring_period, period) -> Plan`
        which scoring periods a request evaluates and which dates it reads
    `period_key(kind, day) -> str`  the scoring period a date falls in (`2026-Q3`)

Results only, fast (`fast.py`), for a district's year end
    `fast_path_supported(scheme) -> bool`   no item limits (every preset)
    `SumsEvaluator(scheme, plan).member(member, sums, honors, vetoes) -> FastResult | None`
        the same results as `evaluate`, without traces, in integer hundredths, from
        per-(member, period) sums a database reads set-based (`fast.layout` says which)
    `evaluate_sums(...)`, `rank_fast(results)`; `fast_convert.to_member_results(...)`
    `rank_results(results)` (`evaluate.py`)  the one ranking rule (1, 2, 2, 4)

Explanation (`explain.py`)
    `explain(evaluation, member_id, entries=None) -> Explanation | None`
    `Explanation.to_dict()`, `render_text(explanation) -> str` (Chinese)

Command line (`cli.py`)
    `main(argv, stdout, stderr) -> int`  sub-commands `evaluate`, `explain`, `schemes`

Every point value is a `decimal.Decimal`; rounding (half up, two places) happens only in
a mean of periods, a weighted mean and a composite (`points.round_half_up`).
"""

from .errors import (
    BadInput,
    EngineError,
    EntryError,
    MemberError,
    PeriodError,
    Problem,
    SchemeError,
)
from .evaluate import Evaluation, MemberResult, evaluate, evaluate_aggregates, rank_results
from .explain import Explanation, explain, render_text
from .fast import FastResult, SumsEvaluator, evaluate_sums, fast_path_supported
from .ledger import Aggregate, Entry, Member, Occurrence, aggregate_entries
from .periods import Plan, parse_period, period_key, plan_request
from .scheme import Scheme, list_presets, load_scheme, parse_scheme

__all__ = [
    "Aggregate",
    "BadInput",
    "EngineError",
    "Entry",
    "EntryError",
    "Evaluation",
    "Explanation",
    "FastResult",
    "Member",
    "MemberError",
    "MemberResult",
    "Occurrence",
    "PeriodError",
    "Plan",
    "Problem",
    "Scheme",
    "SchemeError",
    "SumsEvaluator",
    "aggregate_entries",
    "evaluate",
    "evaluate_aggregates",
    "evaluate_sums",
    "explain",
    "fast_path_supported",
    "list_presets",
    "load_scheme",
    "parse_period",
    "parse_scheme",
    "period_key",
    "plan_request",
    "rank_results",
    "render_text",
]
