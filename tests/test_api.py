"""The public API is the product: scan, compare, check and the index, from `import provenance`."""

from __future__ import annotations

import shutil
from pathlib import Path

import provenance

NEWS = Path(__file__).resolve().parents[1] / "corpus" / "news"
ORIGINAL, SPUN = "001_b0abf88ced881903.txt", "000_a3c96ce53449e295.txt"


def test_the_product_is_exported():
    for name in ("scan", "compare", "check", "open_index", "Document", "Pair", "Family", "ScanResult",
                 "ProvenanceError", "minhash", "minhashes", "__version__"):
        assert name in provenance.__all__ and hasattr(provenance, name), name
    assert provenance.__version__[0].isdigit()
    assert set(provenance.__all__) == {"__version__", *provenance._EXPORTS}


def test_scan_finds_the_seed_family_and_its_origin():
    result = provenance.scan([NEWS])
    assert isinstance(result, provenance.ScanResult)
    copies = {(p.a, p.b) for p in result.pairs if p.verdict == "copy"}
    assert (SPUN, ORIGINAL) in copies
    (family,) = result.families
    assert family.origin == ORIGINAL


def test_compare_two_files():
    result = provenance.compare(NEWS / SPUN, NEWS / ORIGINAL)
    (pair,) = result.pairs
    (family,) = result.families
    assert pair.verdict == "copy" and set(family.members) == {SPUN, ORIGINAL}


def test_compare_refuses_a_file_that_gives_no_document(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    try:
        provenance.compare(NEWS / SPUN, empty)
    except provenance.InputError as exc:
        assert "empty.txt" in str(exc)
    else:
        raise AssertionError("an empty file was compared")


def test_check_a_draft_against_an_index(tmp_path):
    index_path = tmp_path / "index.sqlite"
    with provenance.open_index(index_path, create=True) as index:
        index.add([provenance.Document(id="wire", text=(NEWS / ORIGINAL).read_text(encoding="utf-8"))])
    draft = tmp_path / "draft.txt"
    shutil.copy(NEWS / SPUN, draft)
    checked = provenance.check([draft], index_spec=index_path)
    assert [p.b for p in checked.findings] == ["wire"] and checked.exit_code == 1
