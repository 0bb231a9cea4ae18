#!/usr/bin/env bash
# The `kiln` command as a user installs it (DESIGN §6): pack the project, install the tarball into a
# throw-away prefix (npm install -g --prefix; only the npm registry is contacted), then run the
# INSTALLED copy — `kiln --version` and a real `kiln run` against the Replicate simulator — from
# outside the repository, so nothing can quietly come from the source tree. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-pack.XXXXXX")
sim_pid=""
cleanup() {
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "ci-pack: npm pack (prepack builds out/cli/kiln.mjs)"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
# The listing is read whole before grep looks at it: `tar | grep -q` stops reading at the first
# match, and under pipefail tar's SIGPIPE then fails the check whenever a file follows the match.
listing=$(tar -tzf "$work/$tarball")
for f in out/cli/kiln.mjs out/cli/mp4-tag-worker.mjs; do
  grep -qx "package/$f" <<<"$listing" || { echo "ci-pack: the tarball has no $f"; exit 1; }
done

echo "ci-pack: npm install -g --prefix $work/prefix $tarball"
npm install -g --prefix "$work/prefix" --no-audit --no-fund --loglevel=error "$work/$tarball" >/dev/null
kiln="$work/prefix/bin/kiln"
[ -x "$kiln" ] || { echo "ci-pack: no kiln executable in the prefix"; exit 1; }

cd "$work" # away from the repository: the installed copy must stand on its own
version=$("$kiln" --version)
want="kiln $(node -p "require('$root/package.json').version")"
[ "$version" = "$want" ] || { echo "ci-pack: kiln --version printed '$version', expected '$want'"; exit 1; }
echo "ci-pack: $version"

# The simulator, in the background on a free port (npm run sim -- --port 0 runs exactly this).
node "$root/test/replicate-sim/main.ts" --port 0 >"$work/sim.out" 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do grep -q '^Token: ' "$work/sim.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^Replicate simulator: //p' "$work/sim.out")
token=$(sed -n 's/^Token: //p' "$work/sim.out")
[ -n "$base" ] && [ -n "$token" ] || { echo "ci-pack: the simulator did not start:"; cat "$work/sim.out"; exit 1; }

echo "ci-pack: installed kiln run against $base"
KILN_DATA_DIR="$work/data" KILN_REPLICATE_BASE_URL="$base" REPLICATE_API_TOKEN="$token" \
  "$kiln" run black-forest-labs/flux-schnell -i prompt="a kiln, packed and installed" --json >"$work/run.json" 2>"$work/run.err" || {
  echo "ci-pack: kiln run failed:"; cat "$work/run.err"; exit 1; }

# Saved files that exist, and thumbnails made — sharp (native) loaded in the installed copy.
node -e '
  const fs = require("fs"), path = require("path");
  const doc = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const bad = (m) => { console.error("ci-pack: " + m); console.error(JSON.stringify(doc, null, 2)); process.exit(1); };
  if (doc.status !== "succeeded") bad("status " + doc.status);
  if (!Array.isArray(doc.files) || doc.files.length === 0) bad("no files");
  for (const f of doc.files) if (!path.isAbsolute(f) || !fs.statSync(f).isFile()) bad("not a saved file: " + f);
  if (!doc.outputs.some((o) => o.thumbPath)) bad("no thumbnail: sharp did not work in the installed copy");
  console.log("ci-pack: kiln run succeeded; " + doc.files.length + " file(s) saved with thumbnails");
' "$work/run.json"

# A video: its MP4 tags are written by the worker beside the installed bundle
# (out/cli/mp4-tag-worker.mjs, a child process with mediabunny); a tagged file has no sidecar.
KILN_DATA_DIR="$work/data" KILN_REPLICATE_BASE_URL="$base" REPLICATE_API_TOKEN="$token" \
  "$kiln" run google/veo-3 -i prompt="a kiln, on video" --json >"$work/video.json" 2>"$work/video.err" || {
  echo "ci-pack: kiln run (video) failed:"; cat "$work/video.err"; exit 1; }
node -e '
  const fs = require("fs");
  const doc = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const bad = (m) => { console.error("ci-pack: " + m); console.error(JSON.stringify(doc, null, 2)); process.exit(1); };
  const mp4 = (doc.files || []).find((f) => f.endsWith(".mp4"));
  if (doc.status !== "succeeded" || !mp4) bad("no saved MP4");
  if (fs.existsSync(mp4 + ".json")) bad("the MP4 got a sidecar: its tags were not written by the installed worker");
  if (!fs.readFileSync(mp4).includes("a kiln, on video")) bad("the prompt is not in the MP4");
  console.log("ci-pack: the video was saved with its MP4 tags");
' "$work/video.json"
