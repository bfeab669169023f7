#!/usr/bin/env bash
# Builds, with no image registry in reach, local stand-ins for the public images banterbox's
# Dockerfile and test kit start from, out of Debian's packages and this host's own Node:
#
#   banterbox-offline/debian:bookworm        debootstrap --variant=minbase bookworm
#   banterbox-offline/node:20-bookworm-slim  for node:20-bookworm-slim: this host's Node 20 and npm
#                                            in /usr/local, user and group node (uid and gid 1000)
#   banterbox-offline/redis:7                for redis:7: Debian's redis-server 7, user redis
#
# Use them where `docker pull` cannot work:
#   docker build --network host --build-arg NODE_IMAGE=banterbox-offline/node:20-bookworm-slim \
#     -f infra/Dockerfile -t banterbox:dev .
#   BANTERBOX_TEST_REDIS_IMAGE=banterbox-offline/redis:7 npm test
#
# Where this host reaches the npm registry through a TLS proxy of its own, the CA bundle named by
# NODE_EXTRA_CA_CERTS is copied into the node base (and NODE_EXTRA_CA_CERTS set there), so that
# npm inside `docker build` trusts the proxy as the host does. That belongs to this local base
# only; the official node image never has it.
#
# Needs root, a Docker engine, debootstrap (apt-get install debootstrap) and Node 20 on PATH.
# An image that exists is kept; FORCE=1 builds all three again. About a minute the first time.
set -euo pipefail

PREFIX=${BANTERBOX_OFFLINE_PREFIX:-banterbox-offline}
DEBIAN_IMAGE=$PREFIX/debian:bookworm
NODE_IMAGE=$PREFIX/node:20-bookworm-slim
REDIS_IMAGE=$PREFIX/redis:7
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

exists() { [ -z "${FORCE:-}" ] && docker image inspect "$1" >/dev/null 2>&1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if exists "$DEBIAN_IMAGE"; then
  echo "offline bases: $DEBIAN_IMAGE is there"
else
  echo "offline bases: debootstrap bookworm (minbase) from $MIRROR"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; exit 1; }
  rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin
  tar -C "$work/rootfs" -c . | docker import --change 'CMD ["bash"]' - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$work/rootfs"
fi

if exists "$NODE_IMAGE"; then
  echo "offline bases: $NODE_IMAGE is there"
else
  node_bin=$(command -v node)
  case "$(node --version)" in v20.*) ;; *) echo "offline bases: the node on PATH is $(node --version), not 20" >&2; exit 1 ;; esac
  npm_dir=$(cd "$(dirname "$(readlink -f "$node_bin")")/../lib/node_modules/npm" && pwd)
  mkdir -p "$work/node"
  cp "$(readlink -f "$node_bin")" "$work/node/node"
  cp -a "$npm_dir" "$work/node/npm"
  ca_lines=()
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
    cp "$NODE_EXTRA_CA_CERTS" "$work/node/extra-ca.crt"
    ca_lines=('COPY extra-ca.crt /usr/local/share/ca-certificates/extra-ca.crt'
      'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/extra-ca.crt')
  fi
  {
    echo "FROM $DEBIAN_IMAGE"
    echo 'COPY node /usr/local/bin/node'
    echo 'COPY npm /usr/local/lib/node_modules/npm'
    printf '%s\n' "${ca_lines[@]}"
    echo 'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \'
    echo ' && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \'
    echo ' && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \'
    echo ' && node --version && npm --version'
    echo 'CMD ["node"]'
  } >"$work/node/Dockerfile"
  echo "offline bases: building $NODE_IMAGE from $(node --version) at $node_bin"
  docker build --network host -q -t "$NODE_IMAGE" "$work/node" >/dev/null
fi

if exists "$REDIS_IMAGE"; then
  echo "offline bases: $REDIS_IMAGE is there"
else
  mkdir -p "$work/redis"
  cat >"$work/redis/Dockerfile" <<DOCKERFILE
FROM $DEBIAN_IMAGE
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server \\
 && rm -rf /var/lib/apt/lists/* \\
 && redis-server --version
USER redis
WORKDIR /var/lib/redis
CMD ["redis-server", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
DOCKERFILE
  echo "offline bases: building $REDIS_IMAGE with Debian's redis-server"
  docker build --network host -q -t "$REDIS_IMAGE" "$work/redis" >/dev/null
fi

docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep "^$PREFIX/" || true
