"""Test harness for mod_reverb: real MariaDB, real Apache, the fake Reverb."""
import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SHARED = os.path.abspath(os.path.join(REPO, "..", "shared"))

# Which OpenCart the suite runs against: 3 (3.0.5.1 schema, default) or 4
# (4.0.2.3). `make integration` runs it once per version.
OC_VERSION = int(os.environ.get("OPENCART_VERSION", "3"))
if OC_VERSION not in (3, 4):
    raise RuntimeError("OPENCART_VERSION must be 3 or 4")
