"""Time series of link and node metrics: pure downsampling and retention helpers.

:mod:`.series` combines samples into buckets (weighted averages, maxima, last values);
:mod:`.retention` says what the periodic job keeps, rolls up and drops. The store's
:mod:`topology.store.telemetry` runs them against the tables.
"""

from topology.metrics.retention import RetentionPolicy, Tier, rollup_plan
from topology.metrics.samples import LINK_SERIES, NODE_SERIES, LinkSample, NodeSample
from topology.metrics.series import Agg, Point, SeriesSpec, bucket_of, combine, downsample

__all__ = [
    "LINK_SERIES",
    "NODE_SERIES",
    "Agg",
    "LinkSample",
    "NodeSample",
    "Point",
    "RetentionPolicy",
    "SeriesSpec",
    "Tier",
    "bucket_of",
    "combine",
    "downsample",
    "rollup_plan",
]
