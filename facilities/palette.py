"""The colours the layers are declared in (:mod:`facilities.schema`): Okabe–Ito's colour-blind-safe palette and white.

Okabe & Ito 2008, *Color Universal Design* (https://jfly.uni-koeln.de/color/): eight colours that stay apart
under the common colour-vision deficiencies. Its vermillion is declared but no layer is drawn in it, so that the
gaps' red (``maps.style.GAP_COLOR``) means a gap and nothing else. Each layer's classes (toilets by grade, signs
by condition, …) are picked so that, in one layer, every two classes differ by at least ΔE2000 20, and by 15
under simulated deuteranopia and protanopia (``tests/test_map_style.py`` computes it). Ordered classes (grades)
go from dark (best) to light.
"""

from __future__ import annotations

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
WHITE = "#FFFFFF"

#: Okabe–Ito's colour-blind-safe qualitative palette, by name
OKABE_ITO: dict[str, str] = {
    "black": BLACK,
    "orange": ORANGE,
    "sky_blue": SKY_BLUE,
    "bluish_green": BLUISH_GREEN,
    "yellow": YELLOW,
    "blue": BLUE,
    "vermillion": VERMILLION,
    "reddish_purple": REDDISH_PURPLE,
}

__all__ = ["BLACK", "BLUE", "BLUISH_GREEN", "OKABE_ITO", "ORANGE", "REDDISH_PURPLE", "SKY_BLUE", "VERMILLION", "WHITE", "YELLOW"]
