#!/usr/bin/env bash
# Builds the real Kubernetes binaries the tests and the demo run against, from the Go module proxy
# (setup-envtest downloads from places these machines cannot reach). Each binary lands in
# bin/k8s/<kubernetes version>/ and a binary that is already there is not built again, so only the
# first run on a machine pays for the build (kube-apiserver is about five minutes on two cores).
set -euo pipefail

KUBERNETES_VERSION="${KUBERNETES_VERSION:-1.37.2}"   # k8s.io/kubernetes v1.37.2 = staging modules v0.37.2
ETCD_VERSION="${ETCD_VERSION:-3.7.3}"
HELM_VERSION="${HELM_VERSION:-4.3.2}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${KUBE_BINARIES_DIR:-$root/bin/k8s/$KUBERNETES_VERSION}"
work="$root/bin/.build"
mkdir -p "$dest" "$work"
staging_version="v0.${KUBERNETES_VERSION#*.}"

log() { printf '==> %s\n' "$*" >&2; }

# module NAME: a throwaway module in bin/.build/NAME whose main.go is read from stdin.
module() {
  local dir="$work/$1"
  rm -rf "$dir" && mkdir -p "$dir"
  cat >"$dir/main.go"
  (cd "$dir" && go mod init "retailsync.local/build/$1" >/dev/null 2>&1)
  echo "$dir"
}

build_kube_apiserver() {
  local dir gomod
  dir=$(module kube-apiserver <<'GO'
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() { os.Exit(cli.Run(app.NewAPIServerCommand())) }
GO
)
  # k8s.io/kubernetes points every staging module at ./staging/...; a module that requires it must
  # point them at the published copies of the same release instead.
  gomod=$(cd "$dir" && go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
  (
    cd "$dir"
    go mod edit -require="k8s.io/kubernetes@v$KUBERNETES_VERSION"
    grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$gomod" | awk '{print $1}' | while read -r m; do
      go mod edit -replace="$m=$m@$staging_version"
    done
    go mod tidy >/dev/null
    CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$dest/kube-apiserver" .
  )
}

build_etcd() {
  local dir
  dir=$(module etcd <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
)
  (
    cd "$dir"
    go mod edit -require="go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
    go mod tidy >/dev/null
    CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$dest/etcd" .
  )
}

build_kubectl() {
  local dir
  dir=$(module kubectl <<'GO'
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
)

func main() { os.Exit(cli.Run(cmd.NewDefaultKubectlCommand())) }
GO
)
  (
    cd "$dir"
    go mod edit -require="k8s.io/kubectl@$staging_version" -require="k8s.io/component-base@$staging_version"
    go mod tidy >/dev/null
    CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$dest/kubectl" .
  )
}

build_helm() {
  GOBIN="$work/helm-bin" CGO_ENABLED=0 go install -trimpath -ldflags='-s -w' "helm.sh/helm/v4/cmd/helm@v$HELM_VERSION"
  mv "$work/helm-bin/helm" "$dest/helm"
}

for bin in etcd kubectl kube-apiserver helm; do
  if [ -x "$dest/$bin" ]; then
    continue
  fi
  log "Building $bin into ${dest#$root/} (once per machine)"
  start=$SECONDS
  "build_${bin//-/_}"
  log "Built $bin in $((SECONDS - start))s"
done
echo "$dest"
