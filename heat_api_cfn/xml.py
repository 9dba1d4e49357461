"""Rendering of query-API answers as CloudFormation XML.

Shapes follow upstream's serializer: a mapping becomes child elements in order, a list
becomes ``<member>`` children. Unlike upstream, an unset value (``None``) is left out
rather than written as ``None``, booleans read ``true``/``false``, and the root carries
the CloudFormation namespace and a ``ResponseMetadata``/``RequestId`` as AWS's do, so
SDK parsers (botocore's query parser) read every field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

NAMESPACE = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
CONTENT_TYPE = "application/xml; charset=UTF-8"
LIST_ITEM = "member"

# Characters XML 1.0 cannot carry at all, not even escaped.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str:
    return _NOT_XML_CHAR.sub("\ufffd", str(value))


def _append(parent: ElementTree.Element, value: Any) -> None:
    """Write ``value`` into ``parent``: children for mappings and lists, text otherwise."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if item is not None:
                _append(ElementTree.SubElement(parent, key), item)
    elif isinstance(value, list | tuple):
        for item in value:
            if item is not None:
                _append(ElementTree.SubElement(parent, LIST_ITEM), item)
    elif isinstance(value, bool):
        parent.text = "true" if value else "false"
    else:
        parent.text = _text(value)


def _document(root_name: str, body: Mapping[str, Any]) -> str:
    root = ElementTree.Element(root_name, xmlns=NAMESPACE)
    _append(root, body)
    # ElementTree writes empty elements as "<a />"; upstream (lxml) wrote "<a/>". Text and
    # attribute values cannot hold a raw ">", so only tag ends match.
    return ElementTree.tostring(root, encoding="unicode").replace(" />", "/>")


def render_result(action: str, result: Mapping[str, Any] | None, request_id: str | None) -> str:
    """``<{action}Response><{action}Result>…</…><ResponseMetadata>…</…></…>``."""
    return _document(
        f"{action}Response",
        {
            f"{action}Result": result or {},
            "ResponseMetadata": {"RequestId": request_id},
        },
    )


def render_error(fault_type: str, code: str, message: str, request_id: str | None) -> str:
    """``<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>``."""
    return _document(
        "ErrorResponse",
        {
            "Error": {"Type": fault_type, "Code": code, "Message": message},
            "RequestId": request_id,
        },
    )
