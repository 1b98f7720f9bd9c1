"""A daily build, off by default: an operator switches it on in the UI."""

from dagster import DefaultScheduleStatus, ScheduleDefinition

daily_build = ScheduleDefinition(
    name="daily_build",
    job_name="build_warehouse",
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Builds the warehouse every day at 05:00 UTC (off until switched on).",
)
