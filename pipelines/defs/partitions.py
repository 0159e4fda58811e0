import dagster as dg

from pipelines.defs.names import SOURCES_PARTITIONS

sources_partitions = dg.DynamicPartitionsDefinition(name=SOURCES_PARTITIONS)
