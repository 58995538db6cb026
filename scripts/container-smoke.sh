#!/usr/bin/env bash
# Builds the container image and checks it the way an operator runs it: non-root user, code read-only to it,
# readiness, the HEALTHCHECK, data surviving container replacement on a named volume, `docker stop` ending
# cleanly (also during start-up and with a drain delay), a read-only root filesystem with every capability
# dropped, NO-AUTH + memory without any writable volume, secrets given as files, a bind-mounted directory
# owned by 10001, the OCI labels and the size budget.
#
# Prints one PASS/FAIL line per check and `N passed, M failed` as its last line; exits non-zero when a check
# failed. Every wait is bounded. Needs a running Docker engine and the base image (node:20-bookworm-slim).
#
# Environment: DOCKER (client, default /usr/bin/docker when present), SMOKE_IMAGE (tag to build, default
# pangolin-ts:smoke), SMOKE_SKIP_BUILD=1 (check an already built SMOKE_IMAGE), SMOKE_BUILD_TIMEOUT_SECS
# (default 1800), SMOKE_KEEP_BUILD_CACHE=1 (keep the build stage's layers for a faster next build).
set -uo pipefail
cd "$(dirname "$0")/.."

DOCKER=${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || command -v docker )}
IMAGE=${SMOKE_IMAGE:-pangolin-ts:smoke}
BUILD_TIMEOUT=${SMOKE_BUILD_TIMEOUT_SECS:-1800}
READY_TIMEOUT=90          # seconds a container may take to answer /health/ready
STOP_TIMEOUT=10           # docker's default; a container still running then is killed (exit 137)
DRAIN_MS=3000             # drain delay of the shutdown check
MAX_IMAGE_MB=250
RUN_ID="pangolin-smoke-$$"
VOLUME="$RUN_ID-data"
WORK=$(mktemp -d)
passed=0
failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
note() { printf '%s\n' "$*" | sed 's/^/     /'; }
# check NAME COMMAND [ARGS...]: runs one check; what it prints explains the result.
check() {
  local name=$1 reason
  shift
  if reason=$("$@" 2>&1); then
    pass "$name"
    if [ -n "$reason" ]; then note "$reason"; fi
  else
    fail "$name" "${reason:-failed}"
  fi
  return 0
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
}

cleanup() {
  local ids
  ids=$("$DOCKER" ps -aq --filter "label=$RUN_ID" 2>/dev/null)
  [ -n "$ids" ] && "$DOCKER" rm -f $ids >/dev/null 2>&1
  "$DOCKER" volume rm -f "$VOLUME" >/dev/null 2>&1
  # The bind-mounted directory is owned by 10001 and may hold files created in the container.
  rm -rf "$WORK"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

# ---- helpers --------------------------------------------------------------------------------------------
# start NAME [docker run options...]: a detached container published on a free loopback port.
start() {
  local name=$1
  shift
  "$DOCKER" run -d --name "$RUN_ID-$name" --label "$RUN_ID" -p 127.0.0.1::8080 "$@" "$IMAGE" >/dev/null
}
url() { echo "http://$("$DOCKER" port "$RUN_ID-$1" 8080/tcp | head -1)"; }
running() { [ "$("$DOCKER" inspect -f '{{.State.Running}}' "$RUN_ID-$1" 2>/dev/null)" = true ]; }
exit_code() { "$DOCKER" inspect -f '{{.State.ExitCode}}' "$RUN_ID-$1"; }
logs_tail() { "$DOCKER" logs --tail 15 "$RUN_ID-$1" 2>&1 | sed 's/^/       | /'; }

# wait_ready NAME: until /health/ready answers 200; prints the time it took.
wait_ready() {
  local name=$1 started deadline
  started=$(now_ms)
  deadline=$((SECONDS + READY_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    if ! running "$name"; then echo "container exited with $(exit_code "$name") before it was ready"; logs_tail "$name"; return 1; fi
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$(url "$name")/health/ready")" = 200 ]; then
      echo "ready after $(( $(now_ms) - started )) ms"
      return 0
    fi
    sleep 0.2
  done
  echo "not ready within ${READY_TIMEOUT}s"
  logs_tail "$name"
  return 1
}

# stop_cleanly NAME: docker stop with the default timeout; the process must exit 0 by itself (137 = killed).
stop_cleanly() {
  local name=$1 started code
  started=$(now_ms)
  timeout $((STOP_TIMEOUT + 20)) "$DOCKER" stop -t "$STOP_TIMEOUT" "$RUN_ID-$name" >/dev/null || { echo "docker stop failed"; return 1; }
  code=$(exit_code "$name")
  [ "$code" = 0 ] || { echo "exit code $code after $(( $(now_ms) - started )) ms (137 = killed at the stop timeout)"; logs_tail "$name"; return 1; }
  echo "stopped with exit code 0 after $(( $(now_ms) - started )) ms"
}

# api NAME METHOD PATH [curl options...]: prints the body; fails unless the status is 2xx.
api() {
  local name=$1 method=$2 path=$3
  shift 3
  curl -sS --fail-with-body --max-time 10 -X "$method" -H 'content-type: application/json' "$@" "$(url "$name")$path"
}

no_error_logs() { # the structured log of NAME has no error or fatal line
  local errors
  errors=$("$DOCKER" logs "$RUN_ID-$1" 2>&1 | grep -E '"level":"(error|fatal)"' | head -3)
  [ -z "$errors" ] || { echo "error lines in the log:"; echo "$errors" | cut -c1-300; return 1; }
}

# ---- build --------------------------------------------------------------------------------------------------
if [ "${SMOKE_SKIP_BUILD:-0}" != 1 ]; then
  build_started=$(now_ms)
  if timeout "$BUILD_TIMEOUT" "$DOCKER" build -q -t "$IMAGE" \
      --build-arg "REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
      --build-arg "CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)" . >"$WORK/build.log" 2>&1; then
    pass "image builds (needs only the npm registry and the Debian mirror)"
    note "build took $(( ($(now_ms) - build_started) / 1000 )) s"
  else
    fail "image builds" "docker build failed or exceeded ${BUILD_TIMEOUT}s"
    tail -25 "$WORK/build.log" | sed 's/^/       | /'
    finish
  fi
  # The build stages stay behind as untagged images (about 1 GB), and so does the image of an earlier run.
  [ "${SMOKE_KEEP_BUILD_CACHE:-0}" = 1 ] || "$DOCKER" image prune -f --filter "label=org.pangolin.stage" >/dev/null 2>&1
  "$DOCKER" image prune -f --filter "label=org.opencontainers.image.title=pangolin-ts" >/dev/null 2>&1
fi
"$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1 || { fail "image present" "no image $IMAGE"; finish; }

# ---- image properties -----------------------------------------------------------------------------------------
image_size() {
  local bytes
  bytes=$("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE")
  echo "$((bytes / 1000000)) MB"
  [ $((bytes / 1000000)) -le $MAX_IMAGE_MB ]
}
check "image size at most $MAX_IMAGE_MB MB" image_size

oci_labels() {
  local key value
  for key in title description version revision created licenses; do
    value=$("$DOCKER" image inspect -f "{{ index .Config.Labels \"org.opencontainers.image.$key\" }}" "$IMAGE")
    [ -n "$value" ] && [ "$value" != '<no value>' ] || { echo "label org.opencontainers.image.$key missing"; return 1; }
  done
}
check "OCI labels (org.opencontainers.image.*)" oci_labels

no_volume_declared() {
  [ "$("$DOCKER" image inspect -f '{{json .Config.Volumes}}' "$IMAGE")" = null ] || { echo "the image declares a VOLUME"; return 1; }
}
check "no VOLUME (no anonymous volume per docker run)" no_volume_declared

user_and_code() {
  "$DOCKER" run --rm --label "$RUN_ID" "$IMAGE" sh -c '
    test "$(id -u):$(id -g)" = 10001:10001 || { echo "runs as $(id -u):$(id -g)"; exit 1; }
    test "$(stat -c %u /app/dist/src/main.js)" = 0 || { echo "code not owned by root"; exit 1; }
    for p in /app /app/dist /app/dist/src/main.js /app/node_modules /app/node_modules/better-sqlite3; do
      test ! -w "$p" || { echo "$p is writable by the runtime user"; exit 1; }
    done
    test -w /var/lib/pangolin || { echo "/var/lib/pangolin not writable"; exit 1; }'
}
check "runs as 10001:10001 (not root); application code owned by root and read-only to it" user_and_code

# ---- auth mode, secrets as files, named volume ------------------------------------------------------------
JWT_SECRET="smoke-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
ROOT_PASSWORD="smoke-root-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
mkdir -p "$WORK/secrets"
printf '%s\n' "$JWT_SECRET" >"$WORK/secrets/jwt_secret"
printf '%s\n' "$ROOT_PASSWORD" >"$WORK/secrets/root_password"
chmod 0755 "$WORK" "$WORK/secrets"
chmod 0444 "$WORK/secrets/"*
"$DOCKER" volume create "$VOLUME" >/dev/null
SECRET_OPTS=(-v "$WORK/secrets:/run/secrets:ro"
  -e PANGOLIN_JWT_SECRET_FILE=/run/secrets/jwt_secret -e PANGOLIN_ROOT_PASSWORD_FILE=/run/secrets/root_password)
# The read-only variant is what the Kubernetes manifests run: read-only root, all capabilities dropped,
# no privilege escalation, a writable /tmp.
LOCKED_DOWN=(--read-only --cap-drop ALL --security-opt no-new-privileges --tmpfs /tmp:uid=10001,gid=10001)

start first -v "$VOLUME:/var/lib/pangolin" "${SECRET_OPTS[@]}" --health-interval 2s
check "auth mode on a named volume, secrets from *_FILE: ready" wait_ready first

login() { # login NAME: prints a bearer token for root
  api "$1" POST /api/v1/users/login -d "{\"username\":\"root\",\"password\":\"$ROOT_PASSWORD\"}" | jq -er .token
}
secrets_from_files() {
  local token
  token=$(login first) || { echo "root cannot log in with the password from PANGOLIN_ROOT_PASSWORD_FILE"; return 1; }
  api first GET /api/v1/tenants -H "authorization: Bearer $token" >/dev/null || { echo "the token is not accepted"; return 1; }
  "$DOCKER" exec "$RUN_ID-first" test ! -e /var/lib/pangolin/auth-secrets.json || { echo "auth-secrets.json written although both secrets were given"; return 1; }
}
check "root logs in with the password file; no secrets file in the data volume" secrets_from_files

healthy() {
  local deadline=$((SECONDS + 45)) status
  while [ $SECONDS -lt $deadline ]; do
    status=$("$DOCKER" inspect -f '{{.State.Health.Status}}' "$RUN_ID-first")
    [ "$status" = healthy ] && { echo "healthy (probe interval shortened to 2 s for the test)"; return 0; }
    [ "$status" = unhealthy ] && break
    sleep 1
  done
  echo "health status: $status"
  "$DOCKER" inspect -f '{{range .State.Health.Log}}{{.ExitCode}} {{.Output}}{{end}}' "$RUN_ID-first" | tail -3
  return 1
}
check "HEALTHCHECK reports healthy" healthy

create_data() {
  local token
  token=$(login first) || return 1
  api first POST /api/v1/tenants -H "authorization: Bearer $token" -d '{"name":"smoke-tenant"}' >/dev/null
}
check "create data (a tenant)" create_data
check "docker stop: graceful exit 0 before the stop timeout" stop_cleanly first
check "no error lines in the log" no_error_logs first

"$DOCKER" rm "$RUN_ID-first" >/dev/null
start second -v "$VOLUME:/var/lib/pangolin" "${SECRET_OPTS[@]}" "${LOCKED_DOWN[@]}"
check "replacement container, read-only root filesystem, --cap-drop ALL, no-new-privileges: ready" wait_ready second
data_survived() {
  local token
  token=$(login second) || { echo "root cannot log in"; return 1; }
  api second GET /api/v1/tenants -H "authorization: Bearer $token" | grep -q '"smoke-tenant"' || { echo "the tenant is gone"; return 1; }
}
check "data survives container replacement on the same volume" data_survived
check "docker stop of the locked-down container: exit 0" stop_cleanly second

# ---- stop during start-up ------------------------------------------------------------------------------------
stop_during_start_up() {
  stop_cleanly early || return 1
  ! "$DOCKER" logs "$RUN_ID-early" 2>&1 | grep -q 'Pangolin listening' || { echo "the stop came after the start-up (not a start-up check)"; return 1; }
}
start early -e PANGOLIN_NO_AUTH=true -e DATABASE_URL=memory://
check "docker stop during start-up: exit 0 before the stop timeout" stop_during_start_up

# ---- NO-AUTH + memory, nothing writable but /tmp ----------------------------------------------------------
start noauth -e PANGOLIN_NO_AUTH=true -e DATABASE_URL=memory:// "${LOCKED_DOWN[@]}"
check "NO-AUTH + memory on a read-only root without a volume: ready" wait_ready noauth
noauth_serves() {
  api noauth GET /api/v1/app-config | grep -q '"auth_enabled":false' || { echo "app-config does not say auth is off"; return 1; }
  api noauth GET /api-docs/openapi.json >/dev/null || { echo "no OpenAPI document"; return 1; }
}
check "NO-AUTH + memory serves requests" noauth_serves

# ---- drain: readiness off, new requests refused, exit 0 ------------------------------------------------------
drain() {
  local started code seen=none stop_pid
  started=$(now_ms)
  timeout $((STOP_TIMEOUT + 20)) "$DOCKER" stop -t "$STOP_TIMEOUT" "$RUN_ID-noauth" >/dev/null &
  stop_pid=$!
  local deadline=$((SECONDS + 5))
  while [ $SECONDS -lt $deadline ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$(url noauth)/health/ready")
    [ "$code" = 503 ] && { seen=503; break; }
    sleep 0.1
  done
  wait "$stop_pid"
  code=$(exit_code noauth)
  [ "$seen" = 503 ] || { echo "readiness never answered 503 during the drain"; return 1; }
  [ "$code" = 0 ] || { echo "exit code $code"; return 1; }
  echo "readiness 503 during the drain, exit 0 after $(( $(now_ms) - started )) ms (drain ${DRAIN_MS} ms, stop timeout ${STOP_TIMEOUT} s)"
}
# restart it with a drain delay: the env of a container is fixed at creation
"$DOCKER" rm -f "$RUN_ID-noauth" >/dev/null
start noauth -e PANGOLIN_NO_AUTH=true -e DATABASE_URL=memory:// -e PANGOLIN_SHUTDOWN_DRAIN_MS=$DRAIN_MS "${LOCKED_DOWN[@]}"
wait_ready noauth >/dev/null
check "drain (PANGOLIN_SHUTDOWN_DRAIN_MS=$DRAIN_MS): readiness 503, then exit 0" drain
check "the drain logs no error lines (503s while draining are info)" no_error_logs noauth

# ---- bind mount owned by 10001 (README: chown -R 10001:10001) --------------------------------------------
mkdir -p "$WORK/bind"
chown 10001:10001 "$WORK/bind"
start bind -v "$WORK/bind:/var/lib/pangolin" -e PANGOLIN_NO_AUTH=true
bind_mount() {
  wait_ready bind || return 1
  [ -f "$WORK/bind/pangolin.db" ] || { echo "no pangolin.db in the bind-mounted directory"; return 1; }
  [ ! -e "$WORK/bind/auth-secrets.json" ] || { echo "NO-AUTH mode wrote auth-secrets.json"; return 1; }
  stop_cleanly bind
}
check "bind-mounted directory owned by 10001: SQLite file created there, no secrets file in NO-AUTH mode" bind_mount

finish
