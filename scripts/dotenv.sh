# Sourced by the operator scripts: export the variables a .env file sets, read by the same
# parser as metric-pulse itself (python-dotenv, via metric_pulse/shell_env.py), so a line means the
# same to cron as to `make elt` (inline comments, quotes, `KEY = v`, CRLF, ${VAR}).
# Not `source .env`: values such as `SCHEDULE_CRON=0 2 * * *` must not be run as shell.
# Variables already set in the environment win, as they do in metric-pulse itself.
load_dotenv() {
  local file=$1 python exports
  [ -f "$file" ] || return 0
  python="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv/bin/python"
  if [ ! -x "$python" ]; then
    echo "metric-pulse: $file needs the project's Python to be read; run \`make venv\` first" >&2
    return 1
  fi
  exports=$("$python" -m metric_pulse.shell_env "$file") || {
    echo "metric-pulse: could not read $file" >&2
    return 1
  }
  eval "$exports"
}
