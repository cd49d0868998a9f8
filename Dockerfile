# syntax=docker/dockerfile:1
# One static binary for every role (manager, worker, demo, sim) on a distroless, non-root base.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG TARGETOS=linux TARGETARCH=amd64
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags='-s -w' -o /out/retailsync .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/retailsync /retailsync
USER 65532:65532
ENTRYPOINT ["/retailsync"]
CMD ["manager"]
