import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

# The whole suite shares one cache folder outside the source tree (lint/load/cache.py): no
# .multus-lint_cache/ is written into fixture folders, and every run of the linter in the
# suite, in-process or in a subprocess, goes through the cache another test may have filled,
# so a cache that changed a verdict would turn some test red. Tests of the cache itself
# point it elsewhere.
_CACHE = tempfile.mkdtemp(prefix="multus-lint-tests-cache-")
os.environ["MULTUS_LINT_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)

# Property tests are reproducible by default: the "ci" profile draws the same examples on
# every run and machine (derandomize, no example database carried between runs), so a red
# suite is red for everyone and a green one stays green. To hunt for new failures, run with
# random examples and a larger budget:
#     MULTUS_LINT_HYPOTHESIS=explore python -m pytest -q -p no:cacheprovider tests/test_fuzz.py
# (the "explore" profile keeps its database, so a failure found there is replayed next time).
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=3000, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
settings.load_profile(os.environ.get("MULTUS_LINT_HYPOTHESIS", "ci"))


def examples(n: int) -> int:
    """``n`` examples under the ci profile, the profile's budget when it asks for more."""
    return max(n, settings.default.max_examples)
