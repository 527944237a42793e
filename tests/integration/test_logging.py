"""Logs a sysadmin can grep: every message of the module carries a stable id, ids are
unique, docs/LOG-MESSAGES.md lists them; the error-log guard sees the module's own lines."""
import os
import re
import subprocess

from harness import REPO
from harness.apache import BAD_LINE


def test_every_log_call_has_a_unique_id_and_the_list_is_current():
    r = subprocess.run(["/usr/bin/python3", os.path.join(REPO, "scripts", "log-ids.py"), "--check"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert r.returncode == 0, r.stdout


def test_the_error_log_guard_sees_module_lines():
    line = ("[Tue Dec 01 21:39:18.260582 2026] [reverb:error] [pid 1:tid 2] RV0010: cannot "
            "prepare SQL (x): y")
    assert BAD_LINE.search(line)
    assert BAD_LINE.search("[Tue Dec 01 2026] [dbd:error] [pid 1] AH00629: x")
    assert BAD_LINE.search("[Tue Dec 01 2026] [core:crit] [pid 1] x")
    assert not BAD_LINE.search("[Tue Dec 01 2026] [reverb:warn] [pid 1] RV0026: worker cannot reach")


def test_messages_in_the_log_carry_their_id(apache):
    apache.get("/reverb/cron?key=wrong")
    ours = [l for l in apache.error_log().splitlines() if "[reverb:" in l]
    assert ours
    for l in ours:
        assert re.search(r"(\] |\): )RV\d{4}: ", l), l
