"""Command-line logic: `evaluate`, `explain` and `schemes` (domain.md's contract).

`main(argv, stdout, stderr)` is plain Python so that the project's `jifen` console command
can delegate to it and tests can call it. Output is built whole before anything is written:
bad input of any kind (a bad scheme file, a bad CSV, an unknown column, a bad row, a bad
period) writes one message per problem on stderr — naming the file, the row and the
reason — nothing on stdout, and returns 2.
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from .csvio import read_entries, read_members
from .errors import BadInput, EntryError, MemberError, Problem
from .evaluate import Evaluation, MemberResult, evaluate
from .explain import explain, render_text
from .ledger import Entry
from .periods import KIND_NAMES, parse_period
from .points import fmt
from .scheme import ANNUAL_MODE_NAMES, list_presets, load_scheme

EXIT_OK = 0
EXIT_BAD_INPUT = 2


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse writing to the given streams and raising instead of calling sys.exit."""

    out: TextIO
    err: TextIO

    def streams(self, out: TextIO, err: TextIO) -> _Parser:
        self.out, self.err = out, err
        return self

    def print_help(self, file: Any = None) -> None:
        self.out.write(self.format_help())

    def print_usage(self, file: Any = None) -> None:
        self.out.write(self.format_usage())

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            self.err.write(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self.err.write(message)
        raise _Exit(status)

    def error(self, message: str) -> NoReturn:
        self.err.write(self.format_usage())
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: 参数错误 (error): {message}\n")


def _parser(out: TextIO, err: TextIO) -> _Parser:
    parser = _Parser(prog="jifen", description="Jifen 积分引擎 (scoring engine)").streams(out, err)
    commands = parser.add_subparsers(dest="command", required=True)

    def inputs(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--scheme", required=True, help="预置办法编码或办法文件 (code or file)"
        )
        command.add_argument("--entries", required=True, help="ENTRIES.csv")
        command.add_argument("--members", help="MEMBERS.csv")
        command.add_argument("--period", required=True, help="2026, 2026-H1, 2026-Q3, 2026-07")

    run = commands.add_parser("evaluate", help="计算积分结果 (evaluate)").streams(out, err)
    inputs(run)
    run.add_argument("--format", choices=("json", "table"), default="json")
    why = commands.add_parser("explain", help="说明一名党员的积分 (explain)").streams(out, err)
    inputs(why)
    why.add_argument("--member", required=True, help="党员编号 (member id)")
    why.add_argument("--format", choices=("text", "json"), default="text")
    listing = commands.add_parser("schemes", help="列出预置办法 (list the presets)")
    listing.streams(out, err)
    listing.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def main(argv: Sequence[str], stdout: TextIO, stderr: TextIO) -> int:
    """Run one sub-command; returns the exit status (0, or 2 for bad input)."""
    try:
        args = _parser(stdout, stderr).parse_args(list(argv))
    except _Exit as done:
        return done.status
    try:
        if args.command == "schemes":
            output = _schemes(args.format)
        else:
            evaluation, entries = _evaluate(args)
            if args.command == "evaluate":
                output = _results_json(evaluation) if args.format == "json" else _table(evaluation)
            else:
                output = _explain(evaluation, entries, args.member, args.format)
    except BadInput as error:
        stderr.write(error.render() + "\n")
        return EXIT_BAD_INPUT
    stdout.write(output)
    return EXIT_OK


def _evaluate(args: argparse.Namespace) -> tuple[Evaluation, list[Entry]]:
    scheme = load_scheme(args.scheme)
    parse_period(args.period)  # a bad period is reported before any file is read
    entries = read_entries(args.entries)
    members = read_members(args.members, scheme) if args.members else None
    try:
        return evaluate(scheme, members, entries, args.period), entries
    except EntryError as error:
        error.source = args.entries
        raise
    except MemberError as error:
        error.source = args.members or ""
        raise


def _explain(evaluation: Evaluation, entries: list[Entry], member: str, form: str) -> str:
    explanation = explain(evaluation, member, entries)
    if explanation is None:
        raise BadInput(
            [
                Problem(
                    "",
                    f"党员 '{member}' 不在本期间的结果中（不在名单或不在管理期内）"
                    "(member not in the results)",
                )
            ],
            "--member",
        )
    if form == "json":
        return json.dumps(explanation.to_dict(), ensure_ascii=False, indent=2) + "\n"
    return render_text(explanation)


def _money(value: Any) -> str | None:
    return None if value is None else fmt(value)


def result_dict(result: MemberResult) -> dict[str, Any]:
    """One result as the JSON contract prints it."""
    return {
        "member": result.member.id,
        "total": _money(result.total),
        "grade": result.grade,
        "veto": result.veto,
        "dimensions": {code: fmt(value) for code, value in result.dimensions.items()},
        "bonus": _money(result.bonus),
        "deductions": _money(result.deductions),
        "rank": result.rank,
        "category_rank": result.category_rank,
    }


def _results_json(evaluation: Evaluation) -> str:
    document = {
        "scheme": evaluation.scheme.code,
        "period": evaluation.period,
        "results": [result_dict(result) for result in evaluation.results],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _aligned(rows: list[list[str]], right: set[int]) -> str:
    widths = [max(_width(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for column, cell in enumerate(row):
            pad = " " * (widths[column] - _width(cell))
            cells.append(pad + cell if column in right else cell + pad)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def _table(evaluation: Evaluation) -> str:
    scheme = evaluation.scheme
    codes: list[str] = []
    for result in evaluation.results:
        codes.extend(code for code in result.dimensions if code not in codes)
    names = [dim.name if (dim := scheme.dimension(code)) else code for code in codes]
    header = ["排名", "党员", "姓名", "类别", "总分", "等次", "一票否决", *names, "加分", "扣分"]
    header.append("类别排名")
    rows = [header]
    for r in evaluation.results:
        category = scheme.category_name(r.member.category) if r.member.category else ""
        dims = [fmt(r.dimensions[code]) if code in r.dimensions else "-" for code in codes]
        rows.append(
            [
                str(r.rank) if r.rank is not None else "-",
                r.member.id,
                r.member.name,
                category,
                _money(r.total) or "-",
                r.grade or "-",
                r.veto or "",
                *dims,
                _money(r.bonus) or "-",
                _money(r.deductions) or "-",
                str(r.category_rank) if r.category_rank is not None else "-",
            ]
        )
    numeric = {0, 4, *range(7, 7 + len(codes) + 3)}
    title = f"{scheme.code} {scheme.name}　期间 {evaluation.period}\n"
    return title + _aligned(rows, numeric)


def _schemes(form: str) -> str:
    presets = list_presets()
    if form == "json":
        listing = [
            {
                "code": scheme.code,
                "name": scheme.name,
                "scoring_period": scheme.scoring_period,
                "annual": scheme.annual.mode,
            }
            for scheme in presets
        ]
        return json.dumps(listing, ensure_ascii=False, indent=2) + "\n"
    rows = [["编码", "名称", "积分周期", "年度计算"]]
    for scheme in presets:
        rows.append(
            [
                scheme.code,
                scheme.name,
                KIND_NAMES[scheme.scoring_period],
                f"{ANNUAL_MODE_NAMES[scheme.annual.mode]} ({scheme.annual.mode})",
            ]
        )
    return _aligned(rows, set())
