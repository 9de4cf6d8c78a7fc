"""The HTTP transport: outcomes of every kind of answer, against a real local server."""

from __future__ import annotations

import pytest

from node_agent.errors import Rejected, Unreachable
from node_agent.report import encode
from node_agent.transport import HttpTransport, classify, reports_path
from tests.agent.support import ReportServer, free_port


def report(seq: int) -> bytes:
    return encode({"seq": seq, "time": "2026-11-27T14:00:00Z"})


def test_classify() -> None:
    assert classify(202, b'{"status": "accepted"}', None) == "accepted"
    assert classify(200, b'{"status": "duplicate", "seq": 3}', None) == "duplicate"
    with pytest.raises(Unreachable) as e:
        classify(503, b"busy", "7")
    assert e.value.retry_after == 7.0
    for status in (401, 403, 404, 429, 500, 502):
        with pytest.raises(Unreachable):
            classify(status, b"", None)
    with pytest.raises(Rejected) as r:
        classify(422, b'{"error": "links.0.loss"}', None)
    assert r.value.status == 422


def test_reports_path() -> None:
    assert reports_path("/mesh/", "c:n-1") == "/mesh/api/v1/nodes/c:n-1/reports"
    assert reports_path("", "c:a b") == "/api/v1/nodes/c:a%20b/reports"
    with pytest.raises(ValueError):
        HttpTransport("ftp://x", "n", "t")


def test_posts_reuse_one_connection_and_survive_a_restart(report_server: ReportServer) -> None:
    t = HttpTransport(report_server.url, "test:n1", report_server.token, timeout=5)
    try:
        assert [t.post(report(s)) for s in (1, 2, 3)] == ["accepted"] * 3
        assert t.post(report(2)) == "duplicate"
        report_server.stop()
        with pytest.raises(Unreachable):
            t.post(report(4))
        report_server.start()
        assert t.post(report(4)) == "accepted"
    finally:
        t.close()
    assert report_server.received.accepted == [1, 2, 3, 4]
    h = report_server.received.headers[0]
    assert h["Content-Encoding"] == "gzip" and h["Authorization"] == "Bearer t0ken"


def test_wrong_token_keeps_the_report(report_server: ReportServer) -> None:
    t = HttpTransport(report_server.url, "test:n1", "wrong", timeout=5)
    with pytest.raises(Unreachable, match="401"):
        t.post(report(1))
    t.close()


def test_refused_for_good() -> None:
    server = ReportServer(status=413)
    server.start()
    try:
        with pytest.raises(Rejected, match="413"):
            HttpTransport(server.url, "n", "t").post(report(1))
    finally:
        server.stop()


def test_nobody_listening() -> None:
    with pytest.raises(Unreachable, match="refused"):
        HttpTransport(f"http://127.0.0.1:{free_port()}", "n", "t", timeout=2).post(report(1))
