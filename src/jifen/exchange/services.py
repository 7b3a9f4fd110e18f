"""The one door for imports: check the permission, refuse a file already imported, read
it, validate every row, and either write it all (one transaction with the run and its
audit row) or write nothing but the run that lists the errors."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jifen.core.audit import record
from jifen.exchange.entries import validate_entries
from jifen.exchange.models import ImportKind, ImportRun, ImportState
from jifen.exchange.problems import Problems
from jifen.exchange.readers import Sheet, read_sheet
from jifen.exchange.roster import RosterPlan, validate_roster, write_roster
from jifen.ledger.services import EntryDraft, post_entries
from jifen.orgs.models import Organisation
from jifen.orgs.permissions import Perm, has_org_perm

IMPORT_ACTION = "exchange.import"  # audit action (jifen.core.audit.Action has no entry yet)
PERMISSION = {ImportKind.ROSTER: Perm.CHANGE_MEMBER, ImportKind.ENTRIES: Perm.RECORD_ENTRY}
MAX_STORED_ERRORS = 20_000  # a whole bad file is reported; past this, the count says the rest


class AlreadyImported(ValidationError):
    """The same file was already imported successfully into this organisation."""


def may_import(actor: Any, kind: str, organisation: Organisation) -> bool:
    return actor is None or has_org_perm(actor, PERMISSION[ImportKind(kind)], organisation)


def import_file(
    *,
    actor: Any,
    organisation: Organisation,
    kind: str,
    filename: str,
    data: bytes,
    form_token: uuid.UUID | None = None,
    today: dt.date | None = None,
) -> ImportRun:
    """Import `data` all or nothing. Returns the run: `succeeded`, or `refused` with its
    errors. A file refused as a whole (type, size, safety) raises ImportRefused; a file
    already imported raises AlreadyImported; both write nothing."""
    kind = ImportKind(kind)
    if not may_import(actor, kind, organisation):
        raise PermissionDenied(f"无权限向 {organisation.name} 导入{kind.label}")
    sha256 = hashlib.sha256(data).hexdigest()
    if form_token is not None:
        repeated = ImportRun.objects.filter(form_token=form_token).first()
        if repeated is not None and repeated.sha256 == sha256:
            return repeated  # the same form pressed twice: the first answer stands
        if repeated is not None:
            form_token = None  # the form reused with another file: a new import
    _refuse_if_imported(organisation, kind, sha256)
    sheet = read_sheet(filename, data)
    problems = Problems()
    run = ImportRun(
        tenant_id=organisation.tenant_id,
        organisation=organisation,
        kind=kind,
        filename=filename[:200],
        sha256=sha256,
        size=len(data),
        rows_total=len(sheet.rows),
        form_token=form_token,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    # Validation only reads, outside any transaction: on SQLite a write transaction holds
    # the database's write lock from BEGIN, and 100,000 rows take seconds to check. The
    # writes re-check what they rely on (post_entries, create_member, the constraints).
    plan = _validate(run, actor, organisation, sheet, problems, today)
    if not problems:
        try:
            with transaction.atomic():
                _write(run, actor, organisation, plan)
                run.state = ImportState.SUCCEEDED
                _save(run, actor)
            return run
        except IntegrityError as error:
            # A concurrent import of the same file won the race (the unique constraint on
            # successful runs, or the entries' uids): this one wrote nothing.
            _refuse_if_imported(organisation, kind, sha256)
            raise AlreadyImported("该文件中的记录已由另一次导入写入，本次未写入任何数据") from error
        except ValidationError as error:
            # A refusal the validation did not foresee (something changed meanwhile, or
            # a service's own check): the file is refused like any other, with its reason.
            problems.add(0, "", "；".join(error.messages))
    run.state = ImportState.REFUSED
    run.rows_written = run.created_count = run.updated_count = 0
    run.error_count = len(problems.errors)
    run.errors = [e.as_dict() for e in problems.errors[:MAX_STORED_ERRORS]]
    with transaction.atomic():
        _save(run, actor)
    return run


def _validate(
    run: ImportRun,
    actor: Any,
    organisation: Organisation,
    sheet: Sheet,
    problems: Problems,
    today: dt.date | None,
) -> list[EntryDraft] | RosterPlan:
    if run.kind == ImportKind.ENTRIES:
        return validate_entries(
            actor=actor, organisation=organisation, sheet=sheet, sha256=run.sha256,
            today=today or timezone.localdate(), problems=problems,
        )  # fmt: skip
    return validate_roster(actor=actor, organisation=organisation, sheet=sheet, problems=problems)


def _write(
    run: ImportRun, actor: Any, organisation: Organisation, plan: list[EntryDraft] | RosterPlan
) -> None:
    if isinstance(plan, RosterPlan):
        run.created_count, run.updated_count = write_roster(actor=actor, plan=plan)
        run.rows_written = run.rows_total
        return
    batch = post_entries(
        actor=actor, tenant_id=organisation.tenant_id, drafts=plan,
        summary=f"导入 {run.filename[:100]}：{len(plan)} 条积分",
    )  # fmt: skip
    run.rows_written = batch.count


def _refuse_if_imported(organisation: Organisation, kind: str, sha256: str) -> None:
    """Refuse a file already imported anywhere in the tenant: its entries carry uids made
    from the file and row, so a second import (into a parent organisation, say) could
    only collide. Only the same organisation is named; another is not disclosed."""
    done = (
        ImportRun.objects.filter(
            tenant_id=organisation.tenant_id, kind=kind, sha256=sha256,
            state=ImportState.SUCCEEDED,
        )
        .order_by("id")
        .first()
    )  # fmt: skip
    if done is None:
        return
    when = timezone.localtime(done.created_at).strftime("%Y-%m-%d %H:%M")
    if done.organisation_id == organisation.pk:
        where = f"于 {when} 导入 {organisation.name}（{done.rows_written} 行）"
    else:
        where = "导入过本单位的另一个党组织"
    raise AlreadyImported(f"该文件已{where}，不再重复导入")


def _save(run: ImportRun, actor: Any) -> None:
    run.save()
    record(
        IMPORT_ACTION,
        actor=actor,
        target=run,
        tenant_id=run.tenant_id,
        summary=f"{run.get_kind_display()} {run.filename}：{run.get_state_display()}",
        changes={
            "sha256": run.sha256,
            "rows": run.rows_total,
            "written": run.rows_written,
            "errors": run.error_count,
        },
    )
