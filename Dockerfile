# syntax=docker/dockerfile:1
#
# The microfn command in a small image that runs as a non-root user:
#
#	docker build -t microfn .
#	docker run --rm -p 8000:8000 -v "$PWD/examples/seed:/src:ro" microfn
#
# "microfn deploy kubernetes DIR --image IMAGE" writes manifests that run
# this image (default name microfn:latest) with the sources mounted at /src.
#
# The target app is instead the application of one folder, every package
# compiled natively by "microfn build DIR -o app": no interpreter at work,
# no sources mounted, no Go toolchain in the image. The folder is the build
# context named src (examples/seed by default); a Go module's requirements
# are downloaded in the build:
#
#	docker build --target app --build-context src=examples/shop -t shop .
#	docker run --rm -p 8000:8000 shop
#
# Code that imports what the sandbox leaves out is built with the flags
# serve would need (and run with them too):
#
#	docker build --target app --build-context src=DIR --build-arg BUILD_FLAGS="--allow os" -t app .
#
# "microfn deploy kubernetes DIR --app-image IMAGE" writes manifests that
# run such an image (give it the same --allow or --unrestricted).

FROM golang:1.26 AS build
WORKDIR /build
COPY go.mod go.sum ./
# go.mod replaces yaegi with the fork in third_party/yaegi.
COPY third_party third_party
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
	CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /microfn ./cmd/microfn

# The folder of the application (replaced by --build-context src=DIR).
FROM scratch AS src
COPY examples/seed /

FROM build AS app-build
# Flags of microfn build, such as --allow os or --unrestricted.
ARG BUILD_FLAGS=""
COPY --from=src / /src
# microfn build needs microfn's source tree (here, /build) and the go
# command; what it builds needs neither.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
	if [ -f /src/go.mod ]; then (cd /src && go mod download); fi && \
	MICROFN_SOURCE=/build CGO_ENABLED=0 /microfn build $BUILD_FLAGS /src -o /app

FROM gcr.io/distroless/static-debian12:nonroot AS app
COPY --from=app-build /app /app
USER 65532:65532
EXPOSE 8000
ENTRYPOINT ["/app"]
CMD ["serve", "--addr", "0.0.0.0:8000"]

# The default target: the microfn command.
# No Go toolchain below, on purpose. microfn type-checks service code against
# the toolchain's export data of the standard library when a toolchain is
# installed; without one the standard library cannot be imported by go/types,
# and microfn falls back to the interpreter's own checks when it loads a
# package. Services still load and run; only some compile errors read less
# like the compiler's, and the sandbox judges uses of the standard library
# by their names only (the operating system's confinement of the workers
# still holds). Run "microfn check" where Go is installed (in CI) for the
# compiler's messages and the full sandbox checks.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /microfn /microfn
# nonroot, by number: Kubernetes can verify runAsNonRoot only for a numeric user.
USER 65532:65532
EXPOSE 8000
ENTRYPOINT ["/microfn"]
# Inside a container, listen on every interface, not the default loopback.
CMD ["serve", "/src", "--addr", "0.0.0.0:8000"]
