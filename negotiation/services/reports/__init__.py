"""Delay reports (延迟发货/揽收报备): filing, review, evidence, and reading them."""
