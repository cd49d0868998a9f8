# retailsync: the README's two commands are `make demo` (the main job) and `make test` (the tests).
SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

KUBERNETES_VERSION ?= 1.37.2
KUBEBUILDER_ASSETS ?= $(CURDIR)/bin/k8s/$(KUBERNETES_VERSION)
export KUBEBUILDER_ASSETS
CONTROLLER_GEN := go tool controller-gen
IMG ?= ghcr.io/retailsync/retailsync:dev
GO_TEST_FLAGS ?= -count=1 -timeout 30m

.PHONY: all
all: build

##@ Build

.PHONY: demo
demo: kube-binaries build ## The main job: a real API server, the operator, workers and simulators syncing config/samples.
	bin/retailsync demo

.PHONY: build
build: ## Build the retailsync binary into bin/.
	go build -trimpath -o bin/retailsync .

.PHONY: docker-build
docker-build: ## Build the container image (needs a Docker engine).
	docker build -t $(IMG) .

##@ Generate

.PHONY: manifests
manifests: ## Write CRDs to config/crd/bases and the manager's RBAC to config/rbac.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd paths=./api/... paths=./controllers/... \
		output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac

.PHONY: generate
generate: ## Write the deepcopy functions.
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths=./api/...

.PHONY: verify-generated
verify-generated: ## Fail when committed generated files differ from what the generators write.
	hack/verify-generated.sh

##@ Test

.PHONY: kube-binaries
kube-binaries: ## Build kube-apiserver, etcd, kubectl and helm from the Go module proxy into bin/k8s (once).
	KUBERNETES_VERSION=$(KUBERNETES_VERSION) hack/kube-binaries.sh >/dev/null

.PHONY: lint
lint: ## gofmt and go vet.
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './bin/*')); \
	if [ -n "$$unformatted" ]; then echo "Not gofmt-formatted:"; echo "$$unformatted"; exit 1; fi
	go vet ./...

.PHONY: test
test: kube-binaries verify-generated lint ## Everything CI runs: generated files current, lint, unit, PostgreSQL and envtest suites.
	eval "$$(hack/postgres.sh)" && go test $(GO_TEST_FLAGS) ./...

.PHONY: bench
bench: kube-binaries ## Benchmarks: engine throughput against a target's bound (both stores), flows against the simulators.
	eval "$$(hack/postgres.sh)" && go test -run '^$$' -bench . -benchmem -benchtime 2000x ./internal/engine/
	go test -run '^$$' -bench . -benchtime 1x -timeout 30m ./test/bench/
	go test -run '^$$' -bench . -benchmem -benchtime 400x ./internal/flows/...
	go test -run '^$$' -bench . -benchmem ./adapters/... ./internal/mapping/

.PHONY: run
run: manifests generate ## Run the manager against the cluster in ~/.kube/config.
	go run . manager --metrics-bind-address=:8080 --metrics-secure=false

.PHONY: install
install: manifests ## Install the CRDs into the cluster in ~/.kube/config.
	kubectl apply --server-side -k config/crd

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"} /^[a-zA-Z_-]+:.*?##/ { printf "  %-18s %s\n", $$1, $$2 } /^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)
