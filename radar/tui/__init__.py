"""The terminal UI (Textual). Start it with ``radar`` or ``radar tui``.

Importing this package is cheap; the app lives in :mod:`radar.tui.app`."""
