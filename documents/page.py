"""The frame every printable HTML document shares: one self-contained page (no script, nothing external)."""

from __future__ import annotations


def html_page(title: str, css: str, body: str, lang: str = "zh-CN") -> str:
    """A whole HTML page: ``title`` already escaped, ``css`` inlined, ``body`` the page's (escaped) markup."""
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


__all__ = ["html_page"]
