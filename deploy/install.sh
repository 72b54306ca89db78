#!/usr/bin/env bash
# Installs MCA Manager on a Debian or Ubuntu machine, behind Caddy with HTTPS for DOMAIN. Run it again at will:
# after an upgrade of the checkout it rebuilds the app; it never replaces the secret or a setting you changed.
#
#   sudo deploy/install.sh DOMAIN [--email you@example.com] [--tls internal] [--ports 3000[,3001]] [--root DIR]
#
# then start it with deploy/start.sh. It checks Node.js (20.19 or later), installs Caddy and the build tools with
# apt-get, creates the system user mca-manager, copies the app to /opt/mca-manager and builds it there (npm ci),
# writes /etc/mca-manager/env (PUBLIC_URL, TRUST_PROXY, a generated APP_SECRET, DATA_DIR=/var/lib/mca-manager),
# the unit mca-manager@.service (one instance per port), /etc/caddy/Caddyfile, the command line
# /usr/local/sbin/mca-manager-cli (backup, restore, audit:verify as the app runs them) and the backup folder
# /var/backups/mca-manager.
#   --email  the address Caddy gives the certificate authority (Let's Encrypt)
#   --tls internal  for a machine without a public name: the certificate is signed by Caddy's own local
#            authority instead of obtained by ACME; clients trust its root, which Caddy keeps in
#            /var/lib/caddy/.local/share/caddy/pki/authorities/local/root.crt
#   --ports  the instances' ports (default 3000); more than one needs DATABASE_URL in /etc/mca-manager/env
#   --root   write the files under DIR and do nothing else (no packages, user, build or systemctl): a dry run
set -euo pipefail

SOURCE=$(cd "$(dirname "$0")/.." && pwd)
APP_DIR=/opt/mca-manager
CONFIG_DIR=/etc/mca-manager
DATA_DIR=/var/lib/mca-manager
BACKUP_DIR=/var/backups/mca-manager
USER_NAME=mca-manager
NODE_MINIMUM=20.19

die() {
  echo "install.sh: $*" >&2
  exit 1
}
say() { echo "== $*"; }

domain="" email="" tls="" ports="3000" root=""
while [ $# -gt 0 ]; do
  case "$1" in
  --email) email=${2:?--email needs an address} && shift 2 ;;
  --tls) tls=${2:?--tls needs a value: internal} && shift 2 ;;
  --ports) ports=${2:?--ports needs a list like 3000,3001} && shift 2 ;;
  --root) root=${2:?--root needs a directory} && shift 2 ;;
  -h | --help) awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0" && exit 0 ;;
  -*) die "unknown option $1 (see --help)" ;;
  *) [ -z "$domain" ] || die "one domain only (got $domain and $1)"; domain=$1 && shift ;;
  esac
done
domain=${domain:-${MCA_DOMAIN:-}}
email=${email:-${MCA_ACME_EMAIL:-}}
[ -n "$domain" ] || die "usage: install.sh DOMAIN [--email you@example.com] [--tls internal] [--ports 3000[,3001]] [--root DIR]"
[ -z "$tls" ] || [ "$tls" = internal ] || die "--tls takes one value, internal (got '$tls'); without it Caddy gets a certificate by ACME"
[[ "$domain" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] || die "DOMAIN must be a host name like mca.example.com (got '$domain')"
[ -z "$email" ] || [[ "$email" =~ ^[^@[:space:]\"]+@[^@[:space:]\"]+$ ]] || die "--email must be an email address (got '$email')"
[[ "$ports" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--ports must be port numbers separated by commas (got '$ports')"
IFS=, read -r -a port_list <<<"$ports"
for port in "${port_list[@]}"; do
  [ "$port" -ge 1024 ] && [ "$port" -le 65535 ] || die "port $port: use 1024-65535 (Caddy holds 80 and 443)"
done

# Node.js: the app loads ES-module packages with require, which needs 20.19 or later.
node_bin=$(command -v node || true)
[ -n "$node_bin" ] || die "Node.js is not installed: install Node.js ${NODE_MINIMUM} or later (22 or 24 recommended), e.g. from https://github.com/nodesource/distributions"
node_version=$("$node_bin" --version | sed 's/^v//')
IFS=. read -r node_major node_minor _ <<<"$node_version"
if [ "$node_major" -lt 20 ] || { [ "$node_major" -eq 20 ] && [ "$node_minor" -lt 19 ]; }; then
  die "Node.js $node_version at $node_bin is too old: MCA Manager needs ${NODE_MINIMUM} or later"
fi

if [ -z "$root" ]; then
  [ "$(id -u)" -eq 0 ] || die "run it as root (sudo deploy/install.sh ...), or with --root DIR for a dry run"
  command -v apt-get >/dev/null || die "this script is for Debian and Ubuntu (apt-get not found)"
fi
target() { echo "${root}$1"; }

upstreams=""
for port in "${port_list[@]}"; do upstreams="$upstreams 127.0.0.1:$port"; done
upstreams=${upstreams# }

if [ -z "$root" ]; then
  say "Packages: caddy, and python3, make and g++ for better-sqlite3"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq caddy python3 make g++ >/dev/null

  say "System user $USER_NAME"
  id -u "$USER_NAME" >/dev/null 2>&1 ||
    useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
  # Backups, command line or scheduled (the unit lets the app write here too): the app's alone.
  install -d -o "$USER_NAME" -g "$USER_NAME" -m 0750 "$BACKUP_DIR"

  say "The app in $APP_DIR (npm ci, build)"
  mkdir -p "$APP_DIR"
  if [ "$SOURCE" != "$APP_DIR" ]; then
    tar -C "$SOURCE" --exclude=./node_modules --exclude=./dist --exclude=./data --exclude=./.git \
      --exclude='./bench-results' -cf - . | tar -C "$APP_DIR" --no-same-owner -xf -
  fi
  # root's, whoever owns the checkout: the app's user and the checkout's owner may read the code, not change it.
  chown -R root:root "$APP_DIR"
  (cd "$APP_DIR" && npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev --no-audit --no-fund)
fi

say "Settings in $(target $CONFIG_DIR/env)"
mkdir -p "$(target $CONFIG_DIR)"
env_file=$(target $CONFIG_DIR/env)
if [ ! -f "$env_file" ]; then
  secret=$(od -An -N48 -tx1 /dev/urandom | tr -d ' \n')
  (umask 027 && sed -e "s|@DOMAIN@|$domain|" -e "s|@APP_SECRET@|$secret|" "$SOURCE/deploy/mca-manager.env" >"$env_file")
else
  # Only what is missing is added: an existing secret or changed value stays as it is.
  add_missing() {
    grep -q "^$1=" "$env_file" || echo "$1=$2" >>"$env_file"
  }
  grep -q '^APP_SECRET=' "$env_file" || add_missing APP_SECRET "$(od -An -N48 -tx1 /dev/urandom | tr -d ' \n')"
  add_missing PUBLIC_URL "https://$domain"
  add_missing TRUST_PROXY loopback
  add_missing DATA_DIR "$DATA_DIR"
  grep -q "^PUBLIC_URL=https://$domain$" "$env_file" ||
    echo "   note: PUBLIC_URL in $env_file is not https://$domain; kept as it is"
fi
if [ "${#port_list[@]}" -gt 1 ] && ! grep -q '^DATABASE_URL=postgres' "$env_file"; then
  die "more than one instance needs PostgreSQL: set DATABASE_URL in $CONFIG_DIR/env, then run this again"
fi
if [ -z "$root" ]; then
  chown root:"$USER_NAME" "$env_file"
  chmod 0640 "$env_file"
fi

say "systemd unit $(target /etc/systemd/system/mca-manager@.service)"
mkdir -p "$(target /etc/systemd/system)"
sed -e "s|^ExecStart=/usr/bin/node |ExecStart=$node_bin |" "$SOURCE/deploy/mca-manager@.service" \
  >"$(target /etc/systemd/system/mca-manager@.service)"
echo "${port_list[*]}" >"$(target $CONFIG_DIR/ports)"

say "Command line $(target /usr/local/sbin/mca-manager-cli)"
mkdir -p "$(target /usr/local/sbin)"
sed -e "s|^NODE=/usr/bin/node$|NODE=$node_bin|" "$SOURCE/deploy/mca-manager-cli" >"$(target /usr/local/sbin/mca-manager-cli)"
chmod 0755 "$(target /usr/local/sbin/mca-manager-cli)"

say "Caddy for https://$domain in $(target /etc/caddy/Caddyfile)"
mkdir -p "$(target /etc/caddy)"
caddyfile=$(target /etc/caddy/Caddyfile)
rendered=$(sed -e "s|{\$MCA_DOMAIN}|$domain|g" -e "s|{\$MCA_UPSTREAMS}|$upstreams|g" \
  -e "s|{\$MCA_ACME_EMAIL}|$email|g" "$SOURCE/deploy/Caddyfile")
if [ "$tls" = internal ]; then
  # The site's certificate from Caddy's own local authority: no ACME, no public name needed.
  rendered=$(echo "$rendered" | sed -e "s|^$domain {\$|&\n\t# install.sh --tls internal: a certificate from Caddy's own authority (no public name)\n\ttls internal\n|")
  grep -q $'^\ttls internal$' <<<"$rendered" || die "could not add 'tls internal' to the site $domain in deploy/Caddyfile"
fi
rendered="# Written by MCA Manager's deploy/install.sh
$rendered"
# Debian's placeholder Caddyfile (a static page) or ours is replaced; a Caddyfile of your own is left alone.
if [ ! -f "$caddyfile" ] || grep -q "^# Written by MCA Manager's deploy/install.sh" "$caddyfile" ||
  grep -q '/usr/share/caddy' "$caddyfile"; then
  written=$caddyfile
else
  written=$caddyfile.mca-manager
  echo "   note: $caddyfile is your own: merge $caddyfile.mca-manager into it, then: systemctl reload caddy"
fi
echo "$rendered" >"$written"

if [ -z "$root" ]; then
  # Validated with a storage of its own: a check must not make a local certificate authority in root's home.
  scratch=$(mktemp -d)
  if ! checked=$(HOME=$scratch XDG_DATA_HOME=$scratch XDG_CONFIG_HOME=$scratch \
    caddy validate --config "$written" --adapter caddyfile 2>&1); then
    echo "$checked" >&2
    rm -rf "$scratch"
    die "Caddy does not accept $written (above)"
  fi
  rm -rf "$scratch"
  systemctl daemon-reload
  say "Installed. Start it with: sudo $SOURCE/deploy/start.sh"
else
  say "Dry run: files written under $root"
fi
