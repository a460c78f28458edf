#!/usr/bin/env bash
# Run the `postlint` pre-commit hook from this repository (pre-commit try-repo) on a clean and a broken post.
#
# The hook must pass on a repository holding only a clean post, fail on one holding a broken post, and
# print its findings without colour although pre-commit runs it in a terminal. Installs pre-commit with
# pip if missing; pre-commit itself installs postlint from this checkout into its own environment.
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

make_repo() {  # make_repo NAME FILE CONTENT: a git repository holding one committed post
    local dir="$WORK/$1"
    mkdir -p "$dir/posts"
    printf '%s' "$3" >"$dir/posts/$2"
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
