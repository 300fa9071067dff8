"""BLAS threading for the course's small products."""

from __future__ import annotations

import functools

from threadpoolctl import ThreadpoolController


@functools.cache
def _controller():
    # Scanning the loaded libraries costs about 0.3 ms; do it once (numpy's BLAS is loaded by then).
    return ThreadpoolController()


def single_thread():
    """A context in which BLAS uses one thread.

    The products of the course's networks (a few hundred rows at most) gain nothing from several
    threads, and on a busy two-core machine the threads wait for each other: measured on the
    chapter 9 precomputation, two BLAS threads ran it about 6 times slower than one.
    """
    return _controller().limit(limits=1, user_api="blas")
