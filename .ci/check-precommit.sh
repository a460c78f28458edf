#!/usr/bin/env bash
# Run the pre-commit hooks from this repository (pre-commit try-repo) on clean and broken posts.
#
# `postlint` must pass on a repository holding only a clean post, fail on one holding a broken post, and
# print its findings without colour although pre-commit runs it in a terminal. `postlint-online` must check
# remote images: pass on a post whose image a local server serves, fail with IMG002 on one whose image it
# answers 404 for (the repositories allow private hosts in their pyproject.toml, as a test setup would).
# Installs pre-commit with pip if missing; pre-commit itself installs postlint from this checkout into its
# own environment.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PYTHON:-$(command -v python3 || command -v python)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/postlint-precommit.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
say() { printf 'check-precommit: %s\n' "$*" >&2; }

if ! "$PY" -m pre_commit --version >/dev/null 2>&1; then
    say "installing pre-commit"
    "$PY" -m pip install --quiet --disable-pip-version-check "pre-commit>=3.5"
fi
"$PY" -m pre_commit --version >&2
# A private cache: the hook environment is built from this checkout, never reused from the user's cache.
export PRE_COMMIT_HOME="$WORK/pre-commit-home"
# The repositories below must not pick up the developer's git configuration or hooks.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE

make_repo() {  # make_repo NAME FILE CONTENT [PYPROJECT]: a git repository holding one committed post
    local dir="$WORK/$1"
    mkdir -p "$dir/posts"
    printf '%s' "$3" >"$dir/posts/$2"
    if [[ $# -gt 3 ]]; then printf '%s' "$4" >"$dir/pyproject.toml"; fi
    git -C "$dir" init -q
    git -C "$dir" add -A
    git -C "$dir" -c user.name=ci -c user.email=ci@example.invalid -c commit.gpgsign=false commit -q -m "post"
}

make_repo clean 2021-04-18-river-walk.md '---
title: A walk by the river
date: 2021-04-18
tags: [walks]
---

We walked along the river this morning. The water was high after the rain.
'
make_repo broken 2021-04-19-broken.md '---
title: "A quote that never closes
date: 2021-04-19
---

The front-matter above does not parse.
'

# A local image server for postlint-online: serves $WORK/www, answers 404 for anything else.
mkdir -p "$WORK/www"
"$PY" -c 'import base64, sys; open(sys.argv[1], "wb").write(base64.b64decode(
"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="))' "$WORK/www/map.png"
"$PY" - "$WORK/www" "$WORK/port" <<'EOF' &
import functools, http.server, os, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
handler.func.log_message = lambda *args: None
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_port))
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
EOF
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [[ -s "$WORK/port" ]] && break; sleep 0.1; done
[[ -s "$WORK/port" ]] || { say "the local image server did not start"; exit 1; }
IMAGES="http://127.0.0.1:$(cat "$WORK/port")"
ALLOW_PRIVATE='[tool.postlint.network]
allow-private-hosts = true
'
make_repo online-clean 2021-04-20-map.md "---
title: The map we drew
date: 2021-04-20
---

![The map of the walk]($IMAGES/map.png)
" "$ALLOW_PRIVATE"
make_repo online-broken 2021-04-21-lost-map.md "---
title: The map we lost
date: 2021-04-21
---

![The map of the walk]($IMAGES/lost-map.png)
" "$ALLOW_PRIVATE"

try_repo() {  # try_repo REPO HOOK: run the hook of this checkout on every file of REPO
    # --color always makes pre-commit run the hook in a pseudo-terminal: postlint must still not colour.
    (cd "$WORK/$1" && "$PY" -m pre_commit try-repo "$ROOT" "$2" --all-files --verbose --color always) >"$WORK/$1.$2.log" 2>&1
}

failures=0
say "clean post, hook postlint (the first run builds the hook environment)"
if try_repo clean postlint; then
    say "passed, as it should"
else
    say "FAILED on the clean post:"; cat "$WORK/clean.postlint.log" >&2; failures=$((failures + 1))
fi

say "clean post, hook postlint-online"
if try_repo clean postlint-online; then
    say "passed, as it should"
else
    say "FAILED on the clean post:"; cat "$WORK/clean.postlint-online.log" >&2; failures=$((failures + 1))
fi

say "post with a served remote image, hook postlint-online"
if try_repo online-clean postlint-online; then
    say "passed, as it should"
else
    say "FAILED on the served image:"; cat "$WORK/online-clean.postlint-online.log" >&2; failures=$((failures + 1))
fi

say "post with a remote image answering 404, hook postlint-online"
if try_repo online-broken postlint-online; then
    say "PASSED on the missing image, but it must fail:"; cat "$WORK/online-broken.postlint-online.log" >&2
    failures=$((failures + 1))
else
    log="$WORK/online-broken.postlint-online.log"
    if ! grep -Eq 'posts/2021-04-21-lost-map\.md:6:[0-9]+: IMG002 ' "$log"; then
        say "failed, but without the IMG002 finding:"; cat "$log" >&2; failures=$((failures + 1))
    else
        say "failed with IMG002, as it should"
    fi
fi

say "broken post, hook postlint"
if try_repo broken postlint; then
    say "PASSED on the broken post, but it must fail:"; cat "$WORK/broken.postlint.log" >&2; failures=$((failures + 1))
else
    log="$WORK/broken.postlint.log"
    if ! grep -Eq 'posts/2021-04-19-broken\.md:2:[0-9]+: FM002 ' "$log"; then
        say "failed, but without the plain FM002 finding (a crash, or colour codes under PRE_COMMIT=1?):"
        cat "$log" >&2; failures=$((failures + 1))
    else
        say "failed with FM002, as it should"
    fi
fi

if [[ $failures -ne 0 ]]; then
    say "FAILED: $failures check(s)"
    exit 1
fi
say "OK"
