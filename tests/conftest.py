pytest_plugins = ["huiwu.testing.fixtures"]
