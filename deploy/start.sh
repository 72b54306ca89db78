#!/usr/bin/env bash
# Starts MCA Manager as deploy/install.sh installed it, now and at every boot: Caddy and one app instance per
# port in /etc/mca-manager/ports. Run again after an upgrade (install.sh) to restart the instances one at a time:
# each drains before it stops, and the next waits until the one before answers its health check again.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "start.sh: run it as root (sudo deploy/start.sh)" >&2; exit 1; }
read -r -a ports </etc/mca-manager/ports

wait_healthy() {
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "start.sh: the instance on port $1 was not ready (/readyz) within 60 s: journalctl -u mca-manager@$1" >&2
  exit 1
}

systemctl enable --now caddy
for port in "${ports[@]}"; do
  unit="mca-manager@$port"
  systemctl enable "$unit"
  if systemctl is-active --quiet "$unit"; then systemctl restart "$unit"; else systemctl start "$unit"; fi
  wait_healthy "$port"
  # Caddy checks health every second: let it see this instance up before the next one stops.
  [ "${#ports[@]}" -gt 1 ] && sleep 3
done
systemctl reload caddy

# Through Caddy, as a user reaches it: a site without a certificate (no public name, DNS not pointing here, ports
# 80 and 443 closed) refuses every HTTPS connection while each instance is ready.
public_url=$(grep '^PUBLIC_URL=' /etc/mca-manager/env | cut -d= -f2-)
if grep -q "^# Written by MCA Manager's deploy/install.sh" /etc/caddy/Caddyfile 2>/dev/null &&
  [[ "$public_url" =~ ^https://([^/:]+)(:([0-9]+))?(/.*)?$ ]]; then
  host=${BASH_REMATCH[1]} https_port=${BASH_REMATCH[3]:-443}
  for attempt in $(seq 1 45); do
    curl -ksS -m 2 -o /dev/null --resolve "$host:$https_port:127.0.0.1" "https://$host:$https_port/readyz" 2>/dev/null &&
      break
    if [ "$attempt" -eq 45 ]; then
      echo "start.sh: the app is running, but Caddy does not answer https://$host over HTTPS (no certificate):" >&2
      echo "  journalctl -u caddy says why. A public name needs its DNS pointing at this machine and ports 80 and" >&2
      echo "  443 open; a machine without one: sudo deploy/install.sh $host --tls internal, then this again." >&2
      exit 1
    fi
    sleep 1
  done
fi
echo "== MCA Manager is running: $public_url"
