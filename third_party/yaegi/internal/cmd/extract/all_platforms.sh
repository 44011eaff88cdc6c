#!/bin/sh
# all_platforms.sh generates the symbol tables of package syscall
# (stdlib/syscall, stdlib/unrestricted) for every platform the running Go
# toolchain supports (go tool dist list), and those of package unsafe.
# Run it from anywhere; it replaces the tables of the running Go version.
set -e
cd "$(dirname "$0")/../../.."
(cd internal/cmd/extract && go build -o extract .)
for platform in $(go tool dist list); do
	GOOS=${platform%/*} GOARCH=${platform#*/} go generate ./stdlib/syscall ./stdlib/unrestricted
done
go generate ./stdlib/unsafe
