#!/usr/bin/env bash
# install.sh — installs ecoz as a system service on Linux, upgrades it, or removes it.
#
#   sudo ./install.sh [--addr HOST:PORT] [--data DIR] [BINARY]   install, or upgrade
#   sudo ./install.sh --uninstall [--purge]                      remove (--purge: data too)
#
# BINARY defaults to ./ecoz beside this script (build it with
# `CGO_ENABLED=0 go build -o ecoz .`). Running the script again upgrades: the service
# is stopped, the binary replaced, the service definition rewritten by the new binary
# and started again; the data and the address chosen before are kept.
#
# The service itself is managed by the binary (`ecoz service install|start|...`,
# kardianos/service: systemd). ECOZ_PREFIX, ECOZ_DATA and ECOZ_USER move the
# defaults (/opt/ecoz, /var/lib/ecoz, ecoz); the tests use them with stand-ins for
# systemctl and useradd.
set -euo pipefail

PREFIX=${ECOZ_PREFIX:-/opt/ecoz}
SVC_USER=${ECOZ_USER:-ecoz}
CONF="$PREFIX/install.conf"

die() { echo "install.sh: $*" >&2; exit 1; }
say() { echo "==> $*"; }

usage() {
	sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

mode=install purge=0 addr="" data="${ECOZ_DATA:-}" src=""
while [ $# -gt 0 ]; do
	case "$1" in
	--uninstall) mode=uninstall ;;
	--purge) purge=1 ;;
	--addr) [ $# -ge 2 ] || usage; addr=$2; shift ;;
	--addr=*) addr=${1#--addr=} ;;
	--data) [ $# -ge 2 ] || usage; data=$2; shift ;;
	--data=*) data=${1#--data=} ;;
	-h | --help) usage ;;
	-*) echo "install.sh: неизвестный параметр $1" >&2; usage ;;
	*) [ -z "$src" ] || usage; src=$1 ;;
	esac
	shift
done
[ "$purge" = 0 ] || [ "$mode" = uninstall ] || die "--purge используется только с --uninstall"

[ "$(id -u)" = 0 ] || die "нужны права root: запустите sudo $0"

# What the previous run chose (address, data folder) stays unless given again.
prev() { [ -f "$CONF" ] && sed -n "s/^$1=//p" "$CONF" | tail -n 1 || true; }
data=${data:-$(prev data)}
data=${data:-/var/lib/ecoz}
addr=${addr:-$(prev addr)}
addr=${addr:-:8080}
case $data in
/) die "папка данных не может быть корнем файловой системы" ;;
/*) ;;
*) data="$(pwd)/$data" ;; # the service does not start in this folder
esac

bin="$PREFIX/ecoz"

# stop_service stops and removes the service definition of an installed binary;
# either may already be gone, which is what we want.
stop_service() {
	if [ -x "$bin" ]; then
		"$bin" service stop >/dev/null 2>&1 || true
		"$bin" service uninstall >/dev/null 2>&1 || true
	fi
}

if [ "$mode" = uninstall ]; then
	say "остановка и удаление службы ecoz"
	stop_service
	rm -f "$bin" "$bin.new" "$CONF" "$PREFIX/install.sh"
	rmdir "$PREFIX" 2>/dev/null || true
	if [ "$purge" = 1 ]; then
		say "удаление данных $data и пользователя $SVC_USER"
		rm -rf -- "$data"
		if id -u "$SVC_USER" >/dev/null 2>&1; then userdel "$SVC_USER" || true; fi
	else
		say "данные сохранены в $data (удалить вместе с ними: $0 --uninstall --purge)"
	fi
	exit 0
fi

if [ -z "$src" ]; then
	src="$(cd "$(dirname "$0")" && pwd)/ecoz"
fi
[ -f "$src" ] || die "нет файла программы $src; соберите его: CGO_ENABLED=0 go build -o ecoz . — или укажите путь: $0 ПУТЬ/ecoz"
# A binary for another system or a damaged download fails here, before anything changes.
version=$("$src" version 2>&1) || die "$src не запускается на этой машине: $version"

if ! id -u "$SVC_USER" >/dev/null 2>&1; then
	say "создание системного пользователя $SVC_USER"
	nologin=$(command -v nologin || echo /bin/false)
	useradd --system --home-dir "$data" --no-create-home --shell "$nologin" "$SVC_USER"
fi

say "папка данных $data"
mkdir -p "$data"
chown -R "$SVC_USER:$SVC_USER" "$data"
chmod 750 "$data"

if [ -x "$bin" ]; then
	say "обновление: $("$bin" version 2>/dev/null || echo ecoz) → $version"
	stop_service
else
	say "установка $version в $PREFIX"
fi
mkdir -p "$PREFIX"
# Copy beside, then rename: the old binary is never half-overwritten.
install -m 0755 "$src" "$bin.new"
mv -f "$bin.new" "$bin"
script="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
if [ "$script" != "$PREFIX/install.sh" ]; then install -m 0755 "$script" "$PREFIX/install.sh"; fi
printf 'addr=%s\ndata=%s\n' "$addr" "$data" >"$CONF"

"$bin" service install --data "$data" --addr "$addr" --user "$SVC_USER"
"$bin" service start

# The service manager reports "started" as soon as the process runs; ask the
# server itself whether it answers (a port in use shows up here, not next morning).
host=${addr%:*} port=${addr##*:}
case $host in "" | 0.0.0.0 | "[::]") host=127.0.0.1 ;; esac
if command -v curl >/dev/null 2>&1; then
	ok=0
	for _ in $(seq 1 75); do
		if curl -fsS -o /dev/null --max-time 2 "http://$host:$port/healthz" 2>/dev/null; then ok=1; break; fi
		sleep 0.2
	done
	[ "$ok" = 1 ] || die "служба установлена, но не отвечает на http://$host:$port/healthz; причина — в журнале: journalctl -u ecoz или $data/logs/ecoz.log"
fi
say "ecoz работает: http://$(hostname -f 2>/dev/null || hostname):$port (адрес $addr)"
say "данные: $data; журнал: $data/logs/ecoz.log и journalctl -u ecoz"
say "удаление: sudo $PREFIX/install.sh --uninstall"
