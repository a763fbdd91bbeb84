#!/usr/bin/env bash
# `make schedule` / `make unschedule`: print, install or remove the crontab line for elt-cron.sh.
# usage: schedule.sh print|install|remove
set -euo pipefail
PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$PROJECT_DIR/scripts/dotenv.sh"
load_dotenv "$PROJECT_DIR/.env" || exit 1
MARK="# metric-pulse elt ($PROJECT_DIR)"
LINE="${SCHEDULE_CRON:-0 2 * * *} $PROJECT_DIR/scripts/elt-cron.sh $MARK"

current() { crontab -l 2>/dev/null | grep -vF "$MARK" || true; }
need_crontab() { command -v crontab >/dev/null || { echo "crontab is not installed; add this line to your scheduler:" >&2; echo "$LINE"; exit 1; }; }

case "${1:-print}" in
  print) echo "$LINE" ;;
  install) need_crontab; { current; echo "$LINE"; } | crontab -; echo "installed: $LINE" ;;
  remove) need_crontab; current | crontab -; echo "removed the metric-pulse line from the crontab" ;;
  *) echo "usage: $0 print|install|remove" >&2; exit 2 ;;
esac
