"""Reading a policy text: decoding, refusing what is not a Chinese plain text, normalising.

Chinese government texts arrive as UTF-8, UTF-8 with a BOM, UTF-16 (saved from
Word) or GBK/GB18030 (older Windows tools). :func:`read_policy_text` finds the
encoding, refuses empty files and binary data with a message naming the file,
and returns the text twice: as written (every output value is sliced from it)
and *normalised* for matching.

The normalisation maps one character to one character (full-width ASCII forms
such as ``（``, ``：``, ``１``, ``％`` to their half-width forms, ideographic and
no-break spaces to a space), so a character offset means the same position in
both texts. Offsets reported anywhere in the policy pipeline are offsets into
the decoded file text (code points, BOM removed, line ends kept as written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from graph.errors import InputError

#: Full-width ASCII variants (U+FF01–FF5E) → ASCII, ideographic / no-break space → space.
_WIDTH_MAP = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH_MAP.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0xFEFF: 0x20})

_CJK = re.compile(r"[\u4e00-\u9fff]")
#: Bytes that never occur in a text file (C0 controls other than tab, line feed, form feed, carriage return).
_CONTROL = frozenset(set(range(0x00, 0x20)) - {0x09, 0x0A, 0x0C, 0x0D}) | {0x7F}

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)

#: The encodings tried in turn when there is no BOM; GB18030 is a superset of GBK and GB2312.
_FALLBACKS = ("utf-8", "gb18030", "big5")


def normalise_width(text: str) -> str:
    """Full-width ASCII forms to half-width, odd spaces to a space; the length never changes."""
    return text.translate(_WIDTH_MAP)


@dataclass(frozen=True)
class PolicyText:
    """A decoded policy text."""

    #: where it came from (as given), used in messages and provenance
    source: str
    #: the text as written, decoded
    original: str
    #: the same text, width-normalised (same length, same offsets)
    normalised: str
    #: the encoding it was decoded from
    encoding: str

    def surface(self, start: int, end: int) -> str:
        """The text as written between two offsets."""
        return self.original[start:end]


def _plausible(text: str) -> bool:
    """True when a decoded text looks like Chinese prose rather than decoded noise."""
    sample = text[:20000]
    if not sample:
        return False
    printable = sum(1 for ch in sample if ch.isprintable() or ch in "\r\n\t\f")
    return printable / len(sample) > 0.98 and len(_CJK.findall(sample)) >= 10


def decode_policy_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Decode the bytes of a policy text; returns ``(text, encoding)`` or raises :class:`InputError`."""
    if not data.strip():
        raise InputError(f"{source}: the file is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).lstrip("\ufeff"), encoding
            except UnicodeDecodeError as exc:
                raise InputError(f"{source}: starts with a {encoding} byte-order mark but is not valid "
                                 f"{encoding} (byte {exc.start})") from None
    head = data[:65536]
    controls = sum(1 for b in head if b in _CONTROL)
    if b"\x00" in head or controls > max(2, len(head) // 200):
        raise InputError(f"{source}: this is binary data, not a text file "
                         f"({controls} control bytes in the first {len(head)} bytes)")
    for encoding in _FALLBACKS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible(text) or encoding == "utf-8":
            return text, encoding
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # noqa: BLE001 - a detector failure is just "not detected"
        best = None
    if best is not None and _plausible(str(best)):
        return str(best), best.encoding
    raise InputError(f"{source}: cannot decode the text: it is not UTF-8, UTF-16 or GB18030/GBK, "
                     "and no other encoding gives readable Chinese")


def read_policy_text(path: str | Path) -> PolicyText:
    """Read and decode a policy text file, refusing what cannot be one.

    Raises :class:`InputError` naming the file for a missing or unreadable
    file, an empty file, binary data, an undecodable encoding, or a text with
    no Chinese in it.
    """
    p = Path(path)
    source = str(path)
    if p.is_dir():
        raise InputError(f"{source}: is a directory, not a policy text file")
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot be read ({exc.strerror or exc})") from None
    return policy_text_from_bytes(data, source)


def policy_text_from_bytes(data: bytes, source: str) -> PolicyText:
    """Decode and check the bytes of a policy text (an upload, a test) named ``source``."""
    text, encoding = decode_policy_bytes(data, source)
    if not text.strip():
        raise InputError(f"{source}: the file is empty")
    if len(_CJK.findall(text)) < 10:
        raise InputError(f"{source}: contains no Chinese text; a policy text (计划/方案/意见 …) is expected")
    return PolicyText(source=source, original=text, normalised=normalise_width(text), encoding=encoding)
