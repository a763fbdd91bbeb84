#!/usr/bin/env bash
# Cron entry point for the nightly run:
#   - finds the project from its own path (cron starts in $HOME with a bare PATH),
#   - takes a lock so runs never overlap (a second one logs a line and exits 0),
#   - loads .env, runs `make elt` under a timeout, appends everything to logs/cron.log,
#   - exits with the run's status so cron mails on failure (124 = timed out).
set -uo pipefail
umask 077  # logs and dlt's working files hold customer data: owner only

PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$PROJECT_DIR" || exit 1
export PATH="$PROJECT_DIR/.venv/bin:$PATH:/usr/local/bin:/usr/bin:/bin"
# shellcheck source=scripts/dotenv.sh
. "$PROJECT_DIR/scripts/dotenv.sh"
# .env is read by the project's Python (one parser for cron and `make elt`): have it installed.
make --no-print-directory -C "$PROJECT_DIR" venv >/dev/null || exit 1
load_dotenv "$PROJECT_DIR/.env" || exit 1

mkdir -p logs .data
LOG="$PROJECT_DIR/logs/cron.log"
LOCK="${ELT_LOCK_FILE:-$PROJECT_DIR/.data/elt-cron.lock}"
stamp() { date -u +%Y-%m-%dT%H:%M:%SZ; }

exec 9>"$LOCK"
if ! flock -n 9; then
  echo "$(stamp) elt-cron: another run holds $LOCK; skipping this one" | tee -a "$LOG"
  exit 0
fi

echo "$(stamp) elt-cron: starting (pid $$)" >>"$LOG"
timeout --signal=TERM --kill-after=60 "${ELT_TIMEOUT_SECONDS:-14400}" \
  make --no-print-directory -C "$PROJECT_DIR" elt >>"$LOG" 2>&1
status=$?
if [ "$status" -eq 124 ]; then
  echo "$(stamp) elt-cron: run timed out after ${ELT_TIMEOUT_SECONDS:-14400}s" | tee -a "$LOG" >&2
else
  echo "$(stamp) elt-cron: finished with exit $status" >>"$LOG"
fi
[ "$status" -eq 0 ] || echo "$(stamp) elt-cron: run failed (exit $status); see $LOG and logs/error.log" >&2
exit "$status"
