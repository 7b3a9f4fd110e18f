"""What an evaluation over the database covers: a tenant or a subtree, one scheme, a period.

`resolve_scope` turns the operator's words (tenant code, organisation code, period label,
optional scheme code) into a `Scope`, or raises `ScopeError` with a Chinese message that
names what is wrong. Nothing is written here.

A subtree is evaluated one scheme at a time: an organisation uses its own `scheme_code`
or, when that is empty, its nearest ancestor's (`orgs.services.effective_scheme_code`).
The scope's branches are the organisations of the subtree that resolve to the scheme;
its members are the members whose branch is one of them. The resolution is done for the
whole subtree from one query of the tree (no query per organisation).
"""

from __future__ import annotations

from dataclasses import dataclass

from jifen.engine import Plan, Scheme, parse_period, plan_request
from jifen.engine.errors import EngineError
from jifen.orgs.models import Organisation
from jifen.orgs.services import effective_scheme_code
from jifen.schemes.registry import chain_for, owners_below, scheme_in


class ScopeError(ValueError):
    """Bad input for an evaluation: unknown tenant, organisation, scheme or period."""


@dataclass(frozen=True)
class Scope:
    tenant: Organisation
    organisation: Organisation
    """The root of the evaluated subtree (the tenant itself for a whole tenant)."""
    scheme: Scheme
    plan: Plan
    branch_ids: tuple[int, ...]
    """Organisations of the subtree that use the scheme."""
    whole_tenant: bool
    """Every organisation of the tenant uses the scheme: the tenant filter is the scope."""

    @property
    def period(self) -> str:
        return self.plan.request.key


def find_organisations(
    tenant_code: str, organisation_code: str | None = None
) -> tuple[Organisation, Organisation]:
    """(tenant, subtree root) by their codes; the tenant itself without an organisation."""
    tenant = Organisation.objects.filter(parent__isnull=True, code=tenant_code).first()
    if tenant is None:
        raise ScopeError(f"没有代码为 {tenant_code!r} 的租户（顶级党组织）")
    if not organisation_code:
        return tenant, tenant
    organisation = Organisation.objects.filter(tenant=tenant, code=organisation_code).first()
    if organisation is None:
        raise ScopeError(f"租户 {tenant.name} 中没有代码为 {organisation_code!r} 的党组织")
    return tenant, organisation


def subtree_schemes(organisation: Organisation, root_code: str | None = None) -> dict[int, str]:
    """organisation id -> its effective scheme code, for the whole subtree (two queries;
    one when the caller already knows the root's effective code)."""
    if root_code is None:
        root_code = effective_scheme_code(organisation)
    rows = list(
        organisation.descendants(include_self=True).values_list("pk", "parent_id", "scheme_code")
    )
    own = {pk: code for pk, _, code in rows}
    parents = {pk: parent for pk, parent, _ in rows}
    resolved: dict[int, str] = {organisation.pk: organisation.scheme_code or root_code}

    def resolve(pk: int) -> str:
        # Walk up to the nearest resolved ancestor; the path is then resolved on the way back.
        path = []
        while pk not in resolved:
            path.append(pk)
            pk = parents[pk]
        code = resolved[pk]
        for node in reversed(path):
            code = own[node] or code
            resolved[node] = code
        return code

    for pk in own:
        resolve(pk)
    return resolved


def resolve_scope(
    *,
    tenant: Organisation,
    organisation: Organisation | None,
    period: str,
    scheme_code: str | None = None,
) -> Scope:
    organisation = organisation or tenant
    if organisation.tenant_id != tenant.pk:
        raise ScopeError(f"党组织 {organisation.name} 不属于租户 {tenant.name}")
    try:
        # The version in force on the period's first day governs the whole period; the
        # chain also gives the root's effective code (no query more than before).
        chain = chain_for(organisation, on=parse_period(period).start)
    except EngineError as error:
        raise ScopeError(str(error)) from error
    schemes = subtree_schemes(organisation, chain.effective_code)
    in_use = sorted({code for code in schemes.values() if code})
    if scheme_code is None:
        if not in_use:
            raise ScopeError(f"{organisation.name} 及其下级组织均未设置积分办法")
        if len(in_use) > 1:
            raise ScopeError(
                f"{organisation.name} 的下级组织使用了多个积分办法（{'、'.join(in_use)}），"
                "请用 --scheme 指定其中一个"
            )
        scheme_code = in_use[0]
    elif scheme_code not in in_use:
        used = "、".join(in_use) or "无"
        raise ScopeError(
            f"{organisation.name} 及其下级组织没有使用积分办法 {scheme_code!r}（在用：{used}）"
        )
    try:
        scheme = scheme_in(chain, scheme_code)
        plan = plan_request(scheme.scoring_period, period)
    except EngineError as error:
        raise ScopeError(str(error)) from error
    branch_ids = tuple(sorted(pk for pk, code in schemes.items() if code == scheme_code))
    # One scheme version per evaluation: organisations below with a version of their own
    # (a refinement) are summarised on their own (one query, only for a subtree).
    below = [pk for pk in branch_ids if pk != organisation.pk]
    refined = owners_below(scheme_code, on=chain.on, organisation_ids=below) if below else []
    if refined:
        raise ScopeError(
            f"{'、'.join(refined)} 有本级制定的办法版本（细则），与 {organisation.name} 的不同，"
            "请分别汇总"
        )
    whole_tenant = organisation.pk == tenant.pk and len(branch_ids) == len(schemes)
    return Scope(tenant, organisation, scheme, plan, branch_ids, whole_tenant)
