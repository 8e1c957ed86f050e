"""The pool of long-lived sandboxed extraction children used by batches."""
from __future__ import annotations

import os
import threading
import time

import extract_fixtures as fx
from toolbox.extract import WorkerPool, extract


def _target(name: str) -> str:
    return f"{fx.__name__}:{name}"


def test_children_are_reused_between_files():
    """One child parses many files: the same process answers consecutive calls."""
    with WorkerPool(1) as pool:
        first = pool.run("os:getpid", timeout=30)
        second = pool.run("os:getpid", timeout=30)
    assert first.kind == second.kind == "ok"
    assert first.value == second.value != os.getpid()


def test_timeout_kills_the_child_and_the_next_call_gets_a_fresh_one(tmp_path):
    """A file over the time limit ends as timeout; its child and grandchild are gone."""
    pid_file = tmp_path / "pids"
    with WorkerPool(1) as pool:
        before = pool.run("os:getpid", timeout=30).value
        outcome = pool.run(_target("sleep_with_grandchild"), [str(pid_file), 60], timeout=2)
        after = pool.run("os:getpid", timeout=30)
    assert outcome.kind == "timeout"
    child, grandchild = (int(p) for p in pid_file.read_text().split())
    assert child == before
    deadline = time.monotonic() + 5
    while fx.process_is_alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not fx.process_is_alive(child)
    assert not fx.process_is_alive(grandchild)
    assert after.kind == "ok" and after.value != before


def test_memory_limit_holds_in_long_lived_children():
    """The address-space limit applies to every file a child parses, and it recovers after."""
    with WorkerPool(1, memory_mb=256) as pool:
        small = pool.run(_target("allocate"), [16], timeout=30)
        huge = pool.run(_target("allocate"), [2048], timeout=30)
        again = pool.run(_target("allocate"), [16], timeout=30)
    assert small.kind == "ok"
    assert huge.kind == "memory"
    assert again.kind == "ok"


def test_crash_is_an_outcome_and_the_pool_recovers():
    """A child that dies mid-file reports a crash; the next file is parsed by a new child."""
    with WorkerPool(1) as pool:
        crashed = pool.run(_target("segfault"), timeout=30)
        again = pool.run("os:getpid", timeout=30)
    assert crashed.kind == "crashed"
    assert "SIGSEGV" in crashed.error
    assert again.kind == "ok"


def test_exceptions_keep_the_child(tmp_path):
    """A parser exception is an answer, not a reason to restart the child."""
    with WorkerPool(1) as pool:
        before = pool.run("os:getpid", timeout=30).value
        error = pool.run(_target("raise_value_error"), timeout=30)
        after = pool.run("os:getpid", timeout=30).value
    assert error.kind == "error" and "kaputt" in error.error
    assert before == after


def test_pool_serves_several_threads_with_its_children():
    """Calls from four threads are spread over the pool's two children and all answered."""
    pids: list[int] = []
    with WorkerPool(2) as pool:
        def work():
            for _ in range(5):
                outcome = pool.run("os:getpid", timeout=30)
                assert outcome.kind == "ok"
                pids.append(outcome.value)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(pids) == 20
    assert 1 <= len(set(pids)) <= 2


def test_extract_through_the_pool_matches_a_fresh_child(tmp_path):
    """A file parsed by a pooled child gives the same result as by a one-off child."""
    path = fx.write_simple_docx(tmp_path / "Maßnahmen.docx", ["Straßenbeleuchtung mit Bewegungsmeldern"])
    with WorkerPool(1) as pool:
        pooled = extract(path, pool=pool)
    alone = extract(path)
    assert pooled.status == alone.status == "ok"
    assert pooled.text == alone.text
    assert "Straßenbeleuchtung" in pooled.text
