#!/usr/bin/env bash
# Installs the Debian packages Coffeechat needs, only those missing, and only when it can
# (root on a Debian-like system). Elsewhere it prints what to install and carries on.
#   scripts/system-deps.sh runtime   - what the window needs (Qt's xcb platform)
#   scripts/system-deps.sh test      - runtime + what the test suite starts (Xvfb; a private
#                                      session bus with dunst for notifications; the desktop
#                                      entry's and the AppStream metainfo's validators; Dovecot,
#                                      the IMAP server the IMAP tests start; gnome-keyring as a
#                                      real Secret Service)
set -euo pipefail
set_name=${1:-runtime}
runtime=(libglib2.0-0 libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
         libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0
         libxcb-shape0 libxcb-xinerama0 libxcb-randr0 fonts-dejavu-core)
test_extra=(xvfb xauth dbus dunst libnotify-bin desktop-file-utils appstream openssl dovecot-imapd
            gnome-keyring)
want=("${runtime[@]}")
[ "$set_name" = test ] && want+=("${test_extra[@]}")

command -v dpkg-query >/dev/null 2>&1 || { echo "system-deps: not a Debian system; make sure Qt 6's xcb libraries are installed"; exit 0; }
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing Debian packages: ${missing[*]}"
  echo "system-deps: install them with: sudo apt-get install --no-install-recommends ${missing[*]}"
  exit 0
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# Packages with a service (dovecot) must not start it system-wide: the tests start their own.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
