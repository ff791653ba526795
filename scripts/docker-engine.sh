#!/usr/bin/env bash
# Starts or stops a private Docker engine (Debian's docker.io dockerd) for development and tests, the way
# ../shared/ENVIRONMENT.md describes: its own socket, data root and exec root under one directory, so it never
# touches a system engine. Needs root and `apt-get install docker.io`.
#
#   export DOCKER_HOST="$(scripts/docker-engine.sh start)"   # idempotent: reuses a running engine
#   scripts/docker-engine.sh status                          # prints DOCKER_HOST, exits 1 when not running
#   scripts/docker-engine.sh stop                            # stops it; images stay for the next start
#   scripts/docker-engine.sh purge                           # stops it and deletes the directory
#
# AMBIT_DOCKER_DIR picks the directory (default /tmp/ambit-docker). Only the DOCKER_HOST value goes to stdout;
# progress goes to stderr.
set -Eeuo pipefail

DIR="${AMBIT_DOCKER_DIR:-/tmp/ambit-docker}"
SOCK="$DIR/docker.sock"
PIDFILE="$DIR/dockerd.pid"
LOG="$DIR/dockerd.log"
HOST="unix://$SOCK"
DOCKERD="${DOCKERD:-/usr/sbin/dockerd}"
# dockerd writes its pid file only once it is up; a slow first start (new data root) takes a few seconds.
START_TIMEOUT_S="${AMBIT_DOCKER_START_TIMEOUT:-60}"

log() { echo "docker-engine: $*" >&2; }

engine_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Asks the engine itself, over its socket, rather than trusting the pid file alone.
responds() {
  [[ -S "$SOCK" ]] && timeout 5 docker -H "$HOST" version >/dev/null 2>&1
}

start() {
  if engine_pid >/dev/null && responds; then
    log "already running (pid $(engine_pid)) at $HOST"
    echo "$HOST"
    return 0
  fi
  if [[ "$(id -u)" != 0 ]]; then
    log "must run as root (dockerd needs it)"
    return 1
  fi
  if [[ ! -x "$DOCKERD" ]]; then
    log "$DOCKERD not found: install the engine with 'apt-get install -y --no-install-recommends docker.io'"
    return 1
  fi
  # A previous engine that died leaves its pid file and socket behind; dockerd refuses to start over them.
  if pid="$(engine_pid)"; then
    log "engine pid $pid does not answer; stopping it"
    stop_engine
  fi
  rm -f "$PIDFILE" "$SOCK"
  mkdir -p "$DIR"
  log "starting dockerd with data under $DIR (log: $LOG)"
  setsid "$DOCKERD" -H "$HOST" --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$PIDFILE" \
    --storage-driver=overlay2 --iptables=false --ip-masq=false \
    --exec-opt native.cgroupdriver=cgroupfs >"$LOG" 2>&1 </dev/null &
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until responds; do
    if ((SECONDS >= deadline)); then
      log "dockerd did not answer on $SOCK within ${START_TIMEOUT_S}s; last log lines:"
      tail -n 20 "$LOG" >&2 || true
      return 1
    fi
    sleep 0.1
  done
  log "running (pid $(engine_pid || echo '?')) at $HOST"
  echo "$HOST"
}

stop_engine() {
  local pid
  if pid="$(engine_pid)"; then
    log "stopping dockerd pid $pid"
    kill -TERM "$pid"
    for _ in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "dockerd pid $pid ignored SIGTERM for 30s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  else
    log "not running"
  fi
  # Mounts the engine left behind (overlay layers, container shm, netns) would keep the directory busy.
  if [[ -d "$DIR" ]]; then
    awk -v dir="$DIR/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r | while read -r mnt; do
      umount -l "$mnt" 2>/dev/null || true
    done
  fi
  rm -f "$PIDFILE" "$SOCK"
}

case "${1:-start}" in
  start) start ;;
  stop) stop_engine ;;
  purge)
    stop_engine
    rm -rf "$DIR"
    ;;
  status)
    if engine_pid >/dev/null && responds; then
      echo "$HOST"
    else
      log "not running at $HOST"
      exit 1
    fi
    ;;
  *)
    echo "usage: $0 start|stop|status|purge (AMBIT_DOCKER_DIR=$DIR)" >&2
    exit 2
    ;;
esac
