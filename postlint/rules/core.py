"""PL rules: problems with the file itself, found while loading it (and FM002, its front-matter syntax)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from postlint.registry import Context, Report, Rule

if TYPE_CHECKING:  # the parse: a warm run never imports it
    from postlint.document import Document


class _LoadProblem(Rule):
    """Reports what ``load_document`` found for this code."""

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        # An iterator, not a generator: four of these run on every post, and nearly all have nothing.
        return iter(doc.problems.get(self.code, ()))


class UnreadableFile(_LoadProblem):
    """File cannot be read or is not valid UTF-8.

    ## What it does
    Reports a file that cannot be read (permissions, I/O errors) or whose bytes are not valid
    UTF-8, at the line and column of the first byte that does not decode.

    ## Why is this bad?
    Static site generators expect UTF-8. A file saved in Latin-1 or Windows-1252 renders with
    garbled characters, or breaks the build; nothing else in it can be checked.

    ## Example
    ```markdown encoding=latin-1
    Caf\u00e9 opening hours
    ```

    ## Use instead
    ```markdown
    Café opening hours
    ```
    Re-save the file as UTF-8 in your editor.
    """

    code = "PL001"
    name = "unreadable-file"


class FileTooLarge(_LoadProblem):
    """File is larger than the size cap and was skipped.

    ## What it does
    Reports a Markdown file over `max-file-size` (default 10 MB) and skips it.

    ## Why is this bad?
    A post of that size is almost always a mistake (a generated dump, a binary saved as `.md`),
    and reading it would cost every run time and memory.

    ## Example
    A 50 MB `export.md` committed by accident.

    ## Use instead
    Remove the file, exclude it (`exclude = ["export.md"]`), or raise `max-file-size`.

    ## Options
    - `max-file-size` (bytes, default 10485760)
    """

    code = "PL002"
    name = "file-too-large"


class InvalidSuppression(Rule):
    """Suppression comment names an unknown rule, or suppresses nothing.

    ## What it does
    Reports a `<!-- postlint-disable ... -->` comment (or its `-next-line` and `-file` forms)
    that names a code or rule name postlint does not know. With `--report-unused-disables`, also
    reports a suppression that silenced no finding.

    ## Why is this bad?
    A misspelt code silences nothing while looking as if it does; an unused suppression hides
    the next real problem on that line.

    ## Example
    ```markdown
    <!-- postlint-disable-next-line DATE999 -->
    Text.
    ```

    ## Use instead
    ```markdown
    Text.
    ```
    """

    code = "PL003"
    name = "invalid-suppression"

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        # The engine reports these: they depend on every other rule's findings.
        return iter(())


class RuleCrashed(_LoadProblem):
    """A rule raised an exception on this file.

    ## What it does
    Reports that one rule failed on this file; the other rules and files are still checked.
    Run with `--debug` to see the traceback, and please report it.

    ## Why is this bad?
    The rule that crashed did not check this file, so problems may be hidden.

    ## Example
    Any file that makes a rule raise.

    ## Use instead
    Report the bug with the file; meanwhile `--ignore` the rule for that file.
    """

    code = "PL004"
    name = "rule-crashed"


class UnparsableFile(_LoadProblem):
    """The file could not be parsed at all.

    ## What it does
    Reports a file that the Markdown parser could not parse (for example it panicked), or whose
    structure is nested too deeply to load.

    ## Why is this bad?
    No rule can check a file postlint cannot parse; the site generator will likely fail too.

    ## Example
    A file with thousands of nested block quotes or lists.

    ## Use instead
    Simplify the structure of the file.
    """

    code = "PL005"
    name = "unparsable-file"


class FrontMatterSyntax(Rule):
    """Front-matter does not parse.

    ## What it does
    Reports YAML (`---`), TOML (`+++`) or JSON (`{`) front-matter that is not valid syntax, a
    fence that is never closed, or front-matter that is a list or a scalar instead of a mapping,
    at the line and column where the parser stopped.

    ## Why is this bad?
    The generator fails to build the page, or silently renders the front-matter as text.

    ## Example
    ```markdown
    ---
    title: "Unclosed quote
    ---
    ```

    ## Use instead
    ```markdown
    ---
    title: "Closed quote"
    ---
    ```
    """

    code = "FM002"
    name = "front-matter-syntax"
    family = "front-matter"

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        fm = doc.front_matter
        return iter((fm.error,) if fm is not None and fm.error is not None else ())


RULES: list[type[Rule]] = [UnreadableFile, FileTooLarge, InvalidSuppression, RuleCrashed, UnparsableFile, FrontMatterSyntax]

