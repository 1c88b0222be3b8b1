"""The committed field corpus decodes fully, with no wrong text."""

from __future__ import annotations

import scanners


def test_committed_corpus_decodes_every_code_and_nothing_else(corpus, kit):
    missed, wrong = [], []
    for entry in corpus:
        found = {c.text for c in scanners.decode((kit.SAMPLES / entry["file"]).read_bytes())}
        expected = set(entry["codes"])
        missed += [(entry["file"], t) for t in expected - found]
        wrong += [(entry["file"], t) for t in found - expected]
    assert wrong == []
    assert missed == []


def test_corpus_covers_every_field_condition(corpus):
    classes = {e["class"] for e in corpus}
    assert {"perspective", "motion_blur", "glare", "crumpled", "multi", "small_12mp"} <= classes
    assert any(e["size"] == [4000, 3000] for e in corpus)
    assert any(len(e["codes"]) > 1 for e in corpus)
