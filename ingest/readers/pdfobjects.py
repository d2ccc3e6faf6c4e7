"""pdfplumber's character dicts, built without its general-purpose conversion.

``Page.process_object`` turns every laid-out object into a dict by filtering the object's
attributes, resolving each through ``resolve_all`` (a chain of type tests meant for PDF object
references), decoding the colour-space name and matching the class name with a regex — for
every character of every page: a seventh of a PDF's reading time.  A character's attributes are
plain numbers and strings (a matrix of numbers), for which all of that returns them unchanged;
:func:`char_object` builds the same dict, key for key and in the same order, directly, and
hands anything else (another kind of object, a byte-string font name, Unicode normalisation,
a media box not at the origin, an attribute that is not plain) to pdfplumber.
tests/test_pdf_objects.py compares the two on every page we can make.
"""

from __future__ import annotations

from typing import Any

from pdfminer.layout import LTChar
from pdfplumber.page import ALL_ATTRS
from pdfplumber.utils import resolve_and_decode

_PLAIN = (int, float, str, bool, type(None))
_NAMES: dict[str, Any] = {}
"""Colour-space names as pdfplumber decodes them (a handful per file)."""


def char_object(page: Any, obj: Any) -> dict[str, Any] | None:
    """``page.process_object(obj)`` for a plain character, or None when pdfplumber must do it."""
    if type(obj) is not LTChar or page.pdf.unicode_norm is not None or page.mediabox[0] != 0:
        return None
    attr: dict[str, Any] = {}
    for key, value in obj.__dict__.items():
        if key in ALL_ATTRS:
            if not (isinstance(value, _PLAIN) or (type(value) is tuple and all(isinstance(v, _PLAIN) for v in value))):
                return None
            attr[key] = value
    if not isinstance(attr.get("fontname"), str) or "y0" not in attr:
        return None
    attr["object_type"] = "char"
    attr["page_number"] = page.page_number
    for space in ("ncs", "scs"):
        if hasattr(obj, space):
            name = getattr(obj, space).name
            if not isinstance(name, str):
                return None
            if name not in _NAMES:
                _NAMES[name] = resolve_and_decode(name)
            attr[space] = _NAMES[name]
    attr["text"] = obj.get_text()
    state = obj.graphicstate
    attr["stroking_color"] = state.scolor if isinstance(state.scolor, tuple) else (state.scolor,)
    attr["non_stroking_color"] = state.ncolor if isinstance(state.ncolor, tuple) else (state.ncolor,)
    top_of_page = page.mediabox[1]
    attr["top"] = (page.height - attr["y1"]) + top_of_page
    attr["bottom"] = (page.height - attr["y0"]) + top_of_page
    attr["doctop"] = page.initial_doctop + attr["top"]
    return attr
