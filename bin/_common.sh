# Shared by bin/run and bin/test: install what is missing, start what is down. Idempotent.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${INVIGIL_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
APT_UPDATED=""

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = "0" ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  # apt_install PACKAGE... — install Debian packages that are not installed yet.
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Installing ${missing[*]} (apt-get)"
  if [ -z "$APT_UPDATED" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_python() {
  command -v python3 >/dev/null || apt_install python3
  if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Invigil needs Python 3.11 or newer (found $(python3 --version))." >&2; exit 1
  fi
  python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
}

ensure_venv() {
  # ensure_venv REQUIREMENTS_FILE — a virtualenv with the pinned packages installed.
  ensure_python
  [ -x "$PY" ] || { say "Creating virtualenv $VENV"; python3 -m venv "$VENV"; }
  local stamp="$VENV/.installed-$(basename "$1")"
  if [ ! -f "$stamp" ] || [ "$ROOT/$1" -nt "$stamp" ] || [ "$ROOT/requirements.txt" -nt "$stamp" ]; then
    say "Installing Python packages from $1"
    "$PY" -m pip install -q --disable-pip-version-check --upgrade pip
    "$PY" -m pip install -q --disable-pip-version-check -r "$ROOT/$1"
    touch "$stamp"
  fi
}

ensure_translations() {
  # The compiled catalogues (locale/*/LC_MESSAGES/django.mo, not kept in git) from the .po
  # files, before Django starts: compilemessages runs GNU gettext's msgfmt.
  command -v msgfmt >/dev/null || apt_install gettext
  (cd "$ROOT" && DEBUG=true "$PY" manage.py compilemessages --ignore='.*' --ignore=node_modules --ignore=var -v 0)
}

ensure_postgres() {
  # A running PostgreSQL on 127.0.0.1:5432 with role and database "invigil".
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    local version
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    say "Starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  local psql=(as_root runuser -u postgres -- psql -v ON_ERROR_STOP=1 -q -tA)
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='invigil'")" != "1" ]; then
    say "Creating PostgreSQL role invigil"
    "${psql[@]}" -c "CREATE ROLE invigil LOGIN PASSWORD 'invigil' CREATEDB"
  fi
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname='invigil'")" != "1" ]; then
    "${psql[@]}" -c "CREATE DATABASE invigil OWNER invigil"
  fi
}

ensure_redis() {
  command -v redis-server >/dev/null || apt_install redis-server
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    say "Starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
  fi
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium fonts-dejavu-core
}

ensure_e2e_node_modules() {
  # What the browser tests inject into pages (axe-core), pinned in tests/e2e/package-lock.json.
  command -v npm >/dev/null || apt_install nodejs npm
  if [ ! -d "$ROOT/tests/e2e/node_modules" ] || [ "$ROOT/tests/e2e/package-lock.json" -nt "$ROOT/tests/e2e/node_modules" ]; then
    say "Installing the browser tests' npm packages (npm ci)"
    (cd "$ROOT/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

ensure_secret_key() {
  # ensure_secret_key FILE — export SECRET_KEY: from the environment if set, else this
  # installation's own random key, made once into FILE (mode 600; var/ is not in git).
  [ -n "${SECRET_KEY:-}" ] && { export SECRET_KEY; return 0; }
  if [ ! -s "$1" ]; then
    mkdir -p "$(dirname "$1")"
    (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(50))' >"$1")
  fi
  SECRET_KEY="$(cat "$1")"
  export SECRET_KEY
}

ensure_oidc_provider() {
  # The single sign-on tests' real OpenID Connect provider: npm's oidc-provider, pinned by
  # tests/oidc/package-lock.json, installed with `npm ci` when its node_modules is missing.
  command -v node >/dev/null || apt_install nodejs npm
  command -v npm >/dev/null || apt_install npm
  local dir="$ROOT/tests/oidc"
  if [ ! -d "$dir/node_modules/oidc-provider" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "Installing the test OpenID Connect provider (npm ci in tests/oidc)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
