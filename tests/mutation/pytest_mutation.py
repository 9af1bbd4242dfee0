"""pytest with a hypothesis profile that is deterministic and bounded, for mutation runs.

`tests/mutation/run` has mutmut run the tests as `python -m pytest_mutation ARGS`; ordinary test
runs never import this module. The profile: derandomize=True (the seed comes from each test, not from
chance, so the same code gets the same examples on every run and a survivor stays a survivor),
max_examples from PANTS_CALVER_MUTATION_MAX_EXAMPLES (the script passes it; 50 when unset), no
example database, no deadline and no health checks (a busy machine must not make a mutant look
killed). Hypothesis still keeps its cache of constants in `.hypothesis/` of the current directory,
which is the script's work dir outside the repo.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "mutation",
    max_examples=int(os.environ.get("PANTS_CALVER_MUTATION_MAX_EXAMPLES", "50")),
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile("mutation")


if __name__ == "__main__":
    # `python -m pytest_mutation ARGS` is pytest with this profile loaded, for mutmut's runner.
    # mutmut 2 counts a mutant as killed only when the tests exit with status 1; pytest exits with 2
    # when a mutant breaks the import of a module (collection error), which mutmut would count as
    # survived. Every failing status becomes 1.
    import sys

    import pytest

    sys.exit(0 if pytest.main(sys.argv[1:]) == 0 else 1)
