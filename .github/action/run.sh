#!/usr/bin/env bash
# The steps of the sgaudit GitHub Action (action.yml), one subcommand each, so
# that internal/actiontest can run them outside GitHub:
#
#   run.sh install   download the release archive for this runner, verify its
#                    SHA-256 against the release's checksums.txt, and put
#                    sgaudit on PATH; `go install` only when the release has no
#                    archive for this platform (or no such release)
#   run.sh scan      run `sgaudit scan`, write the step outputs and the job
#                    summary; always exits 0 once sgaudit ran, and records
#                    sgaudit's exit code as the output exit-code
#   run.sh finish    exit with that code, saying what it means
#
# Inputs arrive as SGAUDIT_INPUT_* environment variables (action.yml maps
# them). Besides the GitHub runner's own variables (RUNNER_OS, RUNNER_ARCH,
# RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STEP_SUMMARY), two
# variables exist for tests and mirrors:
#   SGAUDIT_ACTION_RELEASES_URL  base of the release downloads
#                                (default https://github.com/sgaudit/sgaudit/releases)
#   SGAUDIT_ACTION_GO_PACKAGE    what the fallback installs
#                                (default github.com/sgaudit/sgaudit/cmd/sgaudit@VERSION)
#
# Plain bash 3.2 (macOS's /bin/bash) is enough: no mapfile, no empty-array
# expansion under set -u.
set -euo pipefail

readonly module=github.com/sgaudit/sgaudit
releases_url=${SGAUDIT_ACTION_RELEASES_URL:-https://github.com/sgaudit/sgaudit/releases}
releases_url=${releases_url%/}

die() {
  echo "::error title=sgaudit action::$*" >&2
  exit 2
}

# output NAME VALUE appends a step output (single-line values only).
output() {
  if [[ -n ${GITHUB_OUTPUT:-} ]]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

# platform prints "<goos> <goarch>" for this runner: the runner's own
# variables on GitHub, uname elsewhere.
platform() {
  local os=${RUNNER_OS:-} arch=${RUNNER_ARCH:-}
  if [[ -z $os ]]; then
    case "$(uname -s)" in
      Linux) os=Linux ;;
      Darwin) os=macOS ;;
      MINGW* | MSYS* | CYGWIN*) os=Windows ;;
      *) os=$(uname -s) ;;
    esac
  fi
  if [[ -z $arch ]]; then
    case "$(uname -m)" in
      x86_64 | amd64) arch=X64 ;;
      aarch64 | arm64) arch=ARM64 ;;
      i?86) arch=X86 ;;
      *) arch=$(uname -m) ;;
    esac
  fi
  local goos goarch
  case "$os" in
    Linux) goos=linux ;;
    macOS) goos=darwin ;;
    Windows) goos=windows ;;
    *) goos=$(printf '%s' "$os" | tr '[:upper:]' '[:lower:]') ;;
  esac
  case "$arch" in
    X64) goarch=amd64 ;;
    ARM64) goarch=arm64 ;;
    X86) goarch=386 ;;
    ARM) goarch=arm ;;
    *) goarch=$(printf '%s' "$arch" | tr '[:upper:]' '[:lower:]') ;;
  esac
  printf '%s %s\n' "$goos" "$goarch"
}

# resolve_version prints the release tag to install: the input, else the
# action's own ref when it is a full version tag (uses: sgaudit/sgaudit@v1.2.3
# runs sgaudit v1.2.3), else "latest".
resolve_version() {
  local v=${SGAUDIT_INPUT_VERSION:-}
  if [[ -z $v ]]; then
    if [[ ${SGAUDIT_ACTION_REF:-} =~ ^v[0-9]+\.[0-9]+\.[0-9]+([-+].*)?$ ]]; then
      v=$SGAUDIT_ACTION_REF
    else
      v=latest
    fi
  fi
  if [[ $v != latest && $v != v* ]]; then
    v=v$v
  fi
  if [[ ! $v =~ ^(latest|v[0-9A-Za-z.+-]+)$ ]]; then
    die "input version: want a release tag such as v1.2.3 or latest, got \"$v\""
  fi
  printf '%s\n' "$v"
}

# fetch URL FILE downloads URL to FILE and prints the HTTP status (000 when
# no HTTP answer came).
fetch() {
  local code
  code=$(curl --silent --show-error --location --retry 3 --retry-connrefused \
    --proto '=https,http' --output "$2" --write-out '%{http_code}' "$1") || true
  printf '%s\n' "${code:-000}"
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# go_install VERSION DIR builds sgaudit from source into DIR: the fallback
# for platforms and versions without a release archive.
go_install() {
  local version=$1 dir=$2 pkg
  command -v go >/dev/null 2>&1 ||
    die "no release archive for this platform or version, and no Go toolchain to build sgaudit $version (add actions/setup-go before this action)"
  pkg=${SGAUDIT_ACTION_GO_PACKAGE:-$module/cmd/sgaudit@$version}
  echo "sgaudit: no release archive; building from source: go install $pkg" >&2
  local ldflags=()
  if [[ $version != latest ]]; then
    ldflags=(-ldflags "-X main.version=$version")
  fi
  GOBIN=$dir CGO_ENABLED=0 go install -trimpath ${ldflags[@]+"${ldflags[@]}"} "$pkg" ||
    die "go install $pkg failed"
}

cmd_install() {
  local version goos goarch ext exe="" name url dir code want got
  version=$(resolve_version)
  read -r goos goarch < <(platform)
  ext=tar.gz
  if [[ $goos == windows ]]; then
    ext=zip
    exe=.exe
  fi
  name=sgaudit_${goos}_${goarch}.$ext
  if [[ $version == latest ]]; then
    url=$releases_url/latest/download
  else
    url=$releases_url/download/$version
  fi
  dir=${SGAUDIT_ACTION_INSTALL_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/sgaudit-$version-$goos-$goarch}
  mkdir -p "$dir"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT

  code=$(fetch "$url/$name" "$tmp/$name")
  case "$code" in
    200)
      code=$(fetch "$url/checksums.txt" "$tmp/checksums.txt")
      [[ $code == 200 ]] || die "download $url/checksums.txt: HTTP $code (the archive exists, so the release is broken; refusing an unverified binary)"
      want=$(awk -v n="$name" '$2 == n || $2 == "*" n { print $1; exit }' "$tmp/checksums.txt")
      [[ -n $want ]] || die "checksums.txt of $version lists no $name"
      got=$(sha256 "$tmp/$name")
      [[ $got == "$want" ]] || die "checksum mismatch for $name: checksums.txt says $want, the download is $got"
      if [[ $ext == zip ]] && command -v unzip >/dev/null 2>&1; then
        unzip -q -o "$tmp/$name" "sgaudit$exe" -d "$dir"
      elif [[ $ext == zip ]] && command -v powershell >/dev/null 2>&1; then
        # Windows runners without unzip in Git Bash.
        powershell -NoProfile -NonInteractive -Command \
          "Expand-Archive -Force -LiteralPath '$tmp/$name' -DestinationPath '$dir'"
      elif [[ $ext == zip ]]; then
        die "no unzip or PowerShell to extract $name: install unzip on the runner"
      else
        tar -xzf "$tmp/$name" -C "$dir" "sgaudit$exe"
      fi
      echo "sgaudit: installed $name of $version (sha256 $got)" >&2
      ;;
    404)
      go_install "$version" "$dir"
      ;;
    *)
      die "download $url/$name: HTTP $code"
      ;;
  esac
  [[ -x $dir/sgaudit$exe ]] || die "no sgaudit$exe in $dir after install"
  "$dir/sgaudit$exe" version >&2 || die "$dir/sgaudit$exe does not run"
  if [[ -n ${GITHUB_PATH:-} ]]; then
    printf '%s\n' "$dir" >>"$GITHUB_PATH"
  fi
  output path "$dir/sgaudit$exe"
}

# scan_args prints sgaudit's arguments, one per line, from the inputs.
scan_args() {
  local formats=${SGAUDIT_INPUT_FORMAT:-sarif}
  formats=${formats// /}
  # The action reads findings.json for its outputs and summary.md for the job
  # summary, so those two are always written.
  [[ ,$formats, == *,json,* ]] || formats=$formats,json
  [[ ,$formats, == *,markdown,* ]] || formats=$formats,markdown
  printf '%s\n' scan --format "${formats#,}" --output-dir "$1"
  [[ -z ${SGAUDIT_INPUT_FAIL_ON:-} ]] || printf '%s\n' --fail-on "$SGAUDIT_INPUT_FAIL_ON"
  [[ -z ${SGAUDIT_INPUT_CONFIG:-} ]] || printf '%s\n' --config "$SGAUDIT_INPUT_CONFIG"
  case "${SGAUDIT_INPUT_ORG:-false}" in
    true) printf '%s\n' --org ;;
    false | "") ;;
    *) die "input org: want true or false, got \"$SGAUDIT_INPUT_ORG\"" ;;
  esac
  [[ -z ${SGAUDIT_INPUT_REGIONS:-} ]] || printf '%s\n' --regions "${SGAUDIT_INPUT_REGIONS// /}"
  [[ -z ${SGAUDIT_INPUT_ROLE_NAME:-} ]] || printf '%s\n' --role-name "$SGAUDIT_INPUT_ROLE_NAME"
  # args: more flags, split on white space (no shell quoting: a value with a
  # space cannot be passed here; use a --config file for those).
  local extra=()
  read -r -d '' -a extra <<<"${SGAUDIT_INPUT_ARGS:-}" || true
  if ((${#extra[@]} > 0)); then
    printf '%s\n' "${extra[@]}"
  fi
}

cmd_scan() {
  local bin=${SGAUDIT_BIN:-sgaudit} outdir=${SGAUDIT_INPUT_OUTPUT_DIR:-sgaudit-results}
  local args=() code=0 text
  # Not a process substitution: a bad input must stop the script here.
  text=$(scan_args "$outdir")
  local line
  while IFS= read -r line; do
    args+=("$line")
  done <<<"$text"
  ((${#args[@]} > 0)) || die "could not build the sgaudit arguments"
  echo "sgaudit: $bin ${args[*]}" >&2
  set +e
  "$bin" "${args[@]}"
  code=$?
  set -e
  output exit-code "$code"
  output output-dir "$outdir"

  local json=$outdir/findings.json sarif=() f
  for f in "$outdir"/*.sarif; do
    [[ -e $f ]] && sarif+=("$f")
  done
  if ((${#sarif[@]} > 0)); then
    output sarif "$(printf '%s\n' "${sarif[@]}" | head -n 1)"
    output sarif-files "$(
      IFS=,
      echo "${sarif[*]}"
    )"
  fi
  if [[ -f $json ]]; then
    output findings-json "$json"
    local counts
    # One line: findings suppressed critical high medium low.
    counts=$(jq -r '.summary as $s | [$s.findings, $s.suppressed,
      ($s.by_severity.CRITICAL // 0), ($s.by_severity.HIGH // 0),
      ($s.by_severity.MEDIUM // 0), ($s.by_severity.LOW // 0)] | @tsv' "$json") ||
      die "read the counts from $json"
    local findings suppressed critical high medium low
    read -r findings suppressed critical high medium low <<<"$counts"
    output findings "$findings"
    output suppressed "$suppressed"
    output critical "$critical"
    output high "$high"
    output medium "$medium"
    output low "$low"
  fi
  if [[ -f $outdir/summary.md ]]; then
    output summary "$outdir/summary.md"
    if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
      cat "$outdir/summary.md" >>"$GITHUB_STEP_SUMMARY"
    fi
  fi
}

cmd_finish() {
  local code=${SGAUDIT_EXIT_CODE:-}
  case "$code" in
    0) exit 0 ;;
    1) echo "::error title=sgaudit::findings at or above fail-on (${SGAUDIT_INPUT_FAIL_ON:-}); sgaudit exited 1" >&2 ;;
    2) echo "::error title=sgaudit::usage, configuration, credentials or input error; sgaudit exited 2 (see its message above)" >&2 ;;
    3) echo "::error title=sgaudit::incomplete scan: an account or region could not be read; sgaudit exited 3" >&2 ;;
    '') die "no exit code recorded: did the scan step run?" ;;
    *) echo "::error title=sgaudit::sgaudit exited $code" >&2 ;;
  esac
  exit "$code"
}

case "${1:-}" in
  install) cmd_install ;;
  scan) cmd_scan ;;
  finish) cmd_finish ;;
  *)
    echo "usage: run.sh install|scan|finish" >&2
    exit 2
    ;;
esac
