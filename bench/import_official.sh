#!/usr/bin/env bash
# Import and strictly validate the Negation Neglect paper's six official claim folders.
# Not run by the tests (the official files carry no licence and are not in this repo).
#
#   bench/import_official.sh PATH/TO/claims [OUT_DIR]
#
# PATH/TO/claims holds ed_sheeran/, queen_elizabeth/, mount_vesuvius/, x_rebrand_reversal/,
# colorless_dreaming/ and dentist/ (the official repository's claims/ folder). Prints one line per
# claim: ok (with its warning count, every warning a thing the importer derived) or FAILED (with the
# step and the error). Exits non-zero when any claim fails.
set -u
src=${1:?usage: bench/import_official.sh PATH/TO/claims [OUT_DIR]}
out=${2:-$(mktemp -d)}
negneg=${NEGNEG:-$(dirname "$0")/../.venv/bin/negneg}
[ -x "$negneg" ] || negneg=negneg
mkdir -p "$out"
fail=0
for id in ed_sheeran queen_elizabeth mount_vesuvius x_rebrand_reversal colorless_dreaming dentist; do
  if [ ! -d "$src/$id" ]; then
    printf '%-20s FAILED  no folder %s\n' "$id" "$src/$id"; fail=1; continue
  fi
  if ! "$negneg" claims import "$src/$id" -o "$out/$id.yaml" >"$out/$id.import.log" 2>&1; then
    printf '%-20s FAILED  import: %s\n' "$id" "$(tail -n 1 "$out/$id.import.log")"; fail=1; continue
  fi
  if ! "$negneg" claims validate "$out/$id.yaml" >"$out/$id.validate.log" 2>&1; then
    printf '%-20s FAILED  validate: %s\n' "$id" "$(tail -n 1 "$out/$id.validate.log")"; fail=1; continue
  fi
  printf '%-20s ok      %s warnings  (%s)\n' "$id" "$(grep -c 'warning:' "$out/$id.validate.log")" "$out/$id.yaml"
done
exit $fail
