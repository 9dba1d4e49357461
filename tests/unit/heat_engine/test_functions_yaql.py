"""yaql: values as upstream gives them, and a hostile expression refused with a 400."""

from __future__ import annotations

from typing import Any

import pytest

from common import exception
from heat_engine.template import functions as fn
from heat_engine.template.functions import yaql_expression
from heat_engine.template.template import Template


class Parameters:
    """A resolver answering parameters only (yaql needs nothing else)."""

    def __init__(self, template: Template) -> None:
        self.parameters = template.parameters({}, "st", "id", "t")
        self.conditions = template.conditions(self.parameters)

    def param(self, name: str) -> Any:
        return self.parameters.get(name)

    def condition(self, name: str) -> bool:
        return self.conditions.is_enabled(name)


def evaluate(snippet: Any) -> Any:
    template = Template(
        {
            "heat_template_version": "2017-09-01",
            "parameters": {"l": {"type": "json", "default": [3, 1, 2]}},
            "outputs": {"o": {"value": snippet}},
        }
    )
    resolver = Parameters(template)
    template.validate(resolver.parameters)
    return fn.resolve(template.outputs["o"].value, resolver)


@pytest.mark.parametrize(
    ("expression", "data", "expected"),
    [
        ("$.data.l.select($ * 2).where($ > 2)", {"l": [1, 2, 3]}, [4, 6]),
        ("dict($.data.l.select([$, $ * 2]))", {"l": [1, 2]}, {"1": 2, "2": 4}),
        ("$.data.l.toSet()", {"l": [1, 1, 2]}, [1, 2]),
        ("$.data.s.toUpper()", {"s": "abc"}, "ABC"),
        ("$.data.l.sum()", {"l": {"get_param": "l"}}, 6),
        ("$.data.l.orderBy($)", {"l": {"get_param": "l"}}, [1, 2, 3]),
    ],
)
def test_yaql_gives_upstreams_value(expression, data, expected):
    assert evaluate({"yaql": {"expression": expression, "data": data}}) == expected


def test_yaql_without_data():
    assert evaluate({"yaql": {"expression": "1 + 2"}}) == 3


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("range(0, 1000).sum()", "Collection length exceeds 200 elements"),
        ("'x' * 100000", "Expression consumed too much memory"),
        ("pow(2, 1000000)", "Expression consumed too much memory"),
        ("1 / 0", "integer division or modulo by zero"),
    ],
)
def test_yaql_beyond_its_limits_is_refused(expression, message):
    with pytest.raises(exception.StackValidationFailed) as info:
        evaluate({"yaql": {"expression": expression}})
    assert str(info.value) == message


@pytest.mark.parametrize(
    "expression",
    [
        "pow(3, 100000000)",
        'regex("(a+)+$").matches("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")',
    ],
)
def test_yaql_that_takes_too_long_is_stopped(monkeypatch, expression):
    monkeypatch.setattr(yaql_expression, "YAQL_TIME_LIMIT", 0.5)
    with pytest.raises(exception.StackValidationFailed) as info:
        evaluate({"yaql": {"expression": expression}})
    assert str(info.value) == "Expression took longer than 0.5 seconds to evaluate"
    assert evaluate({"yaql": {"expression": "2 * 3"}}) == 6


def test_yaql_condition_from_pike():
    template = Template(
        {
            "heat_template_version": "2017-09-01",
            "conditions": {"big": {"yaql": {"expression": "$.data.x > 1", "data": {"x": 2}}}},
            "resources": {"r": {"type": "OS::Heat::None", "condition": "big"}},
        }
    )
    assert set(template.active_resources(template.parameters({}, "st", "id", "t"))) == {"r"}


def test_hostile_yaql_in_a_property_is_a_400(api, tenant):
    template = {
        "heat_template_version": "2017-09-01",
        "resources": {
            "r": {
                "type": "OS::Heat::Value",
                "properties": {"value": {"yaql": {"expression": "range(0, 100000).sum()"}}},
            }
        },
    }
    result = api.simulate_post(
        f"/v1/{tenant}/stacks", json={"stack_name": "hostile", "template": template}
    )
    assert result.status_code == 400, result.text
    assert result.json["error"]["type"] == "StackValidationFailed"
    assert "Collection length exceeds 200 elements" in result.json["error"]["message"]
