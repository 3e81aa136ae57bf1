#!/usr/bin/env bash
# Installs the Debian tools the end-to-end tests drive (real ptys, real serial
# clients, real audio tools, a PostgreSQL server). Does nothing when they are all present.
set -euo pipefail
need=()
command -v socat >/dev/null || need+=(socat)
/usr/bin/python3 -c 'import serial' 2>/dev/null || need+=(python3-serial)
command -v chat >/dev/null || need+=(ppp)
command -v sox >/dev/null || need+=(sox)
command -v multimon-ng >/dev/null || need+=(multimon-ng)
/usr/bin/python3 -c 'from cryptography.hazmat.primitives.ciphers.aead import AESGCM' 2>/dev/null || need+=(python3-cryptography)
# The centre's database tests start a throwaway PostgreSQL cluster (test/support/postgres-cluster.ts).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
# The DTMF talk-off test speaks its corpus with espeak-ng (test/support/speech-corpus.ts).
command -v espeak-ng >/dev/null || need+=(espeak-ng)
# The Python control client's suite (clients/python/tests, test/python/pytest-suite.test.ts).
/usr/bin/python3 -c 'import pytest' 2>/dev/null || need+=(python3-pytest)
# The trace test reads hicom-sim's captures with tshark (test/e2e/trace-pcap.test.ts).
command -v tshark >/dev/null || need+=(tshark)
# Browser tests drive Debian's Chromium through playwright-core (test/support/browser.ts).
[ -x /usr/bin/chromium ] || need+=(chromium)
# The portal's walks read exported PDFs back with pdftotext and make throwaway TLS certificates with openssl.
command -v pdftotext >/dev/null || need+=(poppler-utils)
command -v openssl >/dev/null || need+=(openssl)
# LAN teleservice's customer LANs are network namespaces joined by veth pairs (src/lab/lan-network.ts).
command -v ip >/dev/null || need+=(iproute2)
command -v ping >/dev/null || need+=(iputils-ping)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
  echo "test-deps: missing ${need[*]}; install them as root (apt-get install ${need[*]})" >&2
  exit 1
fi
SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
echo "test-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
