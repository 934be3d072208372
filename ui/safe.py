"""Text from data on a Streamlit page: never markup.

Streamlit renders Markdown (with HTML dropped, but images, links, colours, icons and LaTeX kept) in titles,
headers, captions, ``st.markdown`` and widget labels. A city, rule or district name is data: it reaches those
only through :func:`md`, which writes every ASCII punctuation character as a numeric character reference
(``&#91;`` for ``[``): Markdown shows a reference as the character itself and never reads it as syntax. (A
backslash escape is not enough.) GitHub-flavoured autolinks are found in the parsed text, references or not:
a word joiner (U+2060, invisible) goes where one would start — inside ``http://``, ``www.`` and before ``@``.
So the text shows exactly as written and never becomes an image, a link, a colour, an icon or a formula.
Tables (``st.dataframe``, ``st.table``) and ``st.text`` show plain text and need nothing.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_SPACE = re.compile(r"[\r\n\t\v\f]+")
#: where GitHub-flavoured Markdown would start a link by itself (URLs, www. addresses, e-mail addresses)
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto|www)(?=[:.])|(?=@)")
WORD_JOINER = "\u2060"


def md(value: object) -> str:
    """``value`` as Markdown that renders as the literal text (one line)."""
    text = _AUTOLINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, _SPACE.sub(" ", str(value)))
    return _PUNCTUATION.sub(lambda m: f"&#{ord(m.group(1))};", text)


__all__ = ["md"]
