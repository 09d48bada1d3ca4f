#!/usr/bin/env bash
# Builds the local control plane from Go modules with the machine's Go (never downloads prebuilt binaries).
# Results are cached outside the repository, one folder per component and version:
#   $ECS_OPERATOR_CACHE/bin/<component>-<version>/   (default ECS_OPERATOR_CACHE=~/.cache/ecs-operator)
# Prints the bin folders' paths as KEY=path lines on stdout (everything else goes to stderr).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
cache=${ECS_OPERATOR_CACHE:-$HOME/.cache/ecs-operator}
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
log() { echo "[build] $*" >&2; }
# Two checkouts building at once would race on the same cache folders.
mkdir -p "$cache"
exec 9>"$cache/.build.lock"
flock 9

# build_once NAME VERSION FUNCTION: runs FUNCTION OUTDIR unless OUTDIR/.complete exists.
build_once() {
  local name=$1 version=$2 fn=$3 out="$cache/bin/$1-$2"
  if [[ ! -f "$out/.complete" ]]; then
    local start=$SECONDS
    log "building $name $version (cold build; cached afterwards in $out)"
    rm -rf "$out.tmp" && mkdir -p "$out.tmp"
    "$fn" "$out.tmp" "$version"
    touch "$out.tmp/.complete"
    rm -rf "$out" && mv "$out.tmp" "$out"
    log "built $name $version in $((SECONDS - start))s"
  fi
  local key=${name^^}
  echo "${key//-/_}_BIN=$out"
}

# A wrapper module per product: the products' own replace directives are ignored when they are dependencies.
wrapper_dir() { local d="$cache/src/$1"; mkdir -p "$d"; echo "$d"; }

build_kubernetes() {
  local out=$1 v=$2 minor dir kdir
  minor=$(echo "$v" | cut -d. -f2)
  dir=$(wrapper_dir "kubernetes-$v")
  kdir=$(cd /tmp && go mod download -json "k8s.io/kubernetes@$v" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  {
    echo "module ecsoperator.local/kubernetes-build"
    grep -E '^(go|godebug) ' "$kdir/go.mod"
    echo "require k8s.io/kubernetes $v"
    # k/k requires its staging modules at v0.0.0 and replaces them with ./staging; use the published releases instead.
    grep -E '=> \./staging/src/k8s.io/' "$kdir/go.mod" | awk -v m="v0.$minor.${v##*.}" '{print "replace " $1 " => " $1 " " m}'
  } >"$dir/go.mod"
  local cmds=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
  (cd "$dir" && for c in "${cmds[@]}"; do go get -tool "k8s.io/kubernetes/cmd/$c@$v" >&2; done)
  local pkg="k8s.io/component-base/version" cpkg="k8s.io/client-go/pkg/version" flags="-s -w"
  for p in $pkg $cpkg; do
    flags+=" -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  (cd "$dir" && go build -trimpath -tags selinux,notest -ldflags "$flags" -o "$out/" \
    $(printf 'k8s.io/kubernetes/cmd/%s ' "${cmds[@]}") >&2)
}

build_etcd() {
  local out=$1 v=$2 dir
  dir=$(wrapper_dir "etcd-$v")
  printf 'module ecsoperator.local/etcd-build\n\ngo 1.24\n' >"$dir/go.mod"
  (cd "$dir" && go get "go.etcd.io/etcd/server/v3@$v" >&2 && go build -trimpath -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3 >&2)
}

build_kwok() {
  local out=$1 v=$2
  GOBIN="$out" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$v" "sigs.k8s.io/kwok/cmd/kwokctl@$v" >&2
}

build_metrics_server() {
  local out=$1 v=$2 pkg=k8s.io/client-go/pkg/version dir
  # No replace directives in its go.mod, so `go install` builds it as released; the version flags are the ones its
  # Makefile sets (metrics-server reports client-go's version variables; kwokctl reads the version from --version).
  GOBIN="$out" go install -trimpath -ldflags "-s -w -X $pkg.gitVersion=$v -X $pkg.buildDate=1970-01-01T00:00:00Z" \
    "sigs.k8s.io/metrics-server/cmd/metrics-server@$v" >&2
  # Its kustomize manifests (APIService v1beta1.metrics.k8s.io, RBAC) from the same module, for kwokctl to apply
  # instead of downloading components.yaml.
  dir=$(cd /tmp && go mod download -json "sigs.k8s.io/metrics-server@$v" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  cp -r "$dir/manifests" "$out/manifests" && chmod -R u+w "$out/manifests"
}

build_helm() {
  local out=$1 v=${2%%+*} major=${2%%.*} gomod client minor flags
  # As helm's own Makefile does: the Kubernetes version helm assumes without a cluster (helm template, lint)
  # follows its client-go, so charts with a kubeVersion constraint render.
  gomod=$(cd /tmp && go mod download -json "helm.sh/helm/$major@$v" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')
  client=$(awk '$1 == "k8s.io/client-go" { print $2 }' "$gomod")
  minor=$(echo "$client" | cut -d. -f2)
  flags="-s -w -X helm.sh/helm/$major/internal/version.version=$v"
  for pkg in pkg/chartutil pkg/lint/rules; do
    flags+=" -X helm.sh/helm/$major/$pkg.k8sVersionMajor=1 -X helm.sh/helm/$major/$pkg.k8sVersionMinor=$minor"
  done
  GOBIN="$out" go install -trimpath -ldflags "$flags" "helm.sh/helm/$major/cmd/helm@$v" >&2
}

build_once etcd "$ETCD_VERSION" build_etcd
build_once kwok "$KWOK_VERSION" build_kwok
build_once metrics-server "$METRICS_SERVER_VERSION" build_metrics_server
# "+kubever": the build recipe changed (the ldflags above); a tag in the cache key rebuilds what it must.
build_once helm "$HELM_VERSION+kubever" build_helm
build_once kubernetes "$K8S_VERSION" build_kubernetes
