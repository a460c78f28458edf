"""The Rule base class, what rules yield, and selection of rules by code, prefix or name."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from postlint.finding import Severity

if TYPE_CHECKING:
    from postlint.document import Document

CODE_RE = re.compile(r"^(PL|FM|IMG|DATE|COUNT)\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


@dataclass(frozen=True)
class Report:
    """What a rule yields: a file position (1-based line and column) and a message."""

    line: int
    column: int
    message: str
    end_line: int | None = None
    end_column: int | None = None

    @classmethod
    def at(cls, doc: Document, offset: int, message: str, end_offset: int | None = None) -> Report:
        """A report at a character offset into ``doc.text`` (optionally spanning to ``end_offset``)."""
        line, column = doc.position(offset)
        if end_offset is None:
            return cls(line, column, message)
        end_line, end_column = doc.position(end_offset)
        return cls(line, column, message, end_line, end_column)


@dataclass(slots=True)
class Context:
    """What a rule may know besides the document: its options and the run's settings."""

    options: Any = None
    config_dir: Path = field(default_factory=Path.cwd)
    today: _dt.date = field(default_factory=_dt.date.today)
    offline: bool = False
    settings: Any = None
    # Counters for --statistics (e.g. images skipped because they are templates).
    stats: Counter = field(default_factory=Counter)
    # (key, line, column) a rule left for its DeferredCheck; the engine collects them.
    deferred: list[tuple[str, int, int]] = field(default_factory=list)

    # Files and folders other than the post whose state the findings depend on (result cache).
    dependencies: set[str] = field(default_factory=set)
    # What a rule with ``decide`` keeps for deciding at report time (JSON-able).
    memo: Any = None
    cacheable: bool = True

    def defer(self, key: str, line: int, column: int) -> None:
        """Leave ``key`` (a URL) at this position to the rule's DeferredCheck, run once per run."""
        self.deferred.append((key, line, column))

    def depend(self, path: str | Path) -> None:
        """The findings depend on this file or folder: a cached result is reused only while it is unchanged."""
        self.dependencies.add(str(path))

    def uncacheable(self) -> None:
        """The findings depend on something the result cache cannot watch (the network)."""
        self.cacheable = False


@dataclass(frozen=True)
class NoOptions:
    pass


class DeferredCheck:
    """Work network rules leave for the main process, checked once per key per run.

    A rule with ``deferred_check`` set only calls ``ctx.defer(key, line, column)`` in ``check``
    (the engine calls ``check`` once per file for all rules sharing the check). In the main
    process, the engine opens one session with ``start`` and adds each file's keys as the file
    is linted; each unique key is checked once, however many files and worker processes found it.
    ``judge`` turns an answer into ``(code, message)`` (or None) for each place.

    A check implements ``run`` (all keys at once, after every file) or overrides ``start`` to
    begin checking while files are still being linted.
    """

    name: ClassVar[str] = ""  # label in statistics: "remote images"

    def start(self, phase: Any) -> DeferredSession:
        """A session taking keys as files are linted; ``phase`` is the engine's DeferredPhase."""
        return _BatchSession(self, phase)

    def run(self, keys: list[str], phase: Any) -> dict[str, Any]:
        """Answers by key (keys left out get no finding), all keys known."""
        raise NotImplementedError

    def judge(self, answer: Any, options: Any) -> tuple[str, str] | None:
        raise NotImplementedError


class DeferredSession:
    """One run's checking of keys: ``add`` as files are linted, then ``finish`` once for the answers."""

    def add(self, keys: Iterable[str]) -> None:
        raise NotImplementedError

    def finish(self) -> dict[str, Any]:
        """Every answer, once all keys are added; raises what the check raised."""
        raise NotImplementedError

    def abandon(self) -> None:
        """Stop without answers (the run failed or was interrupted); never raises."""


class _BatchSession(DeferredSession):
    """Collects the keys and calls ``check.run`` with all of them at the end."""

    def __init__(self, check: DeferredCheck, phase: Any) -> None:
        self.check, self.phase = check, phase
        self.keys: dict[str, None] = {}

    def add(self, keys: Iterable[str]) -> None:
        self.keys.update(dict.fromkeys(keys))

    def finish(self) -> dict[str, Any]:
        return self.check.run(list(self.keys), self.phase)


class Rule:
    """Base class. Subclasses set the class attributes and implement ``check``.

    The class docstring is the rule's documentation: first line the summary, then the sections
    ``## What it does``, ``## Why is this bad?``, ``## Example``, ``## Use instead`` and
    optionally ``## Options``.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    needs_network: ClassVar[bool] = False
    default_enabled: ClassVar[bool] = True
    # Config table (``[tool.postlint.<table>]``) whose keys fill ``Options``; rules of one family share it.
    options_table: ClassVar[str | None] = None
    Options: ClassVar[type] = NoOptions
    # Tags for SARIF and docs: the family.
    family: ClassVar[str] = "postlint"
    # Set by network rules whose work is checked once per run, in the main process (see DeferredCheck).
    deferred_check: ClassVar[DeferredCheck | None] = None
    # A rule whose verdict depends on the day (FM005) keeps a memo in ``check`` (``ctx.memo``) and
    # reports from it in ``decide(memo, ctx)``: cached results keep the memo, not the finding. A memo
    # left None means nothing to decide: decide is not called.
    decide: ClassVar[Any] = None

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        raise NotImplementedError

    @classmethod
    def summary(cls) -> str:
        return (cls.__doc__ or "").strip().splitlines()[0].strip()

    @classmethod
    def documentation(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def section(cls, title: str) -> str:
        """The text of one ``## title`` section of the documentation (empty if absent)."""
        doc = cls.documentation()
        m = re.search(rf"^## {re.escape(title)}\s*\n(.*?)(?=^## |\Z)", doc, re.M | re.S)
        return m.group(1).strip() if m else ""


def options_from_table(options_cls: type, table: dict[str, Any] | None) -> Any:
    """Build an options dataclass from a config table with kebab-case keys (validated beforehand)."""
    if not dataclasses.is_dataclass(options_cls):
        return options_cls()
    names = {f.name for f in dataclasses.fields(options_cls)}
    kwargs = {}
    for key, value in (table or {}).items():
        attr = key.replace("-", "_")
        if attr in names:
            kwargs[attr] = tuple(value) if isinstance(value, list) else value
    return options_cls(**kwargs)


class Registry:
    """All known rules, by code and name."""

    def __init__(self, rules: Iterable[type[Rule]]):
        self.rules: list[type[Rule]] = sorted(rules, key=lambda r: _code_key(r.code))
        self.by_code = {r.code: r for r in self.rules}
        self.by_name = {r.name: r for r in self.rules}

    def get(self, code_or_name: str) -> type[Rule] | None:
        return self.by_code.get(code_or_name.upper()) or self.by_name.get(code_or_name.lower())

    def match(self, selector: str) -> list[type[Rule]]:
        """Rules matched by a code, a code prefix (``DATE``, ``FM00``), a name, or ``ALL``."""
        s = selector.strip()
        if not s:
            return []
        if s.upper() == "ALL":
            return list(self.rules)
        rule = self.by_name.get(s.lower())
        if rule:
            return [rule]
        return [r for r in self.rules if r.code.startswith(s.upper())]

    def select(
        self,
        select: Iterable[str] | None,
        ignore: Iterable[str] = (),
        extend_select: Iterable[str] = (),
    ) -> list[type[Rule]]:
        """Rules chosen by ruff's semantics: ``select`` replaces the default set, ``extend-select`` adds."""
        if select is None:
            chosen = {r.code for r in self.rules if r.default_enabled}
        else:
            chosen = {r.code for s in select for r in self.match(s)}
        chosen |= {r.code for s in extend_select for r in self.match(s)}
        chosen -= {r.code for s in ignore for r in self.match(s)}
        return [r for r in self.rules if r.code in chosen]

    def unknown(self, selectors: Iterable[str]) -> list[str]:
        return [s for s in selectors if s.strip() and not self.match(s)]


def _code_key(code: str) -> tuple[int, str]:
    order = ("PL", "FM", "IMG", "DATE", "COUNT")
    prefix = code.rstrip("0123456789")
    return (order.index(prefix) if prefix in order else 99, code)
