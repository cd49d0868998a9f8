#!/usr/bin/env bash
# Installs the system packages the tests need on a fresh machine of the project's kind (Go, gcc, make
# and git are already there). Idempotent: a machine that has them skips every install.
set -euo pipefail
need=()
command -v make >/dev/null || need+=(make)
command -v git >/dev/null || need+=(git)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
