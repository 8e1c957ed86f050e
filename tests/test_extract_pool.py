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


def test_a_child_grown_past_half_its_limit_answers_and_then_retires():
    """A heap that has grown (large files, fragmentation) would leave the next file too little
    of the address space; the child finishes its answer, and the next file gets a fresh one."""
    with WorkerPool(1, memory_mb=256) as pool:
        small = pool.run(_target("hold"), [8], timeout=30)
        grown = pool.run(_target("hold"), [150], timeout=30)
        fresh = pool.run("os:getpid", timeout=30)
    assert small.kind == grown.kind == fresh.kind == "ok"
    assert small.value == grown.value
    assert not small.retired and grown.retired
    assert fresh.value != grown.value


def test_children_leave_numpy_out_and_still_read_spreadsheets(tmp_path):
    """numpy (80 MB of address space with OpenBLAS) is no parser's need: openpyxl reads the
    workbook without it, and a child that read one keeps room for a long document."""
    from office_factories import write_feature_xlsx

    from toolbox.extract._child import address_space_in_use

    xlsx = write_feature_xlsx(tmp_path / "haushalt.xlsx")
    with WorkerPool(1, memory_mb=256) as pool:
        importable = pool.run(_target("numpy_is_importable"), timeout=30)
        sheet = extract(xlsx, pool=pool)
        used = pool.run(f"{address_space_in_use.__module__}:address_space_in_use", timeout=30)
    assert importable.kind == "ok" and importable.value is False
    assert sheet.status == "ok" and "Beschluss Gemeinderat" in sheet.text
    assert used.value < 128 * 1024 * 1024


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


def test_single_files_share_one_warm_child_per_process(tmp_path):
    """Uploads one at a time (no batch pool) are parsed by the process's warm child, which
    stays the same between files and keeps its memory limit."""
    from toolbox.extract.pool import close_shared_pools, shared_pool

    close_shared_pools()
    try:
        pool = shared_pool(512)
        assert shared_pool(512) is pool
        first = pool.run("os:getpid", timeout=30).value
        note = tmp_path / "note.txt"
        note.write_text("Protokoll der Sitzung", encoding="utf-8")
        assert extract(note, timeout=30, memory_mb=512).text.startswith("Protokoll")
        assert pool.run("os:getpid", timeout=30).value == first != os.getpid()
        assert pool.run(_target("allocate"), [2048], timeout=30).kind == "memory"
        assert extract(note, timeout=30, memory_mb=512).status == "ok"  # a fresh child took over
    finally:
        close_shared_pools()


def test_a_busy_warm_child_sends_the_next_file_to_a_one_off_sandbox():
    """While the warm child parses one file, another file of the same process does not queue
    behind it: ``run_if_idle`` declines and the caller starts a one-off child."""
    with WorkerPool(1) as pool:
        started = threading.Event()

        def slow() -> None:
            started.set()
            pool.run("time:sleep", [1.5], timeout=30)

        thread = threading.Thread(target=slow)
        thread.start()
        started.wait()
        time.sleep(0.3)
        assert pool.run_if_idle("os:getpid", timeout=30) is None
        thread.join()
        assert pool.run_if_idle("os:getpid", timeout=30).kind == "ok"


def test_a_forked_process_starts_its_own_warm_child():
    """A gunicorn worker forked from a master that already had a warm child never writes to
    the parent's child: the pool belongs to the process that made it."""
    from toolbox.extract.pool import close_shared_pools, shared_pool

    close_shared_pools()
    try:
        parent_pool = shared_pool(512)
        parent_child = parent_pool.run("os:getpid", timeout=30).value
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child process: report what its own pool runs in, then leave at once
            try:
                own = shared_pool(512)
                answer = f"{int(own is not parent_pool)} {own.run('os:getppid', timeout=30).value}"
            except BaseException as exc:  # noqa: BLE001 - reported to the parent below
                answer = f"error {exc!r}"
            os.write(write, answer.encode())
            os._exit(0)
        os.close(write)
        os.waitpid(pid, 0)
        answer = os.read(read, 1000).decode()
        os.close(read)
        assert answer == f"1 {pid}"  # a new pool whose child is the forked process's own
        assert parent_pool.run("os:getpid", timeout=30).value == parent_child
    finally:
        close_shared_pools()
