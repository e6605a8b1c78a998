"""What an attachment may be (R-3, R-27): its name, its type, what its bytes must look like,
how far an archive may expand, and how it is offered for download.

Pure computation on plain values: the attachments app feeds it names, sizes and the first
bytes of a file, and turns an :class:`InputError` into an answer that names the field.

- A file name is refused, not cleaned, when it holds a control character, an invisible
  (zero-width) or direction-changing (bidi) character, a path separator, or is only dots:
  ``invoice\\u202egpj.exe`` shows as ``invoiceexe.jpg`` and is not a picture.
- The type is the longest allowed suffix the name ends with (``.tar.gz`` before ``.gz``), in
  lower case; anything else is refused, naming the allowed list.
- The first bytes must be what the type says: a ``.zip`` starts as a zip archive, a ``.log``
  is text (no NUL byte, or a UTF-16 byte-order mark) and not an executable or archive.
- An archive whose content expands past a ratio, a total or a member count is refused
  (archive bombs).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from .errors import InputError

MAX_NAME_LENGTH = 255

# Each allowed type: the kind its first bytes must show (see sniff), and whether it is an
# archive that the expansion limits apply to.
TYPES: dict[str, tuple[str, bool]] = {
    ".zip": ("zip", True),
    ".7z": ("7z", False),
    ".tar": ("tar", True),
    ".tar.gz": ("gzip", True),
    ".tgz": ("gzip", True),
    ".gz": ("gzip", True),
    ".bz2": ("bzip2", False),
    ".xz": ("xz", False),
    ".zst": ("zstd", False),
    ".log": ("text", False),
    ".txt": ("text", False),
    ".csv": ("text", False),
    ".json": ("text", False),
    ".xml": ("text", False),
    ".evtx": ("evtx", False),
    ".dmp": ("minidump", False),
}

#: What the product accepts unless the operator lists otherwise.
DEFAULT_EXTENSIONS: tuple[str, ...] = tuple(TYPES)

# Magic numbers, at offset 0 unless said otherwise.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty zip
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"ElfFile\x00", "evtx"),
    (b"MDMP", "minidump"),
    (b"MZ", "executable"),
    (b"\x7fELF", "executable"),
    (b"\xcf\xfa\xed\xfe", "executable"),  # Mach-O
    (b"%PDF-", "pdf"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

#: How many first bytes :func:`sniff` wants.
SNIFF_BYTES = 8192

NAMES = {
    "zip": "a zip archive",
    "7z": "a 7-Zip archive",
    "tar": "a tar archive",
    "gzip": "gzip-compressed data",
    "bzip2": "bzip2-compressed data",
    "xz": "xz-compressed data",
    "zstd": "zstd-compressed data",
    "evtx": "a Windows event log",
    "minidump": "a Windows memory dump",
    "executable": "a program",
    "pdf": "a PDF document",
    "text": "text",
    "binary": "binary data",
}


@dataclass(frozen=True)
class ExpansionLimits:
    """How far an archive may expand (archive bombs)."""

    max_ratio: int = 200  # expanded bytes per compressed byte
    max_expanded_bytes: int = 64 * 1024**3
    max_members: int = 100_000


def _bad_character(char: str) -> bool:
    category = unicodedata.category(char)
    # Cc: controls; Cf: format characters (zero-width, bidi controls, BOM, soft hyphen);
    # Zl/Zp: line and paragraph separators; Co/Cn: private use and unassigned.
    return category in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn", "Cs")


def clean_filename(name: str) -> str:
    """The name as it will be stored and shown, or InputError("filename", why)."""
    text = unicodedata.normalize("NFC", (name or "").strip())
    if not text:
        raise InputError("filename", "This field is required.")
    bad = sorted({char for char in text if _bad_character(char)})
    if bad:
        codes = ", ".join(f"U+{ord(char):04X}" for char in bad)
        raise InputError(
            "filename",
            f"The file name contains invisible, control or direction-changing characters "
            f"({codes}); rename the file and try again.",
        )
    if "/" in text or "\\" in text:
        raise InputError("filename", "The file name must not contain / or \\.")
    if set(text) == {"."}:
        raise InputError("filename", "The file name must not be only dots.")
    if len(text) > MAX_NAME_LENGTH:
        raise InputError("filename", f"The file name is longer than {MAX_NAME_LENGTH} characters.")
    return text


def file_type(name: str, allowed: tuple[str, ...]) -> str:
    """The allowed suffix ``name`` ends with (the longest), or InputError naming them."""
    lower = name.lower()
    for suffix in sorted(allowed, key=len, reverse=True):
        if lower.endswith(suffix) and len(lower) > len(suffix):
            if suffix not in TYPES:
                raise InputError("filename", f"Unknown attachment type {suffix}.")
            return suffix
    raise InputError(
        "filename",
        "This type of file cannot be attached; allowed: " + ", ".join(sorted(allowed)) + ".",
    )


def sniff(head: bytes) -> str:
    """What the first bytes of a file are: a key of :data:`NAMES`."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    if head.startswith(_UTF16_BOMS) or b"\x00" not in head:
        return "text"
    return "binary"


def check_content(suffix: str, head: bytes) -> None:
    """The first bytes must be what the type says (InputError("file", ...) otherwise)."""
    expected, _ = TYPES[suffix]
    found = sniff(head)
    if found != expected:
        raise InputError(
            "file",
            f"A {suffix} file must hold {NAMES[expected]}, but this one holds {NAMES[found]}.",
        )


def is_archive(suffix: str) -> bool:
    return TYPES[suffix][1]


def check_expansion(
    *, compressed_bytes: int, expanded_bytes: int, members: int, limits: ExpansionLimits
) -> None:
    """Refuse an archive that expands too far (InputError("file", ...))."""
    if members > limits.max_members:
        raise InputError(
            "file", f"The archive holds more than {limits.max_members} files; split it."
        )
    if expanded_bytes > limits.max_expanded_bytes:
        raise InputError(
            "file",
            f"The archive expands to more than {limits.max_expanded_bytes} bytes; split it.",
        )
    if expanded_bytes > max(compressed_bytes, 1) * limits.max_ratio:
        raise InputError(
            "file",
            f"The archive expands more than {limits.max_ratio} times its size "
            "(an archive bomb?); it was refused.",
        )


def content_disposition(filename: str) -> str:
    """Always a download, never shown inline; the name in ASCII and in UTF-8 (RFC 6266)."""
    fallback = "".join(
        char if 32 <= ord(char) < 127 and char not in '"\\;%' else "_" for char in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
