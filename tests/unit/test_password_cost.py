"""The suite lowers Argon2's cost (tests/conftest.py); the app must not."""
import subprocess
import sys

from argon2 import PasswordHasher


def test_the_app_hashes_passwords_at_argon2s_recommended_cost():
    # A fresh interpreter: the suite's cheaper hasher is patched into this one.
    code = ("from awards.services import accounts\n"
            "h = accounts.hash_password('x')\n"
            "d = accounts._DUMMY_HASH\n"
            "print(h.split('$')[3]); print(d.split('$')[3])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    default = PasswordHasher()
    expected = f"m={default.memory_cost},t={default.time_cost},p={default.parallelism}"
    assert out == [expected, expected]
    assert default.memory_cost >= 64 * 1024 and default.time_cost >= 2


def test_the_suite_runs_with_the_cheap_hasher():
    # Positive control for the fixture: without it the suite would take minutes longer.
    from awards.services import accounts

    assert accounts.hash_password("x").split("$")[3] == "m=8192,t=1,p=1"
