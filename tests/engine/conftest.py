"""Engine fixtures: one Dask LocalCluster (2 worker processes, 1 thread each) and one
redis-server per test module, both stopped at the end of the module."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.redis_server import RedisServer, redis_server


def require_dask() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        if os.environ.get("DETECTOR_REQUIRE_SYSTEM") == "1":
            pytest.fail("dask[distributed] is not installed (pip install -e '.[test]')")
        pytest.skip("dask[distributed] is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    """The address of a LocalCluster started apart from the code under test, as a cluster on
    Kubernetes, Slurm or YARN would be: the engine joins it with --scheduler."""
    require_dask()
    from distributed import LocalCluster

    cluster: Any = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    try:
        yield str(cluster.scheduler_address)
    finally:
        cluster.close()


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server
