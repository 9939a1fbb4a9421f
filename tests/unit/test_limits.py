"""The shared input limits (pure): where a NUL hides, how deep JSON nests, how big meta may be."""

from __future__ import annotations

from annotator.limits import MAX_META_DEPTH, depth_of, meta_problem, nul_at


def test_nul_is_found_in_nested_values_and_keys_with_its_path():
    assert nul_at({"a": [1, {"b": "x\x00"}]}, "meta") == "meta.a[1].b"
    assert nul_at({"k\x00": 1}, "") == "k\\u0000"
    assert nul_at({"a": ["fine"]}, "meta") is None


def test_depth_counts_objects_and_lists_without_recursion():
    deep: list = []
    for _ in range(50_000):
        deep = [deep]
    assert depth_of(deep) == 50_001
    assert depth_of({"a": [1]}) == 2
    assert depth_of("x") == 0


def test_meta_over_the_depth_or_size_cap_is_refused_with_the_reason():
    nested: dict = {}
    for _ in range(MAX_META_DEPTH):
        nested = {"a": nested}
    assert meta_problem(nested) is not None and "levels deep" in meta_problem(nested)
    assert "bytes" in meta_problem({"big": "x" * 70_000})
    assert meta_problem({"source": "wire", "tags": ["a", "b"]}) is None
