# Ferrox container image: a static binary on distroless/static (CA
# certificates and tzdata, no shell), run as the unprivileged user 65532.
# `make image` builds it (docker or podman); the same binary serves
# (`ferrox serve`) and loads (`ferrox load`, the workers of
# deploy/k8s/load-job.yaml).
#
#   docker build --build-arg VERSION=$(git describe --always --dirty) -t ferrox:dev .

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
# Modules first, so a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/ferrox ./cmd/ferrox \
	&& mkdir -p /out/www && cp -R www/. /out/www/

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ferrox /usr/local/bin/ferrox
COPY --from=build /out/www /srv/www
WORKDIR /srv
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/ferrox"]
CMD ["serve", "--root", "/srv/www", "--listen", "0.0.0.0:8080"]
