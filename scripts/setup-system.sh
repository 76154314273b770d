#!/usr/bin/env bash
# Debian packages the project needs, installed only when missing (safe to run again and again).
#   base : gettext (msgfmt, to compile the Chinese/English message files)
#   test : base + chromium (headless browser tests, driven by Playwright with executable_path; these machines
#          cannot download a browser) + fonts-noto-cjk (Chinese glyphs in screenshots and, later, PDFs)
set -euo pipefail
profile=${1:-base}
packages=(gettext)
if [ "$profile" = "test" ]; then
  packages+=(chromium fonts-noto-cjk)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "Missing system packages: ${missing[*]}. Install them with your system's package manager." >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing system packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
