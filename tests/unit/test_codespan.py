"""Code spans in prose (``gatekeeper.codespan``): fenced by CommonMark's rule, read back by it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatekeeper.codespan import code_span, split_code


@pytest.mark.parametrize(
    ("content", "span"),
    [
        ("heroku addons:destroy x -a app", "`heroku addons:destroy x -a app`"),
        ("a`b", "``a`b``"),
        ("a``b`c", "```a``b`c```"),
        ("`starts", "`` `starts ``"),
        ("ends`", "`` ends` ``"),
        (" both ", "`  both  `"),
        ("   ", "`   `"),  # only spaces: nothing is stripped
        ("", "`  `"),
    ],
)
def test_the_fence_is_longer_than_any_run_inside(content: str, span: str) -> None:
    assert code_span(content) == span


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Run `a -b`.", [(False, "Run "), (True, "a -b"), (False, ".")]),
        ("Run ``a`b``.", [(False, "Run "), (True, "a`b"), (False, ".")]),
        ("`` `x ``", [(True, "`x")]),
        ("a ``` fence `b`", [(False, "a ``` fence "), (True, "b")]),  # an unclosed run is text
        ("`a\nb`", [(False, "`a\nb`")]),  # a span does not cross a line
        ("no code", [(False, "no code")]),
        ("x`` y`", [(False, "x`` y`")]),
    ],
)
def test_split_reads_spans_by_the_same_rule(text: str, parts: list[tuple[bool, str]]) -> None:
    assert split_code(text) == parts


@given(
    st.text(alphabet=st.characters(blacklist_characters="`\n"), max_size=20),
    st.text(alphabet=st.sampled_from("a `'"), min_size=1, max_size=30),
    st.text(alphabet=st.characters(blacklist_characters="`\n"), max_size=20),
)
def test_a_span_reads_back_as_its_content_whatever_it_holds(
    before: str, content: str, after: str
) -> None:
    parts = split_code(before + code_span(content) + after)
    assert (True, content) in parts
    assert "".join(part for _, part in parts if _ is False) == before + after
