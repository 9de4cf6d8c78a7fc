"""The TUI's screens: one module (and one ``.tcss`` style sheet) per screen."""
