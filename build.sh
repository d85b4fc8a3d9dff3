#!/usr/bin/env bash
# Publishes berth as one NativeAOT binary: out/berth.
set -euo pipefail
cd "$(dirname "$0")"
dotnet publish src/Berth.Cli/Berth.Cli.csproj -c Release -r linux-x64 -o out --nologo -v quiet
test -x out/berth
