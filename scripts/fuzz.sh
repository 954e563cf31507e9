#!/usr/bin/env bash
# Fuzz a loader. Targets (fuzz/fuzz_targets/):
#   read_csv    the CSV reader: no panic on any bytes, and CsvChunkReader agrees with
#               read_csv (pipelab::data::robustness; `cargo test --test library csv_mutations`
#               runs it on 20,000 seeded mutations without nightly);
#   spec_json   PipelineSpec::from_json, and model_file: ModelFile load + validate +
#               predict (pipelab::persist::robustness; `cargo test --test library model_mutations`
#               runs both on seeded structural and byte mutations);
#   read_formats  the Parquet, Excel/ODS, JSON and SQLite readers (pipelab::data::formats::check_reader_on;
#               `cargo test --test library formats::seeded_mutations` runs it on seeded mutations).
# Installs the nightly toolchain and cargo-fuzz when missing.
#
#   scripts/fuzz.sh                   # read_csv, 60 s
#   scripts/fuzz.sh 3600 model_file   # the longer run (an hour) before a release
#
# Crashes land in fuzz/artifacts/read_csv/; reproduce one with
#   cargo +nightly fuzz run read_csv fuzz/artifacts/read_csv/<file>
# and turn it into a regression case in tests/common/csv_cases.rs.
# The corpus (fuzz/corpus/read_csv) is seeded from tests/fixtures/csv and www/datasets.
set -euo pipefail
seconds="${1:-60}"
target="${2:-read_csv}"
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# The fuzzer's toolchain, installed on first use (not by scripts/setup.sh: the test
# command runs the same property on seeded mutations instead, tests/library/csv_mutations.rs).
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "fuzz: installing the nightly toolchain (libFuzzer needs -Zsanitizer)" >&2
  rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null; then
  echo "fuzz: installing cargo-fuzz from crates.io (a minute or two)" >&2
  cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi
corpus=fuzz/corpus/$target
mkdir -p "$corpus"
case "$target" in
  read_csv)
    for f in tests/fixtures/csv/* www/datasets/*.csv; do
        [ -f "$f" ] || continue
        # Seeds are capped at 4 KiB (small inputs run faster); the first byte selects options (0 = defaults).
        { printf '\0'; head -c 4096 "$f"; } > "$corpus/seed_$(basename "$f")"
    done ;;
  spec_json|model_file)
    # The seeds of tests/library/model_mutations.rs: a spec per model and step, full specs, fitted model files.
    PIPELAB_WRITE_FUZZ_SEEDS=fuzz/corpus cargo test --test library model_mutations::write_fuzz_seeds -- --exact >&2 ;;
  read_formats)
    # Every format fixture, behind a first byte that names its format (read_formats.rs's NAMES).
    i=0
    for ext in parquet xlsx jsonl json sqlite; do
      for f in tests/fixtures/formats/*."$ext"; do
        [ -f "$f" ] || continue
        { printf "\\$(printf '%03o' "$i")"; cat "$f"; } > "$corpus/seed_$(basename "$f")"
      done
      i=$((i + 1))
    done ;;
  *) echo "fuzz: unknown target $target (read_csv, spec_json, model_file, read_formats)" >&2; exit 2 ;;
esac
exec cargo +nightly fuzz run --fuzz-dir fuzz "$target" "$corpus" -- -max_total_time="$seconds" -max_len=262144 -timeout=10
