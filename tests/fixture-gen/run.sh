#!/usr/bin/env bash
# Regenerates the committed reference fixtures with the PyTorch/OpenCLIP reference (the chroot that
# ../shared/peer/setup.sh makes under /tmp/peers; it sees only /tmp/peers/scratch).
#   bash tests/fixture-gen/run.sh keylists   # tests/fixtures/openclip-keylists/*.json
#   bash tests/fixture-gen/run.sh flags      # tests/fixtures/openclip-flags/ (manifest.json + one folder per model)
#   bash tests/fixture-gen/run.sh rn         # tests/fixtures/openclip-rn/ (tiny ModifiedResNet CLIP, BatchNorm state)
# Review the diff before committing: these files are what the tests compare against.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED=${CLIPSHARP_SHARED:-$REPO/../shared}
[[ -d $SHARED ]] || SHARED=/work/shared
PEER=$SHARED/peer/peer_python.sh
WORK=/tmp/peers/scratch/clipsharp-fixture-gen
rm -rf "$WORK" && mkdir -p "$WORK"
cp -r "$REPO/tests/fixture-gen" "$REPO/configs/models" "$WORK/"
case "${1:-}" in
  keylists)
    cp -r "$SHARED/fixtures/openclip/state_dicts" "$WORK/shared_lists"
    (cd "$WORK" && "$PEER" fixture-gen/make_keylists.py --configs models --shared-lists shared_lists --out out)
    mkdir -p "$REPO/tests/fixtures/openclip-keylists"
    cp "$WORK"/out/*.json "$REPO/tests/fixtures/openclip-keylists/" ;;
  flags)
    (cd "$WORK" && "$PEER" fixture-gen/make_flag_fixtures.py --out out)
    rm -rf "$REPO/tests/fixtures/openclip-flags" && mkdir -p "$REPO/tests/fixtures/openclip-flags"
    cp -r "$WORK"/out/. "$REPO/tests/fixtures/openclip-flags/" ;;
  rn)
    (cd "$WORK" && nice -n 19 "$PEER" fixture-gen/make_resnet_fixtures.py --out out)   # also verifies (sha256, strict reload)
    rm -rf "$REPO/tests/fixtures/openclip-rn" && mkdir -p "$REPO/tests/fixtures/openclip-rn"
    cp -r "$WORK"/out/. "$REPO/tests/fixtures/openclip-rn/" ;;
  *) echo "usage: $0 keylists|flags|rn" >&2; exit 2 ;;
esac
