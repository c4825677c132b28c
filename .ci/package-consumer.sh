#!/usr/bin/env bash
# Proves the NuGet packages from the outside: packs the libraries into a local folder feed (unique prerelease version,
# so no stale cache entry is used), then creates a console app under $TMPDIR, OUTSIDE the repository (no
# Directory.Build.props, no ProjectReference), that references them by package name and version, builds, runs, publishes
# (linux-x64, framework-dependent) and runs the published app. The TorchSharp app loading libtorch on a libstdc++
# without GLIBCXX_3.4.32 (Debian 12: 3.4.30) proves the package's buildTransitive native fix.
# The ONNX Runtime app (samples/PackageConsumer.Onnx, packages ClipSharpNet.Onnx + Extensions.AI) embeds the same image
# with the torch app's model exported by `clipsharp export onnx` and fails unless its vector equals the one the torch
# app wrote (max |diff| <= 1e-5, cosine >= 0.9999); its restore must hold no TorchSharp/libtorch, its output no libvips.so.42
# (it decodes with Skia; libvips is optional there).
# Prints package and published-app sizes. Extend: add a flavour to FLAVOURS and a samples/<dir>/ with Program.cs and a
# Consumer.csproj.template (@VERSION@), and its pack project to PACK.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/clipsharp-consumer.XXXXXX")
ver="0.1.0-ci.$(date +%s)"
feed="$work/feed"
PACK=(src/ClipSharp.Primitives src/ClipSharp.Extensions.AI src/ClipSharp src/ClipSharp.Training)
FLAVOURS=(torch:samples/PackageConsumer)
if [ -d src/ClipSharp.Onnx ]; then PACK+=(src/ClipSharp.Onnx); else echo "package-consumer: src/ClipSharp.Onnx not in this tree: no ONNX Runtime consumer"; fi
[ -d samples/PackageConsumer.Onnx ] && [ -d src/ClipSharp.Onnx ] && FLAVOURS+=(onnx:samples/PackageConsumer.Onnx)

cleanup() { rm -rf "$work"; rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/clipsharpnet.*/"$ver"; }
trap cleanup EXIT

for p in "${PACK[@]}"; do
  dotnet pack "$p" -c Release --nologo -v quiet -p:Version="$ver" -p:PackageOutputPath="$feed" >/dev/null
done
echo "package-consumer: packages ($ver):"
for f in "$feed"/*.nupkg; do printf '  %-52s %8d KB\n' "$(basename "$f")" $(( $(stat -c %s "$f") / 1024 )); done

model="$work/model"
image="$root/docs/results/inverse-effect-300steps-gain-vs-k.png"
embedding="$work/torch-image-embedding.txt"   # the torch app writes its image embedding; the ONNX app compares with it
for fl in "${FLAVOURS[@]}"; do
  name=${fl%%:*}; src=${fl#*:}; app="$work/app-$name"
  mkdir -p "$app"
  cp "$src"/*.cs "$app"/
  sed "s/@VERSION@/$ver/g" "$src/Consumer.csproj.template" > "$app/Consumer.csproj"
  cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources><add key="clipsharp-local" value="$feed" /></packageSources></configuration>
XML
  modelarg="$model"
  if [ "$name" = onnx ]; then   # the ONNX Runtime app embeds with the torch app's model exported by the CLI
    modelarg="$work/model-onnx"
    dotnet run --project src/ClipSharp.Cli -c Release -- export onnx "$model" --out "$modelarg" >/dev/null
  fi
  ( cd "$app"
    dotnet build -c Release --nologo -v quiet -o out >/dev/null
    # An inference app carries no training-only dependency (plots, Parquet): they live in ClipSharpNet.Training.
    if grep -qiE '"(ScottPlot|Parquet\.Net)/' obj/project.assets.json; then echo "package-consumer: $name app restores ScottPlot/Parquet.Net"; exit 1; fi
    # The ONNX Runtime app carries no libtorch: neither TorchSharp nor ClipSharpNet.TorchSharp is in its restore.
    if [ "$name" = onnx ] && grep -qiE '"(TorchSharp[^"]*|libtorch[^"]*|ClipSharpNet\.TorchSharp)/' obj/project.assets.json; then echo "package-consumer: onnx app restores TorchSharp/libtorch"; exit 1; fi
    dotnet out/Consumer.dll "$modelarg" "$root/configs/models/test-clips-tiny.json" "$image" "$embedding"
    if [ "$name" = onnx ]; then
      # Negative control: the parity check must reject a reference 1e-4 off in one component.
      awk 'NR == 1 { printf "%.9g\n", $0 + 1e-4; next } { print }' "$embedding" > "$work/perturbed-embedding.txt"
      if dotnet out/Consumer.dll "$modelarg" "$root/configs/models/test-clips-tiny.json" "$image" "$work/perturbed-embedding.txt" >/dev/null; then
        echo "package-consumer: the onnx app accepted a perturbed reference embedding: its parity check proves nothing"; exit 1
      fi
      echo "package-consumer: onnx app: a reference embedding 1e-4 off fails its parity check (negative control)"
    fi
    dotnet publish -c Release -r linux-x64 --self-contained false --nologo -v quiet -o publish >/dev/null
    ./publish/Consumer "$modelarg" "$root/configs/models/test-clips-tiny.json" "$image" "$embedding" >/dev/null
    # Native decoders: the ONNX Runtime app decodes with Skia (12 MB) and carries no libvips (18 MB; NetVips.Native is
    # the app's own choice, for formats beyond plain JPEG and PNG); the torch app carries both.
    if [ "$name" = onnx ] && ls out/libvips.so.42 publish/libvips.so.42 >/dev/null 2>&1; then echo "package-consumer: onnx app carries libvips.so.42"; exit 1; fi
    for lib in libSkiaSharp.so $([ "$name" = torch ] && echo libvips.so.42); do
      if [ ! -f "publish/$lib" ]; then echo "package-consumer: $name app lacks $lib"; exit 1; fi
    done
    echo "package-consumer: $name app: native runtime folders in the build output: $(ls out/runtimes 2>/dev/null | tr '\n' ' ')"
    if [ "$name" = torch ] && [ -f /usr/lib/x86_64-linux-gnu/libstdc++.so.6 ] && ! grep -qa 'GLIBCXX_3\.4\.32' /usr/lib/x86_64-linux-gnu/libstdc++.so.6; then
      # Negative control: without the package's fix the same app must fail to load libtorch here.
      dotnet build -c Release --nologo -v quiet -o out-nofix -p:ClipSharpGlibcxxFix=false >/dev/null
      # (an inner shell waits for it, so the abort is not reported as a script error)
      if bash -c '"$@"; exit $?' _ dotnet out-nofix/Consumer.dll "$model" "$root/configs/models/test-clips-tiny.json" "$image" >/dev/null 2>&1; then echo "package-consumer: the app ran WITHOUT the GLIBCXX fix: the check proves nothing"; exit 1; fi
      echo "package-consumer: libstdc++ lacks GLIBCXX_3.4.32; with ClipSharpGlibcxxFix=false the app fails, with the package's fix it runs"
      rm -rf out-nofix
    fi
    echo "package-consumer: $name app: build output $(du -sm out | cut -f1) MB, published (linux-x64) $(du -sm publish | cut -f1) MB, runs from both"
    if [ "$name" = onnx ]; then echo "package-consumer: onnx app: largest published files: $(cd publish && du -k -- * | sort -rn | head -4 | awk '{ printf "%s %.1f MB; ", $2, $1 / 1024 }')"; fi
    du -sk publish | cut -f1 > "$work/published-kb-$name" )
done
if [ -f "$work/published-kb-onnx" ]; then
  echo "package-consumer: published ONNX Runtime app / libtorch app = $(awk -v o="$(cat "$work/published-kb-onnx")" -v t="$(cat "$work/published-kb-torch")" 'BEGIN { printf "%.3f", o / t }') (goal <= 0.1)"
fi
echo "package-consumer: OK"
