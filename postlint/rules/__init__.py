"""Every rule postlint has, registered explicitly in one place."""

from __future__ import annotations

from postlint.registry import Registry, Rule
from postlint.rules import core, counts, dates, frontmatter, images, remote_images

ALL_RULES: list[type[Rule]] = [
    *core.RULES,
    *frontmatter.RULES,
    *images.RULES,
    *remote_images.RULES,
    *dates.RULES,
    *counts.RULES,
]

REGISTRY = Registry(ALL_RULES)
