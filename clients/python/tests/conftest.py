"""Fixtures: a `hicom-sim lab --virtual-time` child per test, from this checkout's build."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.dirname(HERE))

from hicom_control import LabProcess  # noqa: E402

#: The built CLI of this checkout (`npm test` builds it first); $HICOM_SIM overrides it.
CLI = os.environ.get("HICOM_SIM", f"node {os.path.join(ROOT, 'dist', 'bin', 'hicom-sim.js')}").split()


@pytest.fixture
def lab():
    with LabProcess.start(cli=CLI, virtual_time=True) as running:
        yield running
