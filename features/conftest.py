"""Run every scenario over each dialect with posim's step library."""

pytest_plugins = ["simulator.pytest_plugin", "simulator.steps"]
