"""Each template receives exactly the fields of its documented context dataclass (after datasette's
tests/test_template_context.py): a template variable nobody provides, or a context field no template
reads, fails here instead of rendering blank."""

from __future__ import annotations

from dataclasses import fields, is_dataclass

import pytest
from jinja2 import StrictUndefined, UndefinedError, meta

from detector.report.html import CONTEXTS, environment


def _variables(name: str) -> set[str]:
    """Undeclared variables of a template and of everything it includes."""
    env = environment()
    source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
    ast = env.parse(source)
    found = set(meta.find_undeclared_variables(ast))
    for included in meta.find_referenced_templates(ast):
        assert included is not None
        found |= _variables(included)
    return found


@pytest.mark.parametrize("template", sorted(CONTEXTS))
def test_template_reads_exactly_its_context_fields(template: str) -> None:
    context = CONTEXTS[template]
    assert is_dataclass(context) and context.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert context.__doc__ and len(context.__doc__) > 40
    assert _variables(template) == {f.name for f in fields(context)}


def test_environment_escapes_html_and_refuses_undefined_names() -> None:
    env = environment()
    assert env.undefined is StrictUndefined
    assert env.autoescape("page.html") is True  # type: ignore[operator]
    assert env.autoescape("index.html") is True  # type: ignore[operator]
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing }}").render()
    assert env.from_string("{{ x }}").render(x="<script>") == "&lt;script&gt;"


def test_scripts_and_style_have_no_template_variables() -> None:
    for name in ("index.js", "page.js", "common.js", "review.js", "style.css"):
        assert _variables(name) == set(), name
