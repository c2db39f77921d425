#!/usr/bin/env bash
# Builds (or reuses) the real components of the Pyroscope tests:
#   - the Grafana Pyroscope server (test/pyroscope/server, version pinned in its go.mod)
#   - the Go agent services (test/pyroscope/agents/go, test/pyroscope/agents/pprof)
# Binaries go to $PYROSCOPE_CACHE (default <repo>/.cache/pyroscope, git-ignored), named by
# version + a hash of the sources, so a second run reuses them (prints "reused").
# Modules come from the Go module proxy as configured on this machine (GOFLAGS=-mod=mod).
# Usage: test/pyroscope/build.sh [server|agents|all]   (default all)
# Prints one line per binary: "<name> <path> <built|reused> <seconds>s".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${PYROSCOPE_CACHE:-$root/.cache/pyroscope}"
mkdir -p "$cache"
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
export CGO_ENABLED=0
what="${1:-all}"

command -v go >/dev/null || { echo "build.sh: the Go toolchain (go) is not on PATH" >&2; exit 2; }

src_hash() { # hash of the Go version and a module folder's go.mod, go.sum and Go sources [+ extra text]
  { go version; echo "${2:-}"; (cd "$1" && find . -name '*.go' -o -name go.mod -o -name go.sum | LC_ALL=C sort | xargs cat); } \
    | sha256sum | cut -c1-12
}

build_one() { # name module-dir package version extra-ldflags hash-extra [go build flags...]
  local name="$1" dir="$2" pkg="$3" version="$4" ldflags="$5" hash_extra="$6"
  shift 6
  local out="$cache/$name-$version-$(src_hash "$dir" "$hash_extra")"
  local t0=$SECONDS
  if [[ -x "$out" ]]; then
    echo "$name $out reused 0s"
    return
  fi
  local log="$out.build-$$.log"
  echo "build.sh: building $name $version in $dir (log: $log) ..." >&2
  if ! (cd "$dir" && go build "$@" -tags netgo -ldflags "-s -w $ldflags" -o "$out.tmp.$$" "$pkg") >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "build.sh: building $name failed (full log: $log)" >&2
    rm -f "$out.tmp.$$"
    exit 1
  fi
  mv "$out.tmp.$$" "$out"
  rm -f "$log"
  echo "$name $out built $((SECONDS - t0))s"
}

if [[ "$what" == server || "$what" == all ]]; then
  v="$(awk '$1=="github.com/grafana/pyroscope"{print $2; exit}' "$here/server/go.mod")"
  build_one pyroscope-server "$here/server" . "$v" \
    "-X github.com/grafana/pyroscope/pkg/util/build.Version=$v -X github.com/grafana/pyroscope/pkg/util/build.Branch=profile-lens-test" \
    "" -trimpath
fi
if [[ "$what" == agents || "$what" == all ]]; then
  # No -trimpath: the agents' profiles carry absolute paths of this checkout's .go files
  # (so the checkout's path is part of their cache key).
  for a in push-agent pprof-service; do
    build_one "go-$a" "$here/agents/go" "./cmd/$a" "dev" "" "$here"
  done
fi
