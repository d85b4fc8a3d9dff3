#!/usr/bin/env bash
# Runs every test: publishes berth as NativeAOT into out/, then runs the unit and end-to-end
# suites against that binary. Extra arguments go to `dotnet test` (e.g. --filter Name~Import).
set -euo pipefail
cd "$(dirname "$0")"
./build.sh
BERTH_BIN="$PWD/out/berth" dotnet test Berth.slnx -c Release --nologo "$@"
