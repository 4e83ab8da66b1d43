"""The app's screens: one per mode (news, search, radar, health), the reader and modals."""
