"""Evidence uploads: size and type limits (type by content), UUID names, nothing stored on
refusal."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from jifen.workflow.evidence import MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES
from jifen.workflow.models import Evidence
from jifen.workflow.services import WorkflowForbidden, WorkflowRefused, attach_evidence

from .conftest import counts, declare, png_upload, tiny_png


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_a_photo_is_stored_under_a_uuid_name_with_its_digest(personas) -> None:
    declaration = declare(personas, evidence=[png_upload("../../etc/奖状.PNG")])
    evidence = declaration.evidence.get()
    assert evidence.original_name == "奖状.PNG"
    assert evidence.content_type == "image/png"
    assert evidence.size == len(tiny_png())
    assert evidence.sha256 == hashlib.sha256(tiny_png()).hexdigest()
    name = Path(evidence.file.name)
    assert name.parts[0] == "evidence" and name.suffix == ".png"
    assert len(name.stem) == 32  # uuid4().hex
    assert stored_files() == [Path(settings.MEDIA_ROOT) / evidence.file.name]


def test_jpeg_webp_and_pdf_are_recognised_by_their_bytes(personas) -> None:
    files = [
        SimpleUploadedFile("a.bin", b"\xff\xd8\xff\xe0" + b"0" * 20),
        SimpleUploadedFile("b", b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"0" * 8),
        SimpleUploadedFile("c.jpg", b"%PDF-1.7\n" + b"0" * 20),
    ]
    declaration = declare(personas, evidence=files)
    assert [e.content_type for e in declaration.evidence.all()] == [
        "image/jpeg", "image/webp", "application/pdf",
    ]  # fmt: skip
    assert [Path(e.file.name).suffix for e in declaration.evidence.all()] == [
        ".jpg", ".webp", ".pdf",
    ]  # fmt: skip


def test_a_text_file_renamed_png_is_refused_and_nothing_is_stored(personas) -> None:
    fake = SimpleUploadedFile("photo.png", b"just some text\n", content_type="image/png")
    before = counts()
    with pytest.raises(WorkflowRefused, match="内容不是允许的类型"):
        declare(personas, evidence=[png_upload(), fake])
    assert counts() == before
    assert stored_files() == []


def test_a_file_over_ten_megabytes_is_refused_and_nothing_is_stored(personas) -> None:
    big = SimpleUploadedFile("big.png", tiny_png() + b"\x00" * MAX_EVIDENCE_BYTES)
    before = counts()
    with pytest.raises(WorkflowRefused, match="超过 10 MB"):
        declare(personas, evidence=[big])
    assert counts() == before
    assert stored_files() == []


def test_a_file_whose_size_is_understated_is_still_measured(personas) -> None:
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * MAX_EVIDENCE_BYTES)
    big.size = 10  # a client may say anything
    with pytest.raises(WorkflowRefused, match="超过 10 MB"):
        declare(personas, evidence=[big])
    assert stored_files() == []


def test_an_empty_file_is_refused(personas) -> None:
    with pytest.raises(WorkflowRefused, match="空文件"):
        declare(personas, evidence=[SimpleUploadedFile("x.png", b"")])


def test_evidence_is_added_to_a_draft_but_not_to_a_submitted_declaration(personas) -> None:
    draft = declare(personas, submit=False)
    attach_evidence(actor=personas.alice_user, declaration=draft, uploads=[png_upload()])
    assert draft.evidence.count() == 1
    submitted = declare(personas)
    before = counts()
    with pytest.raises(WorkflowRefused, match="不能再添加材料"):
        attach_evidence(actor=personas.alice_user, declaration=submitted, uploads=[png_upload()])
    assert counts() == before


def test_bob_cannot_add_evidence_to_alices_declaration(personas) -> None:
    draft = declare(personas, submit=False)
    with pytest.raises(WorkflowForbidden):
        attach_evidence(actor=personas.bob, declaration=draft, uploads=[png_upload()])
    assert Evidence.objects.count() == 0


def test_a_declaration_holds_at_most_ten_files(personas) -> None:
    with pytest.raises(WorkflowRefused, match=f"最多 {MAX_EVIDENCE_FILES} 个"):
        declare(personas, evidence=[png_upload() for _ in range(MAX_EVIDENCE_FILES + 1)])
