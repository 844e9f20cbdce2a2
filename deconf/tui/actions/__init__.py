"""The browser's actions, grouped by what they act on; the app class combines them."""
