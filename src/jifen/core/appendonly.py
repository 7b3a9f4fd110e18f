"""The Python line of the append-only guard, shared by every table the database also
guards with triggers (`jifen.core.dbguards`): a clear message before the database's
refusal. Models set `append_only_message`, inherit `AppendOnlyModel` and use
`AppendOnlyQuerySet.as_manager()`, since `QuerySet.update/delete` bypass `Model.save`."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models

DEFAULT_MESSAGE = "只可追加，不可修改或删除 (append-only)"


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError(getattr(self.model, "append_only_message", DEFAULT_MESSAGE))

    def delete(self) -> NoReturn:
        raise PermissionError(getattr(self.model, "append_only_message", DEFAULT_MESSAGE))


class AppendOnlyModel(models.Model):
    append_only_message = DEFAULT_MESSAGE

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError(self.append_only_message)
