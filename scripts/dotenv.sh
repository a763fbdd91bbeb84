# Sourced by the operator scripts: export KEY=VALUE lines of a .env file literally.
# Not `source .env`: values such as `SCHEDULE_CRON=0 2 * * *` must not be run as shell.
# Variables already set in the environment win, as they do in metric-pulse itself.
load_dotenv() {
  local file=$1 line key value
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key=${line%%=*}
    value=${line#*=}
    key=${key#export }
    key=$(printf '%s' "$key" | tr -d '[:space:]')
    [[ $key =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    case "$value" in \"*\") value=${value:1:${#value}-2} ;; \'*\') value=${value:1:${#value}-2} ;; esac
    [ -n "${!key+x}" ] || export "$key=$value"
  done < "$file"
}
