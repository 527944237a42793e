"""Test harness for mod_reverb: real MariaDB, real Apache, the fake Reverb."""
import os

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SHARED = os.path.abspath(os.path.join(REPO, "..", "shared"))
