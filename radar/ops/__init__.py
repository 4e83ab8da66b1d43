"""Running radar unattended: one fetch cycle and the watch loop, logs, run history,
and the health report (`radar doctor`) with its Prometheus rendering."""
