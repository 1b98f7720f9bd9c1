"""The shards of the sharded parse: `2**SEEDHOUSE_SHARD_BITS` static partitions (default 3 bits,
8 shards), read when the code location loads. One more bit splits every shard in two (see
`pipeline.shards.shard_of`); the first run after a change of bits parses every file again."""

from __future__ import annotations

import os

from dagster import StaticPartitionsDefinition

from pipeline.shards import shard_keys

SHARD_BITS_ENV = "SEEDHOUSE_SHARD_BITS"
DEFAULT_SHARD_BITS = 3


def shard_bits() -> int:
    text = os.environ.get(SHARD_BITS_ENV, "").strip()
    bits = int(text) if text else DEFAULT_SHARD_BITS
    if not 0 <= bits <= 16:
        raise ValueError(f"{SHARD_BITS_ENV}={text}: give a number of bits from 0 to 16 (1 to 65,536 shards)")
    return bits


SHARD_BITS = shard_bits()
shards = StaticPartitionsDefinition(shard_keys(SHARD_BITS))
