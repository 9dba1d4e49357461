"""HOT functions as users see them: values, and each argument error with its message and place.

Expected values and messages were read from upstream Heat 27 given the same templates.
"""

from __future__ import annotations

from typing import Any

import pytest

from common import exception
from heat_engine.template import functions as fn
from heat_engine.template.template import Template

PARAMETERS = {
    "s": {"type": "string", "default": "hello"},
    "n": {"type": "number", "default": 3},
    "l": {"type": "comma_delimited_list", "default": "a,b,c"},
    "j": {"type": "json", "default": {"k": [1, 2, {"z": "deep"}], "m": {"x": 1}}},
    "b": {"type": "boolean", "default": True},
}


class Stack:
    """The engine's side of the resolver, for one stack whose resources have attributes."""

    def __init__(self, template: Template, attributes: dict[str, dict[str, Any]]) -> None:
        self.parameters = template.parameters({}, "web", "stack-id", "tenant")
        self.conditions = template.conditions(self.parameters)
        self.active = template.active_resources(self.parameters)
        self.attributes = attributes

    def _check(self, name: str) -> None:
        if name not in self.active:
            raise exception.InvalidTemplateReference(resource=name, key="unknown")

    def param(self, name: str) -> Any:
        return self.parameters.get(name)

    def has_resource(self, name: str) -> bool:
        return name in self.active

    def resource_ref(self, name: str) -> Any:
        self._check(name)
        return f"{name}-id"

    def resource_attr(self, name: str, attr: str, path: list[Any]) -> Any:
        self._check(name)
        return fn.dig(self.attributes.get(name, {}).get(attr), path)

    def resource_attributes(self, name: str) -> dict[str, Any] | None:
        self._check(name)
        return self.attributes.get(name)

    def condition(self, name: str) -> bool:
        return self.conditions.is_enabled(name)

    def resource_facade(self, kind: str) -> Any:
        return {"metadata": {"role": "db"}, "deletion_policy": "Retain"}.get(kind)


def make(snippet: Any, version: str = "2017-09-01", files: Any = None) -> Template:
    return Template(
        {
            "heat_template_version": version,
            "parameters": PARAMETERS,
            "resources": {
                "server": {"type": "OS::Heat::None"},
                "port": {"type": "OS::Heat::None"},
            },
            "outputs": {"o": {"value": snippet}},
        },
        files,
    )


ATTRIBUTES = {"server": {"first": {"k": ["x", "y"]}, "name": "vm1"}, "port": {"ip": "10.0.0.1"}}


def evaluate(snippet: Any, version: str = "2017-09-01", files: Any = None) -> Any:
    template = make(snippet, version, files)
    stack = Stack(template, ATTRIBUTES)
    template.validate(stack.parameters, lambda type_name: None)
    return fn.resolve(template.active_outputs(stack.parameters)["o"].value, stack)


VALUES = [
    # get_param, with paths
    ({"get_param": "s"}, "hello"),
    ({"get_param": "n"}, 3),
    ({"get_param": "b"}, True),
    ({"get_param": "l"}, ["a", "b", "c"]),
    ({"get_param": ["l", 1]}, "b"),
    ({"get_param": ["l", "2"]}, "c"),
    ({"get_param": ["l", "x"]}, ""),
    ({"get_param": ["j", "k", 2, "z"]}, "deep"),
    ({"get_param": ["j", "nope"]}, ""),
    ({"get_param": ["s", 1]}, "e"),
    ({"get_param": "OS::stack_name"}, "web"),
    ({"get_param": "OS::stack_id"}, "stack-id"),
    ({"get_param": "OS::project_id"}, "tenant"),
    # get_resource, get_attr
    ({"get_resource": "server"}, "server-id"),
    ({"get_attr": ["server", "name"]}, "vm1"),
    ({"get_attr": ["server", "first", "k", 1]}, "y"),
    ({"get_attr": ["server", "first", "nope"]}, None),
    ({"get_attr": ["server"]}, {"first": {"k": ["x", "y"]}, "name": "vm1"}),
    ({"get_attr": [{"str_replace": {"template": "Xver", "params": {"X": "ser"}}}, "name"]}, "vm1"),
    # str_replace and its strict forms
    (
        {"str_replace": {"template": "$a $ab $b", "params": {"$a": "X", "$ab": "Y", "$b": [1, 2]}}},
        "X Y [1, 2]",
    ),
    ({"str_replace": {"template": "v=V", "params": {"V": 1.5}}}, "v=1.5"),
    ({"str_replace": {"template": "v=V", "params": {"V": True}}}, "v=True"),
    ({"str_replace": {"template": "v=V", "params": {"V": None}}}, "v="),
    (
        {"str_replace": {"template": "v=V", "params": {"V": {"b": 1, "a": [2]}}}},
        'v={"a": [2], "b": 1}',
    ),
    ({"str_replace": {"template": "aaa", "params": {"a": "b", "aa": "c"}}}, "cb"),
    ({"str_replace": {"template": {"get_param": "s"}, "params": {"l": "L"}}}, "heLLo"),
    ({"str_replace_strict": {"template": "x-y", "params": {"x": 1, "y": 2}}}, "1-2"),
    ({"str_replace_vstrict": {"template": "x-y", "params": {"x": 1, "y": 2}}}, "1-2"),
    # list_join, str_split, digest
    ({"list_join": [",", ["a", "b"], ["c", {"d": 1}, ["e"]], []]}, 'a,b,c,{"d": 1},["e"]'),
    ({"list_join": ["-", ["a", None, "b"]]}, "a--b"),
    ({"list_join": ["-", None, ["a"]]}, "a"),
    ({"list_join": [", ", {"get_param": "l"}]}, "a, b, c"),
    ({"str_split": [",", "a,b,c"]}, ["a", "b", "c"]),
    ({"str_split": [",", "a,b,c", 1]}, "b"),
    ({"str_split": [",", "a,b,c", -1]}, "c"),
    ({"str_split": [",", "a,b,c", "2"]}, "c"),
    ({"str_split": [",", None]}, None),
    (
        {"digest": ["sha512", "abc"]},
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    ),
    ({"digest": ["MD5", "abc"]}, "900150983cd24fb0d6963f7d28e17f72"),
    # repeat
    (
        {
            "repeat": {
                "template": {"name": "n-%x%-%y%", "k%x%": "%y%"},
                "for_each": {"%x%": ["a", "b"], "%y%": ["1", "2"]},
            }
        },
        [
            {"name": "n-a-1", "ka": "1"},
            {"name": "n-a-2", "ka": "2"},
            {"name": "n-b-1", "kb": "1"},
            {"name": "n-b-2", "kb": "2"},
        ],
    ),
    (
        {
            "repeat": {
                "template": "%x%%y%",
                "for_each": {"%x%": ["a", "b"], "%y%": ["c", "d"]},
                "permutations": False,
            }
        },
        ["ac", "bd"],
    ),
    ({"repeat": {"template": "%x%", "for_each": {"%x%": {"k1": "v", "k2": "w"}}}}, ["k1", "k2"]),
    ({"repeat": {"template": "%x%", "for_each": {"%x%": []}}}, []),
    ({"repeat": {"template": "%x%", "for_each": {"%x%": None}}}, []),
    (
        {"repeat": {"template": "<%x%>", "for_each": {"%x%": {"get_param": "l"}}}},
        ["<a>", "<b>", "<c>"],
    ),
    # maps and lists
    ({"map_merge": [{"a": 1, "b": 2}, None, {"b": 3}]}, {"a": 1, "b": 3}),
    (
        {"map_replace": [{"a": 1, "b": 2, "c": [1]}, {"keys": {"a": "A"}, "values": {2: "two"}}]},
        {"A": 1, "b": "two", "c": [1]},
    ),
    ({"map_replace": [{"a": 1}, {"keys": {"a": None}}]}, {"a": 1}),
    ({"filter": [["a", None], ["a", "b", None, "c"]]}, ["b", "c"]),
    ({"filter": [["a"], []]}, []),
    ({"filter": [None, ["a"]]}, ["a"]),
    ({"list_concat": [["a", "b"], None, ["b", {"c": 1}]]}, ["a", "b", "b", {"c": 1}]),
    ({"list_concat_unique": [["a", "b"], ["b", {"c": 1}, {"c": 1}]]}, ["a", "b", {"c": 1}]),
    ({"contains": ["a", ["a", "b"]]}, True),
    ({"contains": ["a", "abc"]}, True),
    ({"contains": [1, ["1"]]}, False),
    ({"equals": [1, 1]}, {"equals": [1, 1]}),  # a condition function only: plain data here
    # make_url
    (
        {
            "make_url": {
                "scheme": "https",
                "username": "us er",
                "password": "p@ss",
                "host": "::1",
                "port": 8080,
                "path": "/a b/c",
                "query": {"q": "a/b c", "r": 1},
                "fragment": "fr ag",
            }
        },
        "https://us%20er:p%40ss@[::1]:8080/a%20b/c?q=a/b+c&r=1#fr%20ag",
    ),
    ({"make_url": {"host": "[fe80::1]", "path": "x"}}, "//[fe80::1]/x"),
    ({"make_url": {"scheme": "http", "host": "h", "port": "80"}}, "http://h:80"),
    ({"make_url": {}}, ""),
    # resource_facade answers from the parent resource, through the resolver
    ({"resource_facade": "metadata"}, {"role": "db"}),
    ({"resource_facade": "deletion_policy"}, "Retain"),
]


@pytest.mark.parametrize(("snippet", "expected"), VALUES, ids=[repr(v[0])[:60] for v in VALUES])
def test_function_gives_upstreams_value(snippet, expected):
    assert evaluate(snippet) == expected


def test_get_file_reads_the_files_sent_with_the_template():
    files = {"file:///tmp/a.txt": "content a\n", "tpl": "v=X"}
    assert evaluate({"get_file": "file:///tmp/a.txt"}, files=files) == "content a\n"
    snippet = {"str_replace": {"template": {"get_file": "tpl"}, "params": {"X": 1}}}
    assert evaluate(snippet, files=files) == "v=1"


@pytest.mark.parametrize(
    ("version", "snippet", "expected"),
    [
        ("2013-05-23", {"get_attr": ["server", "first", "k", 0]}, "x"),
        ("2013-05-23", {"list_join": ["+", ["x", "y"]]}, "x+y"),
        ("2013-05-23", {"str_replace": {"template": "v=V", "params": {"V": 2}}}, "v=2"),
        ("2014-10-16", {"Fn::Select": [0, ["a", "b"]]}, "a"),
        (
            "2015-04-30",
            {"repeat": {"template": "%x%", "for_each": {"%x%": ["a", "b"]}}},
            ["a", "b"],
        ),
        ("2016-04-08", {"repeat": {"template": "%x%", "for_each": {"%x%": ["a"]}}}, ["a"]),
    ],
)
def test_older_versions_give_upstreams_values(version, snippet, expected):
    assert evaluate(snippet, version) == expected


# Faults in the arguments' shape, found when the template is read. -------------------

SHAPE_ERRORS = [
    (
        "2014-10-16",
        {"get_attr": ["server"]},
        "get_attr",
        'Arguments to "get_attr" must be of the form [resource_name, attribute, (path), ...]',
    ),
    ("2014-10-16", {"get_attr": "server"}, "get_attr", 'Argument to "get_attr" must be a list'),
    (
        "2017-09-01",
        {"get_attr": []},
        "get_attr",
        'Arguments to "get_attr" can be of the next forms: [resource_name] or [resource_name, '
        "attribute, (path), ...]",
    ),
    ("2017-09-01", {"get_attr": {"a": 1}}, "get_attr", 'Argument to "get_attr" must be a list'),
    (
        "2017-09-01",
        {"get_resource": ["server"]},
        "get_resource",
        'Argument to "get_resource" must be a resource name',
    ),
    (
        "2014-10-16",
        {"list_join": ","},
        "list_join",
        'Incorrect arguments to "list_join" should be: "list_join" : [ " ", [ "str1", "str2"]]',
    ),
    (
        "2014-10-16",
        {"list_join": [",", ["a"], ["b"]]},
        "list_join",
        'Incorrect arguments to "list_join" should be: "list_join" : [ " ", [ "str1", "str2"]]',
    ),
    (
        "2017-09-01",
        {"list_join": [","]},
        "list_join",
        'Incorrect arguments to "list_join" should be: "list_join" : [ " ", [ "str1", "str2"] ...]',
    ),
    (
        "2017-09-01",
        {"str_replace": ["a"]},
        "str_replace",
        'Arguments to "str_replace" must be a map',
    ),
    (
        "2017-09-01",
        {"str_replace": {"template": "x"}},
        "str_replace",
        repr(
            '"str_replace" syntax should be str_replace:\n'
            "              template: This is var1 template var2\n"
            "              params:\n"
            "                var1: a\n"
            "                var2: string"
        ),
    ),
    (
        "2017-09-01",
        {"str_replace": {"template": "x", "params": ["a"]}},
        "str_replace",
        '"str_replace" parameters must be a mapping',
    ),
    (
        "2017-09-01",
        {"str_split": "x"},
        "str_split",
        'Incorrect arguments to "str_split" should be: "str_split" : [ ",", "apples,pears", '
        "<index>]",
    ),
    ("2017-09-01", {"repeat": ["a"]}, "repeat", 'Arguments to "repeat" must be a map'),
    (
        "2017-09-01",
        {"repeat": {"template": "x"}},
        "repeat",
        repr(
            '"repeat" syntax should be repeat:\n'
            "              template: This is %var%\n"
            "              for_each:\n"
            "                %var%: ['a', 'b', 'c']"
        ),
    ),
    (
        "2017-09-01",
        {"repeat": {"template": "x", "for_each": {"%a%": ["a"]}, "permutations": 1}},
        "repeat",
        '"permutations" should be boolean type for repeat function.',
    ),
    (
        "2017-09-01",
        {"resource_facade": "foo"},
        "resource_facade",
        'Incorrect arguments to "resource_facade" should be one of: metadata, deletion_policy, '
        "update_policy",
    ),
    ("2017-09-01", {"filter": "x"}, "filter", 'Argument to "filter" must be a list'),
    (
        "2017-09-01",
        {"filter": ["a", "b", "c"]},
        "filter",
        '"filter" expected 2 arguments of the form [values, sequence] but got 3 arguments instead',
    ),
    (
        "2017-09-01",
        {"contains": "x"},
        "contains",
        'Incorrect arguments to "contains" should be: "contains" : [ "value1", [ "value1", '
        '"value2"]]',
    ),
    (
        "2017-09-01",
        {"contains": ["a", "b", "c"]},
        "contains",
        'Arguments to "contains" must be of the form: [value1, [value1, value2]]',
    ),
    ("2017-09-01", {"yaql": "x"}, "yaql", 'Arguments to "yaql" must be a map.'),
    (
        "2017-09-01",
        {"yaql": {"expression": "1", "foo": 1}},
        "yaql",
        repr(
            '"yaql" syntax should be yaql:\n'
            "              expression: $.data.var1.sum()\n"
            "              data:\n"
            "                var1: [3, 2, 1]"
        ),
    ),
    (
        "2017-09-01",
        {"if": ["c", "a"]},
        "if",
        'Arguments to "if" must be of the form: [condition_name, value_if_true, value_if_false]',
    ),
    ("2017-09-01", {"if": ["nope", "a", "b"]}, "if", 'Invalid condition "nope"'),
    ("2017-09-01", {"if": [1, "a", "b"]}, "if", 'Invalid condition "1"'),
]


@pytest.mark.parametrize(
    ("version", "snippet", "name", "message"),
    SHAPE_ERRORS,
    ids=[repr(e[1])[:60] for e in SHAPE_ERRORS],
)
def test_argument_shape_error_names_the_place(version, snippet, name, message):
    with pytest.raises(exception.StackValidationFailed) as info:
        make(snippet, version)
    assert str(info.value) == f"outputs.o.value.{name}: {message}"


def test_shape_error_deep_in_properties_names_the_whole_path():
    with pytest.raises(exception.StackValidationFailed) as info:
        Template(
            {
                "heat_template_version": "2016-10-14",
                "resources": {
                    "r": {
                        "type": "OS::Heat::Value",
                        "properties": {"value": {"a": [1, {"str_split": "x"}]}},
                    }
                },
            }
        )
    assert str(info.value).startswith("resources.r.properties.value.a[1].str_split: Incorrect")


# Faults found by validation, before a stack is made. --------------------------------

VALIDATION_ERRORS = [
    ({"make_url": ["a"]}, 'outputs.o.value.make_url: The arguments to "make_url" must be a map'),
    ({"make_url": {"foo": 1}}, 'outputs.o.value.make_url: Invalid arguments to "make_url": foo'),
    (
        {"make_url": {"host": "h", "port": "abc"}},
        'outputs.o.value.make_url: Invalid URL port "abc" for make_url called with '
        "{'host': 'h', 'port': 'abc'}",
    ),
    (
        {"make_url": {"host": "h", "port": 70000}},
        "outputs.o.value.make_url: Invalid URL port 70000, must be in range 1-65535",
    ),
    (
        {"make_url": {"host": "h", "query": "abc"}},
        'outputs.o.value.make_url: The "query" argument to "make_url" must be a map',
    ),
    (
        {"make_url": {"host": 1}},
        'outputs.o.value.make_url: The "host" argument to "make_url" must be a string',
    ),
    (
        {"repeat": {"template": "x", "for_each": ["a"]}},
        'outputs.o.value.repeat: The "for_each" argument to "repeat" must contain a map',
    ),
    (
        {"yaql": {"expression": 1}},
        'outputs.o.value.yaql: The "expression" argument to yaql must contain a string.',
    ),
    (
        {"yaql": {"expression": "$.data.("}},
        "outputs.o.value.yaql: Bad expression Parse error: unexpected end of statement.",
    ),
    (
        {"get_attr": ["nope", "x"]},
        'outputs.o.value.get_attr: The specified reference "nope" (in unknown) is incorrect.',
    ),
    (
        {"list_join": [",", [{"make_url": ["a"]}]]},
        'outputs.o.value.list_join: [1][0].make_url: The arguments to "make_url" must be a map',
    ),
]


@pytest.mark.parametrize(
    ("snippet", "message"), VALIDATION_ERRORS, ids=[repr(e[0])[:60] for e in VALIDATION_ERRORS]
)
def test_validation_error_names_the_place(snippet, message):
    template = make(snippet)
    with pytest.raises(exception.StackValidationFailed) as info:
        template.validate(template.parameters({}, "st", "id", "t"))
    assert str(info.value) == message


def test_get_attr_of_an_attribute_the_type_lacks():
    template = make({"get_attr": ["server", "nope"]})
    with pytest.raises(exception.StackValidationFailed) as info:
        template.validate(template.parameters({}, "st", "id", "t"), lambda type_name: {"name"})
    assert str(info.value) == (
        "outputs.o.value.get_attr: The Referenced Attribute (server nope) is incorrect."
    )


# Faults found only when the values are known. ---------------------------------------

RESULT_ERRORS = [
    ({"get_param": {"a": "b"}}, 'Argument to "get_param" must be string or list'),
    ({"get_param": []}, 'Function "get_param" must have arguments'),
    ({"get_param": [1]}, 'Parameter name in "get_param" must be string'),
    ({"list_join": [1, ["a"]]}, '"list_join" delimiter must be a string'),
    ({"list_join": [",", "a"]}, '"list_join" must operate on a list'),
    ({"list_join": [",", [1]]}, "Items to join must be string, map or list not 1"),
    (
        {"str_replace": {"template": 1, "params": {"a": "b"}}},
        '"str_replace" template must be a string',
    ),
    (
        {"str_replace_strict": {"template": "a", "params": {"bb": "c", "b": "d", "a": "x"}}},
        "The following params were not found in the template: bb,b",
    ),
    (
        {"str_replace_vstrict": {"template": "a", "params": {"a": ""}}},
        "str_replace_vstrict has an undefined or empty value for param a, must be a defined "
        "non-empty value",
    ),
    (
        {"str_replace_vstrict": {"template": "a", "params": {"a": []}}},
        "str_replace_vstrict has an undefined or empty value for param a, must be a defined "
        "non-empty value",
    ),
    (
        {"repeat": {"template": "x", "for_each": {"%a%": "a"}}},
        'The values of the "for_each" argument to "repeat" must be lists or maps',
    ),
    (
        {"repeat": {"template": "x", "for_each": {"%a%": {"k": "v"}}, "permutations": False}},
        'The values of the "for_each" argument to "repeat" must be lists',
    ),
    (
        {
            "repeat": {
                "template": "x",
                "for_each": {"%a%": ["a"], "%b%": ["a", "b"]},
                "permutations": False,
            }
        },
        "For repeat, the length of for_each values should be equal if no nested loop.",
    ),
    (
        {"repeat": {"template": "%a%", "for_each": {"%a%": [1]}}},
        "replace() argument 2 must be str, not int",
    ),
    ({"digest": "x"}, 'Argument to function "digest" must be a list of strings'),
    ({"digest": ["md5"]}, 'Function "digest" usage: ["<algorithm>", "<value>"]'),
    (
        {"str_split": [","]},
        'Incorrect arguments to "str_split" should be: "str_split" : [ ",", "apples,pears", '
        "<index>]",
    ),
    (
        {"str_split": [",", "a,b", "x"]},
        'Incorrect index to "str_split" should be: "str_split" : [ ",", "apples,pears", <index>]',
    ),
    ({"str_split": [",", "a,b", 5]}, 'Incorrect index to "str_split" should be between 0 and 1'),
    ({"str_split": [",", ["a"]]}, "'list' object has no attribute 'split'"),
    (
        {"map_merge": "x"},
        "Incorrect arguments: Items to merge must be maps. 'x' is type <class 'str'> instead of "
        "a dict",
    ),
    (
        {"map_merge": [{"a": "b"}, ["c"]]},
        "Incorrect arguments: Items to merge must be maps. ['c'] is type <class 'list'> instead "
        "of a dict",
    ),
    (
        {"map_replace": "x"},
        'Incorrect arguments to "map_replace" should be: "map_replace" : [ { "key1": "val1" }, '
        '{"keys": {"key1": "key2"}, "values": {"val1": "val2"}}]',
    ),
    (
        {"map_replace": [{"a": "b"}, {"foo": {}}]},
        'Incorrect arguments to "map_replace" should be: "map_replace" : [ { "key1": "val1" }, '
        '{"keys": {"key1": "key2"}, "values": {"val1": "val2"}}]',
    ),
    (
        {"map_replace": [["a"], {"keys": {}}]},
        'Incorrect arguments: to "map_replace", arguments must be a list of maps. Example:  '
        '"map_replace" : [ { "key1": "val1" }, {"keys": {"key1": "key2"}, "values": {"val1": '
        '"val2"}}]',
    ),
    (
        {"map_replace": [{"a": "b", "c": "d"}, {"keys": {"a": "c"}}]},
        "key replacement c collides with a key in the input map",
    ),
    (
        {"map_replace": [{"a": "b", "c": "d"}, {"keys": {"a": "x", "c": "x"}}]},
        "key replacement x collides with a key in the output map",
    ),
    ({"filter": [["a"], "abc"]}, '"filter" only works with lists'),
    ({"filter": ["a", ["a", "b"]]}, '"filter" filters a list of values'),
    ({"make_url": {"scheme": "a:b", "host": "h"}}, "URL \"scheme\" should not contain ':'"),
    ({"contains": ["a", 1]}, 'Second argument to "contains" should be a sequence.'),
    (
        {"list_concat": "x"},
        'Incorrect arguments to "list_concat" should be: "list_concat" : [ [ <value 1>, <value '
        "2> ], [ <value 3>, <value 4> ] ]",
    ),
    (
        {"list_concat": [["a"], "b"]},
        'Incorrect arguments: Items to concat must be lists. [["a"], "b"] contains an item that '
        'is not a list: "b"',
    ),
    ({"get_file": 1}, 'Argument to "get_file" must be a string'),
    ({"get_file": "foo"}, 'No content found in the "files" section for get_file path: foo'),
]


@pytest.mark.parametrize(
    ("snippet", "message"), RESULT_ERRORS, ids=[repr(e[0])[:60] for e in RESULT_ERRORS]
)
def test_error_in_values_is_upstreams(snippet, message):
    with pytest.raises(exception.StackValidationFailed) as info:
        evaluate(snippet)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ({"get_param": "nope"}, "The Parameter (nope) was not provided."),
        ({"get_resource": "nope"}, 'The specified reference "nope" (in unknown) is incorrect.'),
    ],
)
def test_unknown_names_in_values(snippet, message):
    with pytest.raises(exception.HeatException) as info:
        evaluate(snippet)
    assert str(info.value) == message


def test_list_join_of_old_versions_joins_strings_only():
    with pytest.raises(exception.StackValidationFailed) as info:
        evaluate({"list_join": [",", [{"a": 1}]]}, "2015-04-30")
    assert str(info.value) == "Items to join must be strings not {'a': 1}"


def test_str_replace_of_old_versions_takes_strings_and_numbers_only():
    with pytest.raises(exception.StackValidationFailed) as info:
        evaluate({"str_replace": {"template": "v", "params": {"v": [1]}}}, "2015-04-30")
    assert (
        str(info.value) == '"str_replace" params must be strings or numbers, param v is not valid'
    )


# References, for the graph and for validation. --------------------------------------


def resource_template(version: str, properties: Any, **extra: Any) -> Template:
    return Template(
        {
            "heat_template_version": version,
            "resources": {
                "a": {"type": "OS::Heat::None"},
                "b": {"type": "OS::Heat::None"},
                "r": {"type": "OS::Heat::Value", "properties": {"value": properties}, **extra},
            },
        }
    )


@pytest.mark.parametrize(
    ("properties", "expected"),
    [
        ({"get_resource": "a"}, {"a"}),
        ({"get_attr": ["a", {"get_attr": ["b", "name"]}]}, {"a", "b"}),
        ({"list_join": [",", [{"get_attr": ["a", "x"]}, {"get_resource": "b"}]]}, {"a", "b"}),
        ({"if": [True, {"get_resource": "a"}, {"get_resource": "b"}]}, {"a", "b"}),
        ({"str_replace": {"template": "x", "params": {"x": {"get_attr": ["b"]}}}}, {"b"}),
    ],
)
def test_dependencies_include_every_reference_and_every_if_branch(properties, expected):
    template = resource_template("2017-09-01", properties)
    assert template.resources["r"].dependencies({"a", "b", "r"}) == expected


def test_dependencies_for_parameters_follow_the_chosen_branch_and_computed_names():
    template = Template(
        {
            "heat_template_version": "2017-09-01",
            "parameters": {"which": {"type": "string", "default": "b"}},
            "conditions": {"yes": True},
            "resources": {
                "a": {"type": "OS::Heat::None"},
                "b": {"type": "OS::Heat::None"},
                "r": {
                    "type": "OS::Heat::None",
                    "properties": {
                        "x": {"if": ["yes", {"get_resource": "a"}, {"get_resource": "b"}]},
                        "y": {"get_attr": [{"get_param": "which"}, "name"]},
                    },
                },
            },
        }
    )
    params = template.parameters({}, "st", "id", "t")
    assert template.dependencies(params)["r"] == {"a", "b"}
    params = template.parameters({"which": "a"}, "st", "id", "t")
    assert template.dependencies(params)["r"] == {"a"}


@pytest.mark.parametrize(
    ("properties", "key"),
    [
        ({"get_resource": "x"}, "r.Properties.value"),
        ({"a": [1, {"get_resource": "x"}]}, "r.Properties.value.a[1]"),
        ({"list_join": [",", [{"get_attr": ["x", "y"]}]]}, "r.Properties.value.list_join[1][0]"),
        ({"if": [True, {"get_resource": "x"}, "b"]}, "r.Properties.value.if"),
    ],
)
def test_reference_to_an_unknown_resource_names_where(properties, key):
    template = resource_template("2016-10-14", properties)
    with pytest.raises(exception.InvalidTemplateReference) as info:
        template.validate(template.parameters({}, "st", "id", "t"))
    assert str(info.value) == f'The specified reference "x" (in {key}) is incorrect.'


def test_reference_in_metadata_and_depends_on():
    template = resource_template("2016-10-14", 1, metadata={"a": {"get_resource": "x"}})
    with pytest.raises(exception.InvalidTemplateReference) as info:
        template.validate(template.parameters({}, "st", "id", "t"))
    assert str(info.value) == 'The specified reference "x" (in r.Metadata.a) is incorrect.'
    with pytest.raises(exception.InvalidTemplateReference) as info:
        resource_template("2016-10-14", 1, depends_on="x")
    assert str(info.value) == 'The specified reference "x" (in r) is incorrect.'


def test_resource_referring_to_itself_is_a_cycle():
    template = resource_template("2016-10-14", {"get_attr": ["r", "value"]})
    with pytest.raises(exception.CircularDependencyException):
        template.validate(template.parameters({}, "st", "id", "t"))


def test_missing_parameter_in_properties_is_a_property_error_at_create():
    template = resource_template("2016-10-14", {"get_param": "p"})
    with pytest.raises(exception.StackValidationFailed) as info:
        template.validate_references(set())
    assert str(info.value) == (
        "Property error: : resources.r.properties.value: : The Parameter (p) was not provided."
    )


# Structure of resources and outputs. ---------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ({"properties": {}}, "resources.r: Each resource must contain a type key."),
        ({}, "resources.r: Each resource must contain a type key."),
        (
            1,
            'resources.r: "resources" must contain a map of resource maps. Found a [<class '
            "'int'>] instead",
        ),
        ({"type": 1}, "Resource r type type must be string"),
        ({"type": "T", "properties": ["a"]}, "Resource r properties type must be object"),
        ({"type": "T", "metadata": ["a"]}, "Resource r metadata type must be object"),
        ({"type": "T", "update_policy": ["a"]}, "Resource r update_policy type must be object"),
        ({"type": "T", "description": 1}, "Resource r description type must be string"),
        ({"type": "T", "depends_on": [1]}, "Resource r depends_on must be a list of strings"),
        (
            {"type": "T", "depends_on": {"a": 1}},
            "Resource r depends_on type must be list or string",
        ),
        ({"type": "T", "deletion_policy": "foo"}, 'Invalid deletion policy "foo"'),
        ({"type": "T", "condition": 1}, "Resource r condition type must be string_or_boolean"),
        ({"type": "T", "condition": ["a"]}, "Resource r condition type must be string_or_boolean"),
    ],
)
def test_resource_structure_errors(resource, message):
    with pytest.raises(exception.StackValidationFailed) as info:
        Template({"heat_template_version": "2016-10-14", "resources": {"r": resource}})
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("output", "message"),
    [
        (
            {"description": "x"},
            "Output validation error: outputs.o: Each output definition must contain a value key.",
        ),
        (
            1,
            "Output validation error: outputs.o: Output definitions must be a map. Found a int "
            "instead",
        ),
    ],
)
def test_output_structure_errors(output, message):
    with pytest.raises(exception.StackValidationFailed) as info:
        Template({"heat_template_version": "2016-10-14", "outputs": {"o": output}})
    assert str(info.value) == message


def test_deletion_policy_from_a_parameter_is_decided_with_the_parameters():
    template = Template(
        {
            "heat_template_version": "2016-10-14",
            "parameters": {"p": {"type": "string", "default": "retain"}},
            "resources": {"r": {"type": "T", "deletion_policy": {"get_param": "p"}}},
        }
    )
    params = template.parameters({}, "st", "id", "t")
    assert template.active_resources(params)["r"].deletion_policy == "Retain"
    params = template.parameters({"p": "nope"}, "st", "id", "t")
    with pytest.raises(exception.StackValidationFailed) as info:
        template.active_resources(params)
    assert str(info.value) == 'Invalid deletion policy "nope"'


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ({"a": "b"}, "parameter_groups: The parameter_groups should be a list."),
        (
            [{"label": "x"}],
            "parameter_groups.x: The parameters must be provided for each parameter group.",
        ),
        (
            [{"label": "x", "parameters": "p"}],
            "parameter_groups.x: The parameters of parameter group should be a list.",
        ),
        (
            [{"label": "x", "parameters": ["zz"]}],
            "parameter_groups.x: The grouped parameter zz does not reference a valid parameter.",
        ),
        (
            [{"label": "x", "parameters": ["p"]}, {"label": "y", "parameters": ["p"]}],
            "parameter_groups.y: The p parameter must be assigned to one parameter group only.",
        ),
    ],
)
def test_parameter_group_errors(groups, message):
    template = Template(
        {
            "heat_template_version": "2016-10-14",
            "parameter_groups": groups,
            "parameters": {"p": {"type": "string", "default": "x"}},
        }
    )
    with pytest.raises(exception.StackValidationFailed) as info:
        template.validate(template.parameters({}, "st", "id", "t"))
    assert str(info.value) == f"Parameter Groups error: {message}"


def test_same_name_for_a_parameter_and_a_resource():
    template = Template(
        {
            "heat_template_version": "2016-10-14",
            "parameters": {"a": {"type": "string", "default": "x"}},
            "resources": {"a": {"type": "OS::Heat::None"}},
        }
    )
    with pytest.raises(exception.StackValidationFailed) as info:
        template.validate(template.parameters({}, "st", "id", "t"))
    assert str(info.value) == "Duplicate names {'a'}"
