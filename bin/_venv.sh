# Sourced by bin/run and bin/test: make .venv and install the requirements when they changed.
# bin/run installs what the site needs (requirements.txt); bin/test and CI set
# REQUIREMENTS=requirements-dev.txt, which adds the tests and the tooling.
set -euo pipefail
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
REQUIREMENTS=${REQUIREMENTS:-requirements.txt}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(cat "$REQUIREMENTS" requirements.txt | sha256sum | cut -d' ' -f1)
# A venv made for the tests has everything the site needs too.
have=$(cat "$stamp" 2>/dev/null || true)
dev_want=$(cat requirements-dev.txt requirements.txt | sha256sum | cut -d' ' -f1)
if [ "$have" != "$want" ] && [ "$have" != "$dev_want" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  echo "$want" > "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
