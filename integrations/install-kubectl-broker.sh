#!/bin/sh
# Installs one pinned kubectl-broker release archive, for the GitHub action and the GitLab
# template alike (the template carries a copy, kept equal by scripts/pin-ci-integrations.ts).
# The archive's SHA-256 is checked against the pinned one before anything is unpacked, so a
# swapped or truncated download never runs.
#
#   KUBE_BROKER_VERSION       the release, such as 0.1.0 (required)
#   KUBE_BROKER_SHA256        the archive's SHA-256 (required: never unpinned); or several,
#                             as "linux_x64=<hex> linux_arm64=<hex>", "<archive>=<hex> …" or
#                             the release's checksums file as it is
#   KUBE_BROKER_INSTALL_DIR   where kubectl-broker goes (required)
#   KUBE_BROKER_DOWNLOAD_URL  base of <base>/v<version>/<archive> (default: GitHub releases;
#                             a mirror, or a test's server)
#
# POSIX sh, and no "set -u": GitLab runs this inside its job's own shell (sh on Alpine).
(
  fail() {
    echo "kube-broker: $*" >&2
    exit 1
  }
  version="${KUBE_BROKER_VERSION#v}"
  [ -n "$version" ] || fail "no kubectl-broker version given (KUBE_BROKER_VERSION)"
  [ -n "$KUBE_BROKER_INSTALL_DIR" ] || fail "no install directory given (KUBE_BROKER_INSTALL_DIR)"
  base="${KUBE_BROKER_DOWNLOAD_URL:-https://github.com/kube-broker/kube-broker/releases/download}"

  # GitHub names the runner (RUNNER_OS, RUNNER_ARCH); elsewhere uname says.
  os="${RUNNER_OS:-$(uname -s)}"
  case "$os" in
    Linux | linux) os=linux ;;
    *) fail "kubectl-broker is built for Linux only, not $os" ;;
  esac
  arch="${RUNNER_ARCH:-$(uname -m)}"
  case "$arch" in
    X64 | x86_64 | amd64) arch=x64 ;;
    ARM64 | aarch64 | arm64) arch=arm64 ;;
    *) fail "kubectl-broker is built for x64 and arm64 only, not $arch" ;;
  esac
  platform="${os}_${arch}"
  archive="kubectl-broker_v${version}_${platform}.tar.gz"

  # Pins: a lone checksum (this platform's), "<platform>=<hex>" or "<archive>=<hex>" (the
  # pinned defaults name archives, so they hold for their version only), or the lines of a
  # release's checksums file, "<hex>  <archive>", of which only this archive's counts.
  expected=""
  lone=""
  set -f # split on white space, never globbed
  for pin in $KUBE_BROKER_SHA256; do
    case "$pin" in
      "$platform="* | "$archive="*) expected="${pin#*=}" ;;
      *=*) ;;
      *.tar.gz)
        [ "${pin#\*}" = "$archive" ] && expected="$lone"
        lone=""
        ;;
      *) lone="$pin" ;;
    esac
  done
  [ -n "$expected" ] || expected="$lone"
  expected=$(printf '%s' "$expected" | tr 'A-F' 'a-f')
  case "$expected" in
    "") fail "no SHA-256 pinned for $archive; set sha256 to its line in the release's kubectl-broker_v${version}_checksums.txt" ;;
    *[!0-9a-f]*) fail "the pinned SHA-256 for $archive is not 64 hex digits" ;;
  esac
  [ "${#expected}" -eq 64 ] || fail "the pinned SHA-256 for $archive is not 64 hex digits"

  work=$(mktemp -d) || fail "cannot make a temporary directory"
  trap 'rm -rf "$work"' EXIT
  url="$base/v$version/$archive"
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 -o "$work/$archive" "$url" || fail "cannot download $url"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$work/$archive" "$url" || fail "cannot download $url"
  else
    fail "neither curl nor wget is installed; one is needed to download $url"
  fi

  if command -v sha256sum >/dev/null 2>&1; then
    actual=$(sha256sum "$work/$archive" | cut -d ' ' -f 1)
  elif command -v shasum >/dev/null 2>&1; then
    actual=$(shasum -a 256 "$work/$archive" | cut -d ' ' -f 1)
  else
    fail "neither sha256sum nor shasum is installed; one is needed to check $archive"
  fi
  [ "$actual" = "$expected" ] ||
    fail "$archive from $url has SHA-256 $actual, not the pinned $expected; not installing it"

  mkdir -p "$work/unpacked" "$KUBE_BROKER_INSTALL_DIR" || fail "cannot create $KUBE_BROKER_INSTALL_DIR"
  tar -xzf "$work/$archive" -C "$work/unpacked" kubectl-broker || fail "cannot unpack $archive"
  # Into place by rename, so a second run never leaves a half-copied executable behind.
  cp "$work/unpacked/kubectl-broker" "$KUBE_BROKER_INSTALL_DIR/.kubectl-broker.new" &&
    chmod 0755 "$KUBE_BROKER_INSTALL_DIR/.kubectl-broker.new" &&
    mv -f "$KUBE_BROKER_INSTALL_DIR/.kubectl-broker.new" "$KUBE_BROKER_INSTALL_DIR/kubectl-broker" ||
    fail "cannot install kubectl-broker in $KUBE_BROKER_INSTALL_DIR"
  echo "Installed kubectl-broker v$version ($platform, sha256 $actual) in $KUBE_BROKER_INSTALL_DIR" >&2
) || exit 1
