"""Templates and environments are loaded safely and within limits."""

from __future__ import annotations

import pytest

from common import exception, template_format

BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(9)
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BOMB, "expands to more than 1000000 values"),
        ("a: " + "[" * 150 + "]" * 150, "nesting deeper than 100 levels"),
        ("!!python/object/apply:os.system ['true']", "could not determine a constructor"),
        ("foo: [", "Template not in valid format"),
        ("- a\n- b\n", "not a JSON object or YAML mapping"),
    ],
)
def test_unsafe_or_malformed_templates_are_refused(text, message):
    with pytest.raises(exception.Invalid) as info:
        template_format.parse_template(text, 1_000_000)
    assert message in str(info.value)


def test_template_size_is_limited():
    with pytest.raises(exception.RequestLimitExceeded) as info:
        template_format.parse_template("a: " + "x" * 100, 50)
    assert "exceeds maximum allowed size (50 bytes)" in str(info.value)


def test_dates_stay_strings_and_json_parses():
    assert template_format.parse_template("heat_template_version: 2016-10-14\n", 1000) == {
        "heat_template_version": "2016-10-14"
    }
    assert template_format.parse_template('{"a": [1, 2]}', 1000) == {"a": [1, 2]}
