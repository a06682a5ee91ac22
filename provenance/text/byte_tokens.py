"""Texts as UTF-8 bytes whose byte-level word tokens are exactly `text.words`.

The hashing core (`sketch`) tokenises a whole batch of documents in one buffer: one
``bytes.translate`` through `TOKEN_LUT` lowers ASCII letters and zeroes separators,
and token boundaries are where a bool mask changes. That is only right if the bytes
tokenise as `text.words` does, which is what this module guarantees: ASCII text is
used as is, and each distinct non-ASCII character is mapped once through a cached
table (`_char_map`: a separator, or its NFKC case-folded form). Only a text holding a
character that normalises differently next to its neighbours (a combining mark) goes
through `text.words` itself.
"""

from __future__ import annotations

import unicodedata
from array import array
from collections.abc import Sequence
from functools import lru_cache

from provenance import text as textmod
from provenance.text.patterns import lazy_re
from provenance.text.tokens import NO_SPACE_SCRIPTS

try:  # the hashing core's loops in C, built by `pip install` where a compiler is found (pyproject.toml)
    from provenance import _kernels
except ImportError:
    _kernels = None


def _byte_class(b: int) -> int:
    c = chr(b)
    if b >= 0x80 or c.isdigit() or ("a" <= c <= "z") or c == "_":
        return b
    return b + 32 if "A" <= c <= "Z" else 0


# Byte classes: A-Z lowered, a-z 0-9 _ and every byte >= 0x80 kept, everything else 0 (a separator).
_CLASSES = [_byte_class(b) for b in range(256)]
TOKEN_LUT = bytes(_CLASSES)
"""``bytes.translate`` table of the hashing core's buffer: word bytes kept (A-Z lowered), separators 0."""
_LUT_SPACES = bytes(v or 32 for v in _CLASSES)  # separators as spaces, for str.split
_LUT_HIGH_SEPARATES = bytes(v if b < 0x80 else 0 for b, v in enumerate(_CLASSES))


def words(text: str) -> list[str]:
    """`text.words(text)` through the byte path: 1.6x faster on ASCII, 5x on other text.

    (`sketch.shingles` uses it, so the speed benchmark's anchors, which build their
    shingles with it, get this speed too.) Separators become spaces; no word character
    is whitespace.
    """
    if text.isascii():
        return text.encode("ascii").translate(_LUT_SPACES).decode("ascii").split()
    return doc_bytes(text).translate(_LUT_SPACES).decode("utf-8").split()


_ASCII_BYTES = bytes(range(128))
_SEPARATORS: set[str] = set()  # non-ASCII characters seen that are not word characters
_WORD_CHAR = lazy_re(r"\w", engine="regex")
_NON_WORD = lazy_re(r"\W", engine="regex")
_NO_SPACE_CHAR = lazy_re(rf"[{NO_SPACE_SCRIPTS}]", engine="regex")


# Characters that NFC/NFKC can merge into the character before them, for the Unicode
# version below (tests/test_sketch.py recomputes it); any other version computes it once.
_COMPOSING_UNIDATA = "14.0.0"
_COMPOSING = "\u0300\u0301\u0302\u0303\u0304\u0306\u0307\u0308\u0309\u030a\u030b\u030c\u030f\u0311\u0313\u0314\u031b\u0323\u0324\u0325\u0326\u0327\u0328\u032d\u032e\u0330\u0331\u0338\u0342\u0345\u05b4\u05b7\u05b8\u05b9\u05bc\u05bf\u05c1\u05c2\u0653\u0654\u0655\u093c\u09bc\u09be\u09d7\u0a3c\u0b3c\u0b3e\u0b56\u0b57\u0bbe\u0bd7\u0c56\u0cc2\u0cd5\u0cd6\u0d3e\u0d57\u0dca\u0dcf\u0ddf\u0f72\u0f74\u0f80\u0fb5\u0fb7\u102e\u1161\u1162\u1163\u1164\u1165\u1166\u1167\u1168\u1169\u116a\u116b\u116c\u116d\u116e\u116f\u1170\u1171\u1172\u1173\u1174\u1175\u11a8\u11a9\u11aa\u11ab\u11ac\u11ad\u11ae\u11af\u11b0\u11b1\u11b2\u11b3\u11b4\u11b5\u11b6\u11b7\u11b8\u11b9\u11ba\u11bb\u11bc\u11bd\u11be\u11bf\u11c0\u11c1\u11c2\u1b35\u3099\u309a\U000110ba\U00011127\U0001133e\U00011357\U000114b0\U000114ba\U000114bd\U000115af\U00011930\U0001d165\U0001d16e\U0001d16f\U0001d170\U0001d171\U0001d172"


def _compute_composes_with_previous() -> frozenset[str]:
    out = {chr(c) for c in range(0x1161, 0x1176)} | {chr(c) for c in range(0x11A8, 0x11C3)}  # Hangul
    for cp in range(0x80, 0x110000):
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<") and len(parts := d.split()) == 2:
            out.add(chr(int(parts[1], 16)))
    return frozenset(out)


@lru_cache(maxsize=1)
def _composes_with_previous() -> frozenset[str]:
    """Characters that NFC/NFKC can merge into the character before them."""
    if unicodedata.unidata_version == _COMPOSING_UNIDATA:
        return frozenset(_COMPOSING)
    return _compute_composes_with_previous()


def _inert(ch: str) -> bool:
    """True when `ch` never interacts with its neighbours under NFKC (no reordering or merging)."""
    return not (unicodedata.combining(ch) or unicodedata.category(ch)[0] == "M" or ch in _composes_with_previous())


@lru_cache(maxsize=1 << 16)
def _char_map(c: str) -> str | None:
    """What one non-ASCII character becomes on the byte path, or None when it needs context.

    A non-word character is a separator (" "). A word character that never interacts
    with its neighbours under NFKC maps to its own normal form (non-word characters in
    that form become separators), so `text.normalize_word` of any run of such characters
    is the concatenation of their maps. Combining marks and the like return None and
    send their text through `text.words`.
    """
    if not _WORD_CHAR.match(c):
        _SEPARATORS.add(c)
        return " "
    if not _inert(c):
        return None
    out = _NON_WORD.sub(" ", textmod.fold(c))
    if not all(ch == " " or (_inert(ch) and not "A" <= ch <= "Z") for ch in out):
        return None
    if _NO_SPACE_CHAR.search(out):
        return " " + " ".join(out) + " "  # one token per character (see `text.tokens`)
    return out if out.strip() else " "


def doc_bytes(text: str) -> bytes:
    """UTF-8 bytes whose byte-level tokens (see `TOKEN_LUT`) are exactly `text.words(text)`.

    ASCII text is used as is. Otherwise each distinct non-ASCII character is replaced
    by its `_char_map` (cached). In English news these are mostly typographic quotes,
    dashes and no-break spaces, which are all separators: then one `bytes.translate`
    lowers the text and zeroes every non-ASCII byte. UTF-8 is self-synchronising,
    so a byte-level replace hits exactly that character, and no map's output contains
    a character that is itself replaced. Only a text holding a character that needs
    its neighbours to normalise (a combining mark, say) goes through `text.words`.
    """
    if text.isascii():
        return text.encode("ascii")
    data = text.encode("utf-8", "surrogatepass")
    chars = set(data.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass"))
    if not chars <= _SEPARATORS:
        maps = {c: _char_map(c) for c in chars}
        if any(m != " " for m in maps.values()):
            return _mapped_doc_bytes(text, data, maps)
    return data.translate(_LUT_HIGH_SEPARATES)  # already lowered; TOKEN_LUT keeps it


def _mapped_doc_bytes(text: str, data: bytes, maps: dict[str, str | None]) -> bytes:
    if None in maps.values():
        return " ".join(textmod.words(text)).encode("utf-8")
    for c, m in maps.items():
        if m != c:
            data = data.replace(c.encode("utf-8", "surrogatepass"), m.encode("utf-8"))
    return data


_PAD = b"\0" * 15  # with the separator before it, 16 zero bytes end a batch buffer
_PAD_STR = _PAD.decode("ascii")


def batch_buffer(texts: Sequence[str]) -> tuple[bytes, list[int]]:
    """The hashing core's buffer for a batch of texts, lowered through `TOKEN_LUT`, and each text's
    length in it.

    The buffer is a zero byte, the texts' `doc_bytes` separated by one zero byte each, then 15
    zero bytes, so an 8-byte read at any token start stays inside. Its tokens are exactly
    `text.words` of each text. The non-ASCII characters are looked at once for the whole batch:
    when each maps to a separator or to a form of the same UTF-8 length (nearly every batch of
    news), the joined buffer is rewritten in place, a separator as zero bytes (in one pass of
    the C kernels when they are built), with no work per text; otherwise each text goes
    through `doc_bytes`.
    """
    if all(map(str.isascii, texts)):
        return "\0".join(["", *texts, _PAD_STR]).encode("ascii").translate(TOKEN_LUT), list(map(len, texts))
    parts = [t.encode("utf-8", "surrogatepass") for t in texts]
    buf = b"\0".join([b"", *parts, _PAD])
    chars = set(buf.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass"))
    if chars <= _SEPARATORS:
        return buf.translate(_LUT_HIGH_SEPARATES), list(map(len, parts))
    maps = {c: _char_map(c) for c in chars}
    separators = sorted(c for c, m in maps.items() if m == " ")
    forms = {c.encode("utf-8", "surrogatepass"): m.encode("utf-8") for c, m in maps.items() if m and m not in (c, " ")}
    if None in maps.values() or any(len(old) != len(new) for old, new in forms.items()):
        parts = [doc_bytes(t) for t in texts]
        return b"\0".join([b"", *parts, _PAD]).translate(TOKEN_LUT), list(map(len, parts))
    for old, new in forms.items():  # no form holds a character that is itself rewritten
        buf = buf.replace(old, new)
    if _kernels is not None:
        return _kernels.lower(buf, TOKEN_LUT, array("I", map(ord, separators))), list(map(len, parts))
    for c in separators:
        old = c.encode("utf-8", "surrogatepass")
        buf = buf.replace(old, b"\0" * len(old))
    return buf.translate(TOKEN_LUT), list(map(len, parts))
