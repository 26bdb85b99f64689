#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver for the browser tests when missing, and a
# Chinese font (WenQuanYi Zen Hei, 7 MB) so that screenshots show Chinese titles, not boxes.
set -u
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium chromium-driver)
command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh | grep -q . || packages+=(fonts-wqy-zenhei)
[ ${#packages[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "cannot install ${packages[*]} here; browser tests are skipped without chromium" >&2
  exit 0
fi
echo "installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq "${packages[@]}" >/dev/null \
  || echo "could not install ${packages[*]}; browser tests are skipped without chromium" >&2
