"""The app's entry point: declares the screens (Home first, see ui.page.screens) and runs
the one the browser asks for. Home itself is pages/0_Home.py."""

from ui import page

page.run(page.navigation())
