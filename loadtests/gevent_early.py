"""pytest plugin for the load-test session: gevent's monkey-patching before anything else.

`import locust` patches the standard library; done after asyncio/ssl are imported (by
pytest plugins) it breaks ssl with a RecursionError. Loaded with `-p`, this module runs
before the entry-point plugins, so the patch comes first. Its presence also marks the
session as the one where tests/load may run (tests/load/conftest.py skips them elsewhere):

    .venv/bin/python -m pytest tests/load -p loadtests.gevent_early
"""

from gevent import monkey

monkey.patch_all()
