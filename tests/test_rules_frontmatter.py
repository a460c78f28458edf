"""FM001, FM003-FM007: fixture posts (YAML, TOML, JSON) with exact positions, schema choice, $ref, $schema and config errors."""

from __future__ import annotations

import datetime as _dt
import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any
from pathlib import Path

import pytest

from conftest import EXAMPLE_POST, write
from postlint import document, schema

FIXTURES = Path(__file__).parent / "fixtures" / "frontmatter"
TODAY = "2026-11-29"


@pytest.fixture(autouse=True)
def _fresh_store() -> Iterator[None]:
    # The store lives for a run; every test is a run of its own.
    schema.STORE.clear()
    yield
    schema.STORE.clear()


def fm_findings(run_cli, *args: str | Path) -> list[tuple]:
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--select", "FM", "--today", TODAY, *map(str, args))
    assert res.exit_code in (0, 1), res.stderr
    return [(f["code"], f["line"], f["column"]) for f in res.findings]


# --------------------------------------------------------------------------- fixture posts

CASES = [
    ("good_yaml.md", []),
    ("good_toml.md", []),
    ("good_json.md", []),
    ("good_trailing_tab.md", []),
    ("no_front_matter.md", []),
    ("2022-06-29-tz-same-day.md", []),
    ("2022-06-29-yaml-timestamp-same-day.md", []),
    ("future_draft.md", []),
    ("bad_types.md", [("FM001", 2, 8), ("FM001", 3, 7), ("FM001", 4, 14), ("FM001", 5, 8), ("FM001", 6, 1)]),
    ("bad_missing_title.md", [("FM001", 1, 1), ("FM001", 3, 7)]),
    ("bad_duplicate.md", [("FM003", 6, 1), ("FM003", 9, 3)]),
    ("bad_toml.md", [("FM001", 2, 9), ("FM001", 4, 14), ("FM001", 5, 9), ("FM001", 7, 1)]),
    ("bad_json.md", [("FM001", 2, 12), ("FM001", 3, 18), ("FM001", 4, 11)]),
    ("bad_go_json.md", [("FM001", 1, 1), ("FM001", 3, 11)]),
    ("bad_json_duplicate.md", [("FM003", 4, 3)]),
    ("2022-06-29-mismatch.md", [("FM004", 3, 7)]),
    ("future.md", [("FM005", 3, 7)]),
    ("bad_alias_bomb.md", [("FM006", 2, 1)]),
]


@pytest.mark.parametrize(("name", "expected"), CASES, ids=[c[0] for c in CASES])
def test_fixture_posts(run_cli, name: str, expected: list[tuple]) -> None:
    assert fm_findings(run_cli, "--no-config", FIXTURES / name) == expected


def test_messages_name_the_key_path_and_the_bad_part(run_cli) -> None:
    res = run_cli("--offline", "--no-config", "--output-format", "json", "--select", "FM001", str(FIXTURES / "bad_types.md"))
    messages = {f["line"]: f["message"] for f in res.findings}
    assert "tags[1]" in messages[4] and "number 3" in messages[4] and "expected a string" in messages[4]
    assert "day 30 does not exist in February 2022" in messages[3]
    res = run_cli("--offline", "--no-config", "--output-format", "json", "--select", "FM001", str(FIXTURES / "bad_missing_title.md"))
    messages = [f["message"] for f in res.findings]
    assert any("did you mean 'tittle'" in m for m in messages)
    assert any("month 13" in m for m in messages)
    assert not any("/" in m and str(FIXTURES) in m for m in messages)


def test_example_post_is_clean_with_default_and_jekyll_schemas(run_cli, tmp_path: Path) -> None:
    assert fm_findings(run_cli, "--no-config", EXAMPLE_POST) == []
    cfg = write(tmp_path / "postlint.toml", '[front-matter]\nschema = "jekyll-post"\n')
    assert fm_findings(run_cli, "--config", cfg, EXAMPLE_POST) == []


def test_pure_python_loader_agrees_with_libyaml_on_a_trailing_tab(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    raw = (FIXTURES / "good_trailing_tab.md").read_text().split("---\n")[1]
    with pytest.raises(yaml.YAMLError):
        yaml.load(raw, Loader=yaml.SafeLoader)  # the case exists: PyYAML's scanner rejects it
    path = FIXTURES / "good_trailing_tab.md"
    with_default = document.load_document(path).front_matter
    from postlint import yamlfm

    monkeypatch.setattr(yamlfm, "_Loader", yamlfm._PyLoader)
    with_python = document.load_document(path).front_matter
    assert with_python.error is None and with_default.error is None
    assert with_python.data == with_default.data == {"title": "Trailing tab", "authors": ["melody"], "tags": ["one"]}
    assert with_python.positions == with_default.positions


# --------------------------------------------------------------------------- choosing the schema


def _site(tmp_path: Path, config: str) -> Path:
    (tmp_path / ".git").mkdir(parents=True)
    write(tmp_path / "postlint.toml", config)
    return tmp_path


def test_glob_mapping_most_specific_wins(run_cli, tmp_path: Path) -> None:
    site = _site(tmp_path, '[front-matter]\nschemas = { "_posts/**" = "jekyll-post", "_posts/special/**" = "schemas/special.json" }\n')
    write(site / "schemas" / "special.json", json.dumps({"type": "object", "required": ["subtitle"]}))
    no_title = "---\nlayout: post\n---\nBody.\n"
    write(site / "_posts" / "a.md", no_title)  # Jekyll needs no title
    write(site / "_posts" / "special" / "b.md", no_title)
    write(site / "pages" / "c.md", no_title)  # default schema: title required
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--select", "FM001", str(site))
    got = sorted((Path(f["path"]).name, f["line"], "subtitle" in f["message"]) for f in res.findings)
    assert got == [("b.md", 1, True), ("c.md", 1, False)]


def test_ref_across_files_three_levels_deep(run_cli, tmp_path: Path) -> None:
    site = _site(tmp_path, '[front-matter]\nschema = "schemas/top.json"\n')
    write(site / "schemas" / "top.json", json.dumps({"allOf": [{"$ref": "level1/one.json"}]}))
    write(site / "schemas" / "level1" / "one.json", json.dumps({"properties": {"author": {"$ref": "level2/two.json"}}}))
    write(site / "schemas" / "level1" / "level2" / "two.json", json.dumps({"$ref": "level3/three.json#/$defs/person"}))
    write(site / "schemas" / "level1" / "level2" / "level3" / "three.json", json.dumps(
        {"$defs": {"person": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}))
    post = write(site / "post.md", "---\ntitle: T\nauthor:\n  email: a@example.org\n  name: 5\n---\n")
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--select", "FM001", str(post))
    assert [(f["line"], f["column"]) for f in res.findings] == [(5, 9)]
    assert "author.name is the number 5" in res.findings[0]["message"]


def test_user_schema_refs_a_shipped_schema_by_name(run_cli, tmp_path: Path) -> None:
    site = _site(tmp_path, '[front-matter]\nschema = "schemas/mine.json"\n')
    write(site / "schemas" / "mine.json", json.dumps({"allOf": [{"$ref": "post.schema.json"}], "required": ["summary"]}))
    post = write(site / "post.md", "---\ndate: 2022-02-30\n---\n")
    assert [c[:2] for c in fm_findings(run_cli, post)] == [("FM001", 1), ("FM001", 1), ("FM001", 2)]


def test_config_schema_that_cannot_be_loaded_is_exit_2(run_cli, tmp_path: Path) -> None:
    site = _site(tmp_path, '[front-matter]\nschema = "schemas/missing.json"\n')
    post = write(site / "post.md", "---\ntitle: T\n---\n")
    res = run_cli("--offline", "--jobs", "1", str(post))
    assert res.exit_code == 2
    assert "missing.json" in res.stderr and "front-matter.schema" in res.stderr
    write(site / "postlint.toml", '[front-matter]\nschemas = { "**" = "schemas/bad.json" }\n')
    write(site / "schemas" / "bad.json", json.dumps({"type": "no-such-type"}))
    schema.STORE.clear()  # a new run
    res = run_cli("--offline", "--jobs", "1", str(post))
    assert res.exit_code == 2 and "bad.json" in res.stderr and "not a valid JSON Schema" in res.stderr
    write(site / "schemas" / "bad.json", json.dumps({"$ref": "nowhere.json"}))
    schema.STORE.clear()
    res = run_cli("--offline", "--jobs", "1", str(post))
    assert res.exit_code == 2 and "nowhere.json" in res.stderr


def test_schema_key_local_outside_and_unloadable(run_cli, tmp_path: Path) -> None:
    site = _site(tmp_path / "site", "")
    write(tmp_path / "outside.json", json.dumps({"type": "object"}))
    write(site / "schemas" / "strict.json", json.dumps({"type": "object", "additionalProperties": False, "properties": {"title": {"type": "string"}}}))
    ok = write(site / "posts" / "ok.md", "---\n$schema: ../schemas/strict.json\ntitle: T\ntitel: typo\n---\n")
    outside = write(site / "posts" / "outside.md", "---\n$schema: ../../outside.json\ntitle: T\n---\n")
    missing = write(site / "posts" / "missing.md", "---\ntitle: T\n$schema: nope.json\n---\n")
    write(site / "posts" / "broken.json", "{not json")
    broken = write(site / "posts" / "broken.md", "---\ntitle: T\n$schema: broken.json\n---\n")
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--select", "FM001", str(ok), str(outside), str(missing), str(broken))
    assert res.exit_code == 1, res.stderr
    got = {Path(f["path"]).name: (f["line"], f["column"], f["message"]) for f in res.findings}
    assert got["ok.md"][:2] == (4, 1) and "did you mean 'title'" in got["ok.md"][2]
    assert got["outside.md"][:2] == (2, 10) and "outside the repository" in got["outside.md"][2]
    assert got["missing.md"][:2] == (3, 10) and "does not exist" in got["missing.md"][2]
    assert got["broken.md"][:2] == (3, 10) and "not valid JSON" in got["broken.md"][2]
    for _, _, message in got.values():
        assert str(tmp_path) not in message  # never an absolute path


class _SchemaHandler(http.server.BaseHTTPRequestHandler):
    schemas: dict[str, bytes] = {}
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.hits.append(self.path)
        body = self.schemas.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/schema+json")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def schema_server() -> Iterator[str]:
    _SchemaHandler.hits = []
    _SchemaHandler.schemas = {
        "/post.json": json.dumps({"type": "object", "required": ["summary"], "properties": {"summary": {"type": "string"}}}).encode(),
        "/notjson.json": b"<html>nope</html>",
        "/sneaky.json": json.dumps({"$ref": "file:///etc/passwd"}).encode(),
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SchemaHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_schema_key_url_through_the_network_layer_and_cache(run_cli, tmp_path: Path, schema_server: str) -> None:
    site = _site(tmp_path, "[network]\nallow-private-hosts = true\n")
    post = write(site / "post.md", f"---\n$schema: {schema_server}/post.json\ntitle: T\n---\n")
    bad = write(site / "bad.md", f"---\ntitle: T\n$schema: {schema_server}/notjson.json\n---\n")
    gone = write(site / "gone.md", f"---\ntitle: T\n$schema: {schema_server}/missing.json\n---\n")
    sneaky = write(site / "sneaky.md", f"---\ntitle: T\n$schema: {schema_server}/sneaky.json\n---\n")
    res = run_cli("--output-format", "json", "--jobs", "1", "--select", "FM001", str(post), str(bad), str(gone), str(sneaky))
    got = {Path(f["path"]).name: (f["line"], f["message"]) for f in res.findings}
    assert got["sneaky.md"][0] == 3 and "local file" in got["sneaky.md"][1]
    assert got["post.md"][0] == 1 and "summary" in got["post.md"][1]
    assert got["bad.md"][0] == 3 and "not valid JSON" in got["bad.md"][1]
    assert got["gone.md"][0] == 3 and "404" in got["gone.md"][1]
    assert _SchemaHandler.hits.count("/post.json") == 1
    # Offline, the cached schema still applies; nothing is fetched.
    schema.STORE.clear()
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--select", "FM001", str(post))
    assert [(f["line"]) for f in res.findings] == [1]
    assert _SchemaHandler.hits.count("/post.json") == 1


def test_schema_key_url_refused_without_allow_private_hosts(run_cli, tmp_path: Path, schema_server: str) -> None:
    site = _site(tmp_path, "")
    post = write(site / "post.md", f"---\n$schema: {schema_server}/post.json\ntitle: T\n---\n")
    res = run_cli("--output-format", "json", "--jobs", "1", "--select", "FM001", str(post))
    assert [(f["line"], f["column"]) for f in res.findings] == [(2, 10)]
    assert "private" in res.findings[0]["message"]
    assert _SchemaHandler.hits == []


def test_schema_key_url_offline_and_uncached_is_not_a_finding(run_cli, tmp_path: Path) -> None:
    site = _site(tmp_path, "")
    post = write(site / "post.md", "---\n$schema: https://schemas.example.org/post.json\ntitle: T\n---\n")
    assert fm_findings(run_cli, post) == []


# --------------------------------------------------------------------------- options


def test_require_front_matter(run_cli, tmp_path: Path) -> None:
    site = _site(tmp_path, '[front-matter]\nrequire-front-matter = ["_posts/**"]\n')
    write(site / "_posts" / "2024-01-01-a.md", "# No front-matter\n")
    write(site / "README.md", "# Not a post\n")
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--select", "FM007", str(site))
    assert [(Path(f["path"]).name, f["line"]) for f in res.findings] == [("2024-01-01-a.md", 1)]


def test_max_size_and_today_and_tolerance_options(run_cli, tmp_path: Path) -> None:
    site = _site(tmp_path, '[front-matter]\nmax-size = 100\ntoday = "2020-01-01"\nfile-name-date-tolerance = 3\n')
    big = write(site / "big.md", "---\ntitle: T\ndescription: " + "x" * 200 + "\n---\n")
    post = write(site / "2022-06-29-post.md", "---\ntitle: T\ndate: 2022-07-02\n---\n")
    assert fm_findings(run_cli, big) == [("FM006", 1, 1)]
    assert fm_findings(run_cli, post) == [("FM005", 3, 7)]  # 3 days is within the tolerance


# --------------------------------------------------------------------------- schema.py


def test_loader_types_become_json_values() -> None:
    import datetime as dt

    data = {
        "d": dt.date(2022, 6, 29),
        "naive": dt.datetime(2022, 6, 29, 12, 0),
        "aware": dt.datetime(2022, 6, 29, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        "t": dt.time(12, 30),
        2019: {True: None, dt.date(2020, 1, 1): b"\x00"},
        "s": {3, 1},
    }
    assert schema.to_json(data) == {
        "d": "2022-06-29",
        "naive": "2022-06-29T12:00:00Z",
        "aware": "2022-06-29T12:00:00+08:00",
        "t": "12:30:00",
        "2019": {"true": None, "2020-01-01": "AA=="},
        "s": [1, 3],
    }


@pytest.mark.parametrize("value", ["2022-06-29", "2022-06-29 12:00:00 +0800", "2022-06-29T12:00:00Z", "2022-06-29T12:00:00.5+02:00", "2016-02-06 19:32:10"])
def test_post_date_accepts(value: str) -> None:
    assert schema.parse_post_date(value).year in (2016, 2022)


@pytest.mark.parametrize(("value", "part"), [("2022-02-30", "day 30"), ("2022-13-01", "month 13"), ("2022-06-29 24:00:00", "hour 24"), ("2022-06-29T12:61:00Z", "minute 61"), ("June 29, 2022", "expected a date"), ("2024-4-09", "month 4 must have two digits")])
def test_post_date_rejects_naming_the_bad_part(value: str, part: str) -> None:
    with pytest.raises(ValueError, match=part):
        schema.parse_post_date(value)


def test_jekyll_date_is_as_lenient_as_jekyll_but_not_about_the_date() -> None:
    assert str(schema.parse_jekyll_date("2023-01-29 18:30:22 2023 -0800")) == "2023-01-29"
    with pytest.raises(ValueError):
        schema.parse_post_date("2023-01-29 18:30:22 2023 -0800")
    with pytest.raises(ValueError, match="day 30"):
        schema.parse_jekyll_date("2023-02-30 18:30:22 2023 -0800")


def test_format_checker_checks_uri_email_dates_and_post_date(tmp_path: Path) -> None:
    path = write(tmp_path / "s.json", json.dumps({"properties": {
        "u": {"format": "uri"}, "e": {"format": "email"}, "d": {"format": "date"}, "dt": {"format": "date-time"}, "p": {"format": "post-date"}}}))
    validator = schema.STORE.load(schema.schema_uri(str(path), tmp_path)).validator
    good = {"u": "https://example.org/x", "e": "a@example.org", "d": "2022-06-29", "dt": "2022-06-29T12:00:00Z", "p": "2022-06-29 12:00:00 +0800"}
    assert list(validator.iter_errors(good)) == []
    bad = {"u": "not a uri", "e": "nobody", "d": "2022-02-30", "dt": "2022-06-29 12:00", "p": "2022-02-30"}
    assert sorted(e.absolute_path[0] for e in validator.iter_errors(bad)) == ["d", "dt", "e", "p", "u"]


def test_validators_are_compiled_once_per_schema_per_run(run_cli, tmp_path: Path) -> None:
    site = _site(tmp_path, "")
    for i in range(5):
        write(site / f"p{i}.md", f"---\ntitle: Post {i}\n---\n")
    fm_findings(run_cli, site)
    assert schema.STORE.compiled == 1


def test_importing_schema_is_cheap() -> None:
    code = "import sys, postlint.schema; print(any(m.startswith(('jsonschema', 'referencing')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parent.parent, check=True)
    assert out.stdout.strip() == "False"


def test_run_from_the_result_cache_does_not_compile_the_shipped_schema(tmp_path: Path) -> None:
    """The shipped schema is compiled when a post needs validating, not before every run."""
    (tmp_path / "a.md").write_text("---\ntitle: T\ndate: 2024-01-02\n---\nText.\n", encoding="utf-8")
    code = (
        "import sys\nfrom postlint.cli import main\n"
        f"sys.argv = ['postlint', '--offline', '--no-config', '--cache-dir', {str(tmp_path / 'cache')!r}, {str(tmp_path / 'a.md')!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('jsonschema' in sys.modules, file=sys.stderr)\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parent.parent) for _ in range(2)]
    assert [r.stderr.strip().splitlines()[-1] for r in runs] == ["True", "False"]  # validated, then cached


def test_shipped_schemas_are_valid_and_listed() -> None:
    assert {"post", "jekyll-post", "hugo-page"} <= set(schema.shipped_names())
    import jsonschema

    for name in schema.shipped_names():  # each compiles (FM001 does not check them before a run)
        uri = schema.schema_uri(name, Path.cwd())
        schema.STORE.load(uri)
        contents = schema.STORE._contents_of(uri, None, None)
        # ...and is valid against its metaschema, which compiling a shipped schema does not check
        jsonschema.validators.validator_for(contents).check_schema(contents)


def test_offline_run_with_a_url_schema_in_the_config_makes_no_request(tmp_path: Path, run_cli) -> None:
    # Port 9 on loopback: nothing listens; the conftest guard would fail any other address.
    (tmp_path / "postlint.toml").write_text('[front-matter]\nschema = "http://127.0.0.1:9/post.schema.json"\n', encoding="utf-8")
    (tmp_path / "a.md").write_text("---\ntitle: T\n---\nText.\n", encoding="utf-8")
    res = run_cli("--offline", "--output-format", "json", str(tmp_path))
    assert res.exit_code == 0, res.stderr
    assert res.findings == []


# --------------------------------------------------------------------------- $refs inlined for speed

TREE = {
    "$defs": {
        "name": {"type": "string", "minLength": 1},
        "node": {"type": "object", "properties": {"name": {"$ref": "#/$defs/name"}, "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}}},
    },
    "type": "object",
    "properties": {
        "title": {"$ref": "#/$defs/name"},
        "tree": {"$ref": "#/$defs/node"},
        "note": {"$ref": "#/$defs/name", "description": "a $ref with a sibling stays"},
        "kind": {"enum": [{"$ref": "#/$defs/name"}, "plain"]},
    },
}


def test_local_refs_are_inlined_and_the_rest_kept() -> None:
    out = schema.inline_local_refs(TREE)
    props = out["properties"]
    assert props["title"] == {"type": "string", "minLength": 1}
    assert props["note"] == TREE["properties"]["note"]  # not only a $ref: kept
    assert props["kind"] == TREE["properties"]["kind"]  # data, not a schema
    # node is inlined once; inside it, the recursive $ref to node stays a $ref
    assert props["tree"]["properties"]["kids"]["items"] == {"$ref": "#/$defs/node"}
    assert props["tree"]["properties"]["name"] == {"type": "string", "minLength": 1}
    assert out["$defs"]["node"]["properties"]["name"] == {"type": "string", "minLength": 1}
    assert TREE["properties"]["title"] == {"$ref": "#/$defs/name"}  # the original is untouched


@pytest.mark.parametrize("extra", [
    {"$anchor": "here"},
    {"$dynamicAnchor": "meta"},
    {"unevaluatedProperties": False},
    {"properties": {"x": {"$id": "https://example.org/x", "type": "string"}}},
])
def test_schemas_with_scoped_keywords_are_left_as_written(extra: dict) -> None:
    assert schema.inline_local_refs({**TREE, **extra}) is None


def test_inlined_and_written_schemas_give_the_same_violations() -> None:
    from postlint._jsonschema import jsonschema

    validator_cls = jsonschema().Draft202012Validator
    written = validator_cls(TREE)
    inlined = validator_cls(schema.inline_local_refs(TREE))
    instances = [
        {"title": "", "tree": {"name": 3, "kids": [{"name": ""}, {"kids": [{"name": 5}]}]}, "note": "", "kind": "x"},
        {"title": "ok", "tree": {"name": "root", "kids": []}, "note": "fine", "kind": "plain"},
        {"title": 7},
    ]
    for inst in instances:
        def shown(v: Any) -> list:
            return sorted((list(e.absolute_path), e.validator, e.message) for e in v.iter_errors(inst))

        assert shown(written) == shown(inlined)


# --------------------------------------------------------------------------- posts that match: no jsonschema


PLAIN = {
    "type": "object",
    "required": ["title"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "description": "not evaluated"},
        "short": {"type": ["string", "null"], "maxLength": 3},
        "when": {"type": ["string", "null"], "format": "post-date"},
        "tags": {"type": ["string", "array"], "items": {"type": "string", "minLength": 2}},
        "meta": {"type": "object", "required": ["x"], "properties": {"x": {"type": "boolean"}}},
        "any": True,
    },
}


def _loaded(contents: dict, tmp_path: Path) -> schema.Loaded:
    path = write(tmp_path / "s.json", json.dumps(contents))
    return schema.STORE.load(schema.schema_uri(str(path), tmp_path))


@pytest.mark.parametrize("data", [
    {"title": "T"},
    {"title": ""},
    {"tittle": "T"},
    {"title": 3},
    {"title": None},
    {"title": _dt.date(2024, 5, 1)},  # its JSON form is a string
    {"title": "T", "short": "abcd"},
    {"title": "T", "short": "abc", "when": "2024-02-30"},
    {"title": "T", "when": _dt.datetime(2024, 2, 29, 12, 0)},
    {"title": "T", "when": "2024-2-09"},
    {"title": "T", "tags": ["ab", "c"]},
    {"title": "T", "tags": ["ab", 7]},
    {"title": "T", "tags": ["ab", _dt.date(2024, 1, 1)]},
    {"title": "T", "tags": {"a", "b"}},  # a set is a list to the schema; items of one letter
    {"title": "T", "tags": True},
    {"title": "T", "meta": {"x": 1}},
    {"title": "T", "meta": {"y": True}},
    {"title": "T", "meta": {"x": True}, "any": [object()]},
    {"title": "T", 1: "a non-string key", "other": {"deep": [1, {2: 3}]}},
    {True: "T"},  # its key is "true"
])
def test_plain_acceptor_agrees_with_the_validator(data: dict, tmp_path: Path) -> None:
    for loaded in (_loaded(PLAIN, tmp_path), schema.STORE.load(schema.schema_uri("post", tmp_path))):
        assert loaded.accepts is not None
        errors = list(loaded.validator.iter_errors(schema.to_json(data)))
        assert loaded.accepts(data) is (errors == [])


@pytest.mark.parametrize("extra", [
    {"enum": [1]},
    {"additionalProperties": False},
    {"properties": {"n": {"type": "integer"}}},
    {"properties": {"x": {"$ref": "#/$defs/x"}, "y": {"$ref": "#/$defs/x"}}, "$defs": {"x": {"$ref": "#/$defs/x"}}},
    {"properties": {"x": {"$schema": "http://json-schema.org/draft-07/schema#", "type": "string"}}},
    {"properties": {"x": False}},
    {"format": "post-date", "properties": {"x": {"pattern": "^a"}}},
    {"$schema": "http://json-schema.org/draft-07/schema#"},
])
def test_schemas_with_other_keywords_are_left_to_jsonschema(extra: dict, tmp_path: Path) -> None:
    assert _loaded({**PLAIN, **extra}, tmp_path).accepts is None


def test_matching_and_failing_posts_report_as_before(run_cli, tmp_path: Path) -> None:
    write(tmp_path / "ok.md", "---\ntitle: 2024-05-01\ndate: 2024-05-01 10:00:00 +0200\ntags: [a, b]\nreleases:\n  - {date: 2020-01-01}\n---\nBody.\n")
    write(tmp_path / "bad.md", "---\n$schema: post\ntitle: T\ndate: 2024-02-30\n7: seven\ntags:\n  - a\n  - 3\n---\nBody.\n")
    write(tmp_path / "keys.md", "---\ntrue: T\n---\nBody.\n")
    assert fm_findings(run_cli, "--no-config", tmp_path) == [
        ("FM001", 4, 7), ("FM001", 8, 5), ("FM001", 1, 1),
    ]


def test_compiled_acceptor_agrees_with_the_validator_on_mixed_values(tmp_path: Path) -> None:
    """The acceptor reads each schema once per run; over many value mixes it still says what jsonschema says."""
    import itertools

    values = [None, "", "x", "abcd", "2024-02-29", "2024-02-30", True, 3, [], ["ab"], ["ab", 7], {"x": True}, {"x": 1}, {}, _dt.date(2024, 1, 1)]
    keys = ["title", "short", "when", "tags", "meta", "date", "draft", "image", "author"]
    loaded = [_loaded(PLAIN, tmp_path), schema.STORE.load(schema.schema_uri("post", tmp_path))]
    for i, combo in enumerate(itertools.product(values, repeat=2)):
        for k1, k2 in ((keys[i % len(keys)], keys[(i * 7 + 3) % len(keys)]), ("title", keys[i % len(keys)])):
            data = {k1: combo[0], k2: combo[1]}
            for each in loaded:
                errors = list(each.validator.iter_errors(schema.to_json(data)))
                assert each.accepts(data) is (errors == []), data
