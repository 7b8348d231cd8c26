#!/usr/bin/env bash
# Sets up and builds, checks the installed SDK package with the out-of-tree example plugin,
# then runs the whole test suite (GoogleTest through CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
scripts/setup.sh "$build"

# The SDK as a plugin author gets it: install the package, build examples/plugin against it
# with find_package(poolbench), then load the plugin and cross-check its strategy.
echo "test: installing to $build/install and building examples/plugin against it" >&2
cmake --install "$build" --prefix "$build/install" >/dev/null
cmake -S examples/plugin -B "$build/example-plugin" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$PWD/$build/install" >/dev/null
cmake --build "$build/example-plugin" -j "$(nproc)"
plugin="$build/example-plugin/example_separable.so"
"$build/poolbench" --plugin "$plugin" check --strategy example_separable -q
"$build/poolbench" --plugin "$plugin" check --strategy example_separable -q --fuzz 200

# The unit, cross-check and command-line tests last, so their summary closes the log.
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
