#!/usr/bin/env bash
# Sets up and builds, checks the installed SDK package with the out-of-tree example plugin,
# then runs the whole test suite (GoogleTest through CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
scripts/setup.sh "$build"

# The SDK as a plugin author gets it: install the package, build examples/plugin against it
# with find_package(poolbench) and no build type, as a plugin author's first try does (the
# package makes it Release), then load the plugin and cross-check its strategy.
echo "test: installing to $build/install and building examples/plugin against it" >&2
cmake --install "$build" --prefix "$build/install" >/dev/null
rm -rf "$build/example-plugin"
cmake -S examples/plugin -B "$build/example-plugin" \
  -DCMAKE_PREFIX_PATH="$PWD/$build/install" >/dev/null
cmake --build "$build/example-plugin" -j "$(nproc)"
plugin="$build/example-plugin/example_separable.so"
check=$("$build/poolbench" --plugin "$plugin" check --strategy example_separable -q 2>&1)
if grep -q "without optimisation" <<<"$check"; then
  echo "test: the example plugin built without a build type was not optimised:" >&2
  echo "$check" >&2
  exit 1
fi
"$build/poolbench" --plugin "$plugin" check --strategy example_separable -q --fuzz 200

# The unit, cross-check and command-line tests last, so their summary closes the log.
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
