"""Text from data on a Streamlit page: never markup.

Streamlit renders Markdown (with HTML dropped, but images, links, colours, icons and LaTeX kept) in titles,
headers, captions, ``st.markdown`` and widget labels. A city, rule or district name is data: it reaches those
only through :func:`md`, which makes every ASCII punctuation character a Markdown escape, so the text shows
exactly as written and never becomes an image, a link or a formula. Tables (``st.dataframe``, ``st.table``)
and ``st.text`` show plain text and need nothing.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_SPACE = re.compile(r"[\r\n\t\v\f]+")


def md(value: object) -> str:
    """``value`` as Markdown that renders as the literal text (one line)."""
    return _PUNCTUATION.sub(r"\\\1", _SPACE.sub(" ", str(value)))


__all__ = ["md"]
