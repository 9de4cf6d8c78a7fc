"""Counter arithmetic of the SNMP collector: rates across wraps and reboots without
spikes, and the monotonic totals the report carries."""

from __future__ import annotations

from typing import Any

import pytest

from node_agent.collectors.snmp import SnmpCollector
from node_agent.collectors.snmp_parse import CounterSample, counter_rate, unwrapped_total
from node_agent.models import SnmpInterface, SnmpState, SnmpSystem

W32 = 1 << 32


class TestCounterRate:
    def test_first_sample_has_no_rate(self) -> None:
        assert counter_rate(None, CounterSample(5, 1.0, 0.0)) is None

    def test_plain_increase_uses_device_uptime(self) -> None:
        # the agent's clock says 12 s, the device's 10 s: the device's time is the truth
        rate = counter_rate(CounterSample(1000, 100.0, 0.0), CounterSample(11_000, 110.0, 12.0))
        assert rate == 8000.0

    def test_agent_clock_when_no_uptime(self) -> None:
        assert counter_rate(CounterSample(0, None, 0.0), CounterSample(500, None, 4.0)) == 1000.0

    def test_32_bit_wrap(self) -> None:
        prev, cur = CounterSample(W32 - 1000, 50.0, 0.0), CounterSample(3000, 60.0, 10.0)
        assert counter_rate(prev, cur, bits=32) == 4000 * 8 / 10

    def test_64_bit_decrease_is_a_reset(self) -> None:
        assert counter_rate(CounterSample(10**12, 50.0, 0), CounterSample(5, 60.0, 10)) is None

    def test_reboot_gives_no_rate(self) -> None:
        # uptime went down: counters restarted from zero, whatever their values say
        prev, cur = CounterSample(100, 86_400.0, 0.0), CounterSample(900_000, 30.0, 60.0)
        assert counter_rate(prev, cur, bits=32) is None

    def test_reset_misread_as_wrap_is_not_a_spike(self) -> None:
        # a 100 Mbit/s port whose counters were cleared: "wrapping" would mean 3.4 Gbit/s
        prev, cur = CounterSample(2_000_000, 50.0, 0.0), CounterSample(1_000, 60.0, 10.0)
        assert counter_rate(prev, cur, bits=32, max_bps=100e6) is None
        assert counter_rate(prev, cur, bits=32) == pytest.approx((W32 - 1_999_000) * 0.8)

    def test_no_elapsed_time(self) -> None:
        assert counter_rate(CounterSample(1, 5.0, 3.0), CounterSample(2, 5.0, 3.0)) is None

    def test_bursts_are_kept(self) -> None:
        # agents that cache counters show bursts above the port speed: keep them
        prev, cur = CounterSample(0, 1.0, 0.0), CounterSample(10_000_000, 2.0, 1.0)
        assert counter_rate(prev, cur, bits=64, max_bps=10e6) == 80e6


class TestUnwrappedTotal:
    def test_first(self) -> None:
        assert unwrapped_total(None, None, 42, 32, False) == 42

    def test_wraps_accumulate(self) -> None:
        total = unwrapped_total(None, None, W32 - 10, 32, False)
        total = unwrapped_total(W32 - 10, total, 20, 32, False)
        total = unwrapped_total(20, total, 50, 32, False)
        assert total == W32 + 50

    def test_reboot_restarts(self) -> None:
        assert unwrapped_total(500, 10**10, 7, 32, True) == 7


def _state(uptime: float, octets: int, bits: int = 32) -> SnmpState:
    itf = SnmpInterface(
        index=1, name="wlan0", descr="wlan0", oper_up=True, in_octets=octets,
        out_octets=octets // 2, in_errors=0, out_errors=0, speed_mbps=100.0, counter_bits=bits,
    )  # fmt: skip
    system = SnmpSystem(descr=None, object_id=None, uptime_s=uptime, name=None)
    return SnmpState(
        vendor="generic", system=system, interfaces=[itf], rates=[], radios=[], stations=[]
    )


def test_collector_rates_and_totals_over_a_wrap_and_a_reboot() -> None:
    c = SnmpCollector({})
    seen: list[Any] = []
    polls = [  # (uptime s, raw 32-bit counter, agent clock s)
        (1000.0, W32 - 125_000, 0.0),
        (1010.0, 125_000, 10.0),  # wrapped: 250,000 octets in 10 s
        (1020.0, 250_000, 20.0),
        (5.0, 1_000, 30.0),  # rebooted
        (15.0, 126_000, 40.0),
    ]
    for uptime, raw, now in polls:
        state = _state(uptime, raw)
        c._rates(state, now)
        seen.append((state["rates"][0]["in_bps"], c.part(state).interfaces[0]["rx_bytes"]))
    rates = [r for r, _ in seen]
    assert rates == [None, 200_000.0, 100_000.0, None, 100_000.0]
    totals = [t for _, t in seen]
    assert totals[:3] == [W32 - 125_000, W32 + 125_000, W32 + 250_000]  # monotonic
    assert totals[3:] == [1_000, 126_000]  # restarted with the device
