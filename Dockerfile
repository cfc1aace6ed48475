# syntax=docker/dockerfile:1
# TokenIM Auth container image.
#
#   docker build -t tokenim-auth .
#   docker compose up        # with Postgres; see compose.yaml
#
# The image runs `serve` with config/container.yaml, which declares no
# clients or users; TOKENIM_* environment variables supply the rest
# (TOKENIM_ISSUER, TOKENIM_DATABASE_URL and TOKENIM_SECRETS_SYSTEM at least).
# Mount your own file over /etc/tokenim-auth/config.yaml to declare clients
# and users in a file.

# Build stage: a static binary, no cgo, no paths of this machine in it.
FROM golang:1.26-bookworm AS build
WORKDIR /src
# Dependencies first, so that a source change reuses the downloaded modules.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/tokenim-auth ./cmd/tokenim-auth

# Final stage: distroless (CA certificates, tzdata, no shell), as nonroot.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/tokenim-auth /tokenim-auth
COPY config/container.yaml /etc/tokenim-auth/config.yaml
USER nonroot:nonroot
EXPOSE 8080
# The image has no shell or curl: the binary probes /health/ready itself,
# on the port the configuration listens on. Kubernetes ignores this and
# probes GET /health/alive and GET /health/ready over HTTP.
HEALTHCHECK --interval=10s --timeout=10s --start-period=20s --retries=5 \
    CMD ["/tokenim-auth", "healthcheck", "--config", "/etc/tokenim-auth/config.yaml"]
ENTRYPOINT ["/tokenim-auth"]
CMD ["serve", "--config", "/etc/tokenim-auth/config.yaml", "--listen", "0.0.0.0:8080"]
