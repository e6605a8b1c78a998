"""What an attachment may be (R-3, R-27): names, types, content, expansion, disposition."""

from __future__ import annotations

import pytest

from supportdesk.policy.attachments import (
    DEFAULT_EXTENSIONS,
    ExpansionLimits,
    check_content,
    check_expansion,
    clean_filename,
    content_disposition,
    file_type,
    sniff,
)
from supportdesk.policy.errors import InputError


def _refused(call: object, *args: object, **kwargs: object) -> InputError:
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("invoice\u202egpj.exe", "U+202E"),  # right-to-left override: shows as invoiceexe.jpg
        ("report\u200b.log.exe", "U+200B"),  # zero-width space
        ("a\u2066b.log", "U+2066"),  # left-to-right isolate
        ("x\u200d\u200c.zip", "U+200C, U+200D"),  # zero-width joiner and non-joiner
        ("\ufeffsetup.log", "U+FEFF"),  # byte-order mark as zero-width no-break space
        ("two\nlines.log", "U+000A"),
        ("nul\x00.log", "U+0000"),
        ("arabic\u061cmark.log", "U+061C"),
    ],
)
def test_invisible_control_and_direction_characters_are_refused_naming_them(
    name: str, codes: str
) -> None:
    error = _refused(clean_filename, name)

    assert error.field == "filename"
    assert error.message == (
        f"The file name contains invisible, control or direction-changing characters ({codes}); "
        "rename the file and try again."
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("../../etc/passwd.log", "The file name must not contain / or \\."),
        ("..\\boot.ini.log", "The file name must not contain / or \\."),
        ("..", "The file name must not be only dots."),
        ("a" * 252 + ".log", "The file name is longer than 255 characters."),
    ],
)
def test_paths_dots_and_long_names_are_refused(name: str, message: str) -> None:
    error = _refused(clean_filename, name)

    assert (error.field, error.message) == ("filename", message)


def test_a_plain_name_is_kept_trimmed_and_composed() -> None:
    assert clean_filename("  Protokoll Zürich.log ") == "Protokoll Zürich.log"
    assert clean_filename("Zu\u0308rich.log") == "Zürich.log"  # NFC


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("bundle.tar.gz", ".tar.gz"),
        ("BUNDLE.TGZ", ".tgz"),
        ("server.log.gz", ".gz"),
        ("backup.zip", ".zip"),
        ("Job.Log", ".log"),
    ],
)
def test_the_type_is_the_longest_allowed_suffix(name: str, suffix: str) -> None:
    assert file_type(name, DEFAULT_EXTENSIONS) == suffix


@pytest.mark.parametrize("name", ["setup.exe", "page.html", "log.zip.exe", "noext", ".log"])
def test_other_types_are_refused_naming_the_allowed_ones(name: str) -> None:
    error = _refused(file_type, name, (".zip", ".log"))

    assert (error.field, error.message) == (
        "filename",
        "This type of file cannot be attached; allowed: .log, .zip.",
    )


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"PK\x03\x04rest", "zip"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (b"MZ\x90\x00", "executable"),
        (b"\x7fELF\x02", "executable"),
        (b"%PDF-1.7", "pdf"),
        (b"2026-11-25 INFO started\n", "text"),
        (b"<html><script>alert(1)</script>", "text"),
        (b"\xff\xfe2\x000\x002\x006\x00", "text"),  # UTF-16 with its byte-order mark
        (b"\x00\x01\x02\x03", "binary"),
        (b"\x00" * 257 + b"ustar\x0000", "tar"),
        (b"ElfFile\x00", "evtx"),
    ],
)
def test_sniff_tells_what_the_first_bytes_are(head: bytes, kind: str) -> None:
    assert sniff(head) == kind


def test_content_must_match_the_type() -> None:
    check_content(".zip", b"PK\x03\x04....")
    check_content(".log", b"plain text\n")
    check_content(".tar.gz", b"\x1f\x8b\x08")

    renamed = _refused(check_content, ".zip", b"MZ\x90\x00program")
    hidden = _refused(check_content, ".log", b"PK\x03\x04....")

    assert (renamed.field, renamed.message) == (
        "file",
        "A .zip file must hold a zip archive, but this one holds a program.",
    )
    assert hidden.message == "A .log file must hold text, but this one holds a zip archive."


def test_expansion_limits() -> None:
    limits = ExpansionLimits(max_ratio=100, max_expanded_bytes=10_000, max_members=3)
    check_expansion(compressed_bytes=100, expanded_bytes=10_000, members=3, limits=limits)

    ratio = _refused(
        check_expansion, compressed_bytes=99, expanded_bytes=9_901, members=1, limits=limits
    )
    total = _refused(
        check_expansion, compressed_bytes=5_000, expanded_bytes=10_001, members=1, limits=limits
    )
    members = _refused(
        check_expansion, compressed_bytes=100, expanded_bytes=100, members=4, limits=limits
    )

    assert ratio.message == (
        "The archive expands more than 100 times its size (an archive bomb?); it was refused."
    )
    assert total.message == "The archive expands to more than 10000 bytes; split it."
    assert members.message == "The archive holds more than 3 files; split it."
    assert {ratio.field, total.field, members.field} == {"file"}


def test_content_disposition_is_always_a_download_with_a_safe_ascii_fallback() -> None:
    assert content_disposition("server.log") == (
        "attachment; filename=\"server.log\"; filename*=UTF-8''server.log"
    )
    assert content_disposition('Zürich "x"; y.log') == (
        'attachment; filename="Z_rich _x__ y.log"; '
        "filename*=UTF-8''Z%C3%BCrich%20%22x%22%3B%20y.log"
    )
