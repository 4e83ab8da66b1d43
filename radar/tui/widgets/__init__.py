"""Small single-purpose widgets; each gets its data from the screen that owns it."""
