"""The C modules' build; everything else about the package is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        # pyromark's events walked into blocks in C (postlint/_blocks.c). Optional: where no compiler
        # builds it, postlint walks the events in Python (document._scan_events), with the same result.
        Extension("postlint._blocks", ["postlint/_blocks.c"], depends=["postlint/_slots.h"], optional=True),
        # The rules' quick tests of block texts (postlint/_textscan.c), each with its Python fallback.
        Extension("postlint._textscan", ["postlint/_textscan.c"], depends=["postlint/_slots.h"], optional=True),
        # Simple YAML front-matter read without libyaml (postlint/_yamlsimple.c), else in Python.
        Extension("postlint._yamlsimple", ["postlint/_yamlsimple.c"], depends=["postlint/_slots.h"], optional=True),
    ],
)
