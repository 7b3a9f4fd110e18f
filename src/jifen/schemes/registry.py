"""Which scheme an organisation uses on a day: `scheme_for(code, on=, organisation=)`.

The rule: among the organisation and its ancestors, the nearest one that owns a stored
version of `code` in force on that day (effective_from ≤ day) gives its newest such
version; when none does, the preset of that code. A branch's refinement therefore wins
over its committee's template, and a template over the preset.

Cost: `chain_for` reads the organisation's ancestors together with their versions in
force in two queries, the same two `orgs.services.effective_scheme_code` costs, so a
caller that needs the effective code too (`scoring.scope`, `workflow.items`) pays nothing
extra. Which version applies is always read from the database, so every process sees a
new version at once; parsing the TOML, the costly part, is cached per process by the
version's id and creation time (versions never change, so an entry cannot go stale) and
cleared by `invalidate()` whenever a version is saved (`services.create_version`).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import FilteredRelation, Q

from jifen.engine import Scheme, load_scheme, parse_scheme
from jifen.engine.errors import EngineError, Problem, SchemeError
from jifen.engine.scheme import preset_codes
from jifen.orgs.models import Organisation
from jifen.schemes.models import SchemeVersion

_lock = threading.Lock()
_parsed: dict[tuple[int, str], Scheme] = {}


def invalidate() -> None:
    with _lock:
        _parsed.clear()


@lru_cache(maxsize=32)
def preset(code: str) -> Scheme:
    """A preset, parsed once per process (the files ship with the code)."""
    return load_scheme(code)


def is_preset(code: str) -> bool:
    return code in preset_codes()


def with_version(scheme: Scheme, number: int) -> Scheme:
    """The scheme numbered as its stored version, so snapshots record the stored number."""
    if scheme.version == number:
        return scheme
    return Scheme.model_validate({**scheme.model_dump(), "version": number})


def parse_stored(version: SchemeVersion) -> Scheme:
    key = (version.pk, version.created_at.isoformat())
    with _lock:
        cached = _parsed.get(key)
    if cached is not None:
        return cached
    source = f"{version.code} 第{version.version}版"
    scheme = with_version(parse_scheme(version.text, source), version.version)
    with _lock:
        _parsed[key] = scheme
    return scheme


@dataclass(frozen=True)
class Chain:
    """An organisation's ancestors (nearest first) with their own scheme codes and the
    stored versions they own that are in force on `on`."""

    on: dt.date
    ids: tuple[int, ...]
    own_codes: dict[int, str]
    versions: dict[tuple[int, str], tuple[int, int, str]]
    """(owner id, code) → (number, id, creation time) of the newest version in force."""

    @property
    def effective_code(self) -> str:
        """The organisation's scheme code: its own, or the nearest ancestor's."""
        return next((self.own_codes[pk] for pk in self.ids if self.own_codes[pk]), "")

    def version_key(self, code: str) -> tuple[int, str] | None:
        """(id, creation time) of the version in force: the parse cache's key."""
        for pk in self.ids:
            found = self.versions.get((pk, code))
            if found is not None:
                return found[1], found[2]
        return None


def chain_for(organisation: Organisation, *, on: dt.date) -> Chain:
    """Two queries: the tree path, then the ancestors joined to their versions in force."""
    path = Organisation.objects.with_tree_fields().values_list("tree_path", flat=True)
    ids = tuple(reversed(path.get(pk=organisation.pk)))
    rows = (
        Organisation.objects.filter(pk__in=ids)
        .annotate(
            v=FilteredRelation(
                "scheme_versions", condition=Q(scheme_versions__effective_from__lte=on)
            )
        )  # fmt: skip
        .values_list("pk", "scheme_code", "v__code", "v__version", "v__pk", "v__created_at")
    )
    own_codes: dict[int, str] = {}
    versions: dict[tuple[int, str], tuple[int, int, str]] = {}
    for pk, own, code, number, version_id, created in rows:
        own_codes[pk] = own
        if version_id is not None and versions.get((pk, code), (0,))[0] < number:
            versions[(pk, code)] = (number, version_id, created.isoformat())
    return Chain(on, ids, own_codes, versions)


def scheme_in(chain: Chain, code: str) -> Scheme:
    """The scheme `code` in force along `chain`; raises `SchemeError` when unknown."""
    key = chain.version_key(code)
    if key is not None:
        with _lock:
            cached = _parsed.get(key)
        return cached or parse_stored(SchemeVersion.objects.get(pk=key[0]))
    if is_preset(code):
        return preset(code)
    if any(found == code for _, found in chain.versions):
        raise SchemeError([Problem("", f"积分办法 {code!r} 在 {chain.on} 尚无生效的版本")], code)
    return load_scheme(code)  # a scheme file named by path, or the engine's "unknown code"


def scheme_for(code: str, *, on: dt.date, organisation: Organisation | None) -> Scheme:
    """The engine scheme in force; raises `SchemeError` when the code is unknown."""
    if organisation is None:
        return preset(code) if is_preset(code) else load_scheme(code)
    return scheme_in(chain_for(organisation, on=on), code)


def owners_below(code: str, *, on: dt.date, organisation_ids: list[int]) -> list[str]:
    """Names of the given organisations that own a version of `code` in force on `on`:
    a subtree evaluation cannot apply their refinements under one scheme (one query)."""
    return list(
        Organisation.objects.filter(
            pk__in=organisation_ids,
            scheme_versions__code=code,
            scheme_versions__effective_from__lte=on,
        )
        .order_by("code")
        .values_list("name", flat=True)
        .distinct()
    )


def version_for(code: str, *, on: dt.date, organisation: Organisation) -> SchemeVersion | None:
    """The stored version in force, or None when the preset applies."""
    key = chain_for(organisation, on=on).version_key(code)
    return None if key is None else SchemeVersion.objects.get(pk=key[0])


def scheme_numbered(code: str, version: int, *, tenant_id: int) -> Scheme:
    """The scheme a snapshot recorded (`scheme_code`, `scheme_version`): the stored version
    of that number in the tenant, else the preset (whose own number it then is)."""
    stored = SchemeVersion.objects.filter(tenant_id=tenant_id, code=code, version=version).first()
    if stored is not None:
        return parse_stored(stored)
    return preset(code) if is_preset(code) else load_scheme(code)


def names_of_items(code: str) -> dict[str, str]:
    """item code → name over the preset and every stored version of `code` (newest last),
    for lists that name items of any version (one query)."""
    names: dict[str, str] = {}
    if is_preset(code):
        names.update({item.code: item.name for item in preset(code).items})
    for version in SchemeVersion.objects.filter(code=code).order_by("version", "pk"):
        try:
            scheme = parse_stored(version)
        except EngineError:
            continue
        names.update({item.code: item.name for item in scheme.items})
    return names
