"""The app's entry point: declares the screens (Home first, see ui.page.screens) and runs
the one the browser asks for. Home itself is pages/0_Home.py."""

import streamlit as st

from analytics.errors import UnsafeSetupError
from analytics.loading import safety
from ui import page

screen = page.navigation()  # first: every screen, whichever is asked for, comes through here
try:  # an XML stack that is not hardened: no screen at all, and what to install
    safety.check_xml_hardening()
except UnsafeSetupError as exc:
    st.error(str(exc))
    st.stop()

page.run(screen)
