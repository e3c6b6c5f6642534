#!/bin/sh
# Fetches rubico (MIT, https://github.com/a-synchronous/rubico), the functional library
# GruCloud projects require, at the version pinned below, from the npm registry, and keeps its
# published CommonJS bundles (dist/rubico.js and dist/x/*.js) gzipped beside this script, with
# its licence. goja, gru's JavaScript engine, has no async generators (rubico's map over one
# uses them): esbuild, pinned too, lowers the bundles to ES2017, changing nothing else of what
# they do. gzip -n writes no name nor time: the output is the same on every run.
# Run by `go generate ./internal/project` (needs npm and the registry).
set -eu
version=1.9.7
esbuild=0.24.0
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "rubico@$version" >/dev/null && tar xzf "rubico-$version.tgz")
pkg="$work/package"
rm -rf "$here/dist"
mkdir -p "$here/dist/x"
cp "$pkg/LICENSE" "$here/LICENSE"
echo "rubico $version from the npm registry (npm pack rubico@$version), lowered to ES2017 by esbuild $esbuild" > "$here/SOURCE"
lower() { npx --yes "esbuild@$esbuild" "$1" --target=es2017 --log-level=warning | gzip -n -9 -c > "$2"; }
lower "$pkg/dist/rubico.js" "$here/dist/rubico.js.gz"
for f in "$pkg"/dist/x/*.js; do
	case "$f" in *.es.js | *.min.js) continue ;; esac
	lower "$f" "$here/dist/x/$(basename "$f").gz"
done
