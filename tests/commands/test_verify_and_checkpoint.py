"""`jifen verify` and `jifen checkpoint`, as an operator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from helpers.ledger import post
from jifen.core.dbguards import GUARDED_TABLES, suspended

pytestmark = pytest.mark.django_db


def test_verify_passes_then_names_the_entry_after_a_raw_sql_change(personas, capsys) -> None:
    post(personas.alice, 10)
    call_command("verify")
    assert "台账完整" in capsys.readouterr().out
    with suspended(GUARDED_TABLES), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_ledgerentry SET points_hundredths = 500"
            " WHERE seq = 7 AND tenant_id = %s",
            [personas.district.pk],
        )
    with pytest.raises(CommandError) as failure:
        call_command("verify", "--tenant", "D")
    assert failure.value.returncode == 1
    assert "第 7 条" in capsys.readouterr().err


def test_a_checkpoint_file_is_checked_against_the_ledger(personas, tmp_path, capsys) -> None:
    post(personas.alice, 5)
    target = tmp_path / "2025-Q1.json"
    call_command("checkpoint", "--tenant", "D", "--label", "2025-Q1", "--output", str(target))
    document = json.loads(target.read_text(encoding="utf-8"))
    assert (document["seq"], document["entry_count"], document["points_sum"]) == (5, 5, "5.00")
    assert "王爱丽" not in target.read_text(encoding="utf-8")
    call_command("verify", "--checkpoint", str(target))
    document["entry_hash"] = "0" * 64
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("verify", "--checkpoint", str(forged))
    assert "检查点" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["verify", "--tenant", "NOPE"], "未知的租户代码"),
        (["verify", "--checkpoint", "/nonexistent/cp.json"], "无法读取检查点文件"),
        (["checkpoint", "--tenant", "NOPE", "--label", "2025"], "未知的租户代码"),
        (["checkpoint", "--tenant", "D", "--label", "2025"], "还没有记录"),
        (["checkpoint", "--tenant", "D", "--label", "2025", "--output", "/no/dir/x.json"],
         "目录不存在"),
    ],
)  # fmt: skip
def test_bad_input_is_named_and_exits_2(personas, args, message) -> None:
    with pytest.raises(CommandError, match=message) as failure:
        call_command(*args)
    assert failure.value.returncode == 2


def jifen(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in env or env[k]}
    environment.update({k: v for k, v in env.items() if v})
    for name in [k for k, v in env.items() if not v]:
        environment.pop(name, None)
    return subprocess.run([sys.executable, "-m", "jifen", *args], env=environment,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


SEED = (
    "from jifen.orgs.services import create_organisation as o;"
    "from jifen.members.services import create_member as m;"
    "from helpers.ledger import post;"
    "d = o(actor=None, name='区', code='K', kind='district');"
    "b = o(actor=None, name='支部', code='K-1', kind='branch', parent=d);"
    "post(m(actor=None, branch=b, name='甲', gender='M'), 3)"
)


def test_a_missing_key_is_named_and_nothing_is_written(tmp_path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}", "JIFEN_DATA_DIR": str(tmp_path),
           "PYTHONPATH": os.path.join(os.path.dirname(__file__), "..")}  # fmt: skip
    assert jifen("migrate", "-v0", **env).returncode == 0
    assert jifen("shell", "-c", SEED, **env).returncode == 0
    result = jifen("verify", **env, JIFEN_LEDGER_KEY="")
    assert result.returncode == 2
    assert "JIFEN_LEDGER_KEY" in result.stderr and result.stdout.strip() == ""
    result = jifen("checkpoint", "--tenant", "K", "--label", "x", **env, JIFEN_LEDGER_KEY="")
    # A checkpoint pins the stored head; it needs no key, and writes one row.
    assert result.returncode == 0
    result = jifen("shell", "-c", SEED.replace("'K'", "'K2'"), **env, JIFEN_LEDGER_KEY="")
    assert result.returncode != 0 and "JIFEN_LEDGER_KEY" in result.stderr
    count = jifen("shell", "-c", "from jifen.ledger.models import LedgerEntry as E;"
                  "print(E.objects.filter(tenant__code='K2').count())", **env)  # fmt: skip
    assert count.stdout.strip().endswith("0")  # the refused post left no entry behind


def test_an_unreachable_database_is_reported_plainly(tmp_path) -> None:
    result = jifen("verify", DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
                   JIFEN_DATA_DIR=str(tmp_path))  # fmt: skip
    assert result.returncode == 2
    assert "数据库无法使用" in result.stderr and "Traceback" not in result.stderr
