"""Run every scenario over each dialect with posim's step library."""

pytest_plugins = ["simulator.steps.pytest_plugin", "simulator.steps"]
