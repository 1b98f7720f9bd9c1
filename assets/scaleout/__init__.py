"""The sharded parse: parse shards through Dagster's run queue, commit them, build from the commit."""
