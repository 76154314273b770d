#!/usr/bin/env bash
# Debian packages the project needs, installed only when missing (safe to run again and again).
#   base : gettext (msgfmt, to compile the Chinese/English message files), npm (the kiosk's QR reader),
#          fonts-noto-cjk and pango (the printed documents: WeasyPrint lays Chinese out with pango and embeds
#          the Noto CJK fonts; make demo prints PDFs)
#   test : base + chromium (headless browser tests, driven by Playwright with executable_path; these machines
#          cannot download a browser) + poppler-utils (pdffonts and pdftotext read the PDFs back)
set -euo pipefail
profile=${1:-base}
packages=(gettext fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0)
if [ "$profile" = "test" ]; then
  packages+=(chromium poppler-utils)
fi

# npm installs jsQR, which the kiosk serves from static/vendor/ (and, for tests, axe-core).
command -v npm >/dev/null || packages+=(npm)

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
