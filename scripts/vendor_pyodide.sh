#!/usr/bin/env bash
# Fetches the Pyodide runtime the browser training runs on (ui/components/browser_training/frontend/pyodide)
# from the npm registry, checks it against the registry's own checksum, and keeps the five files it needs.
# The files are committed: the app serves them itself, so a class needs no outside CDN. Run this only to
# change the version; tests/structure/test_browser_runtime.py checks the files against SHA256SUMS.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=314.0.7
DEST=ui/components/browser_training/frontend/pyodide
FILES=(pyodide.mjs pyodide.asm.mjs pyodide.asm.wasm python_stdlib.zip pyodide-lock.json)
# served as they are: the WebAssembly gzipped here once (the browser unzips it, see worker.mjs), so the server
# never compresses 9.6 MB again for each student; the rest is small, or a zip already
SERVED=(pyodide.mjs pyodide.asm.mjs pyodide.asm.wasm.gz python_stdlib.zip pyodide-lock.json)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# npm pack verifies the tarball against the registry's integrity hash as it downloads it
(cd "$work" && npm pack --silent "pyodide@$VERSION" >/dev/null && tar -xzf "pyodide-$VERSION.tgz")
mkdir -p "$DEST"
rm -f "$DEST"/*
for f in "${FILES[@]}"; do cp "$work/package/$f" "$DEST/$f"; done
(cd "$work/package" && sha256sum "${FILES[@]}") > "$DEST/SHA256SUMS.npm"  # the files as published
gzip -9 -n "$DEST/pyodide.asm.wasm"
(cd "$DEST" && sha256sum "${SERVED[@]}" > SHA256SUMS && echo "$VERSION" > VERSION)
echo "Pyodide $VERSION in $DEST:"
du -ch "$DEST"/* | tail -n 1
