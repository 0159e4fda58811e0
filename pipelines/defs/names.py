"""Names that other definitions and the tests refer to."""
SOURCES_PARTITIONS = "sources"
INGEST_JOB = "ingest_source"
CHECK_DESCRIPTOR_SUITE = "descriptor_suite_passes"
CHECK_NOTHING_LOST = "nothing_lost"
INBOX_SENSOR = "inbox_sensor"
NIGHTLY_SCHEDULE = "nightly_all_sources"
API_SCHEDULE = "hourly_api_sources"
SOURCE_TAG = "clearinghouse/source"  # dagster.yaml limits runs to one per value of this tag
