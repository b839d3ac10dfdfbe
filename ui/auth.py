"""Who may see applicant data: the gate every page passes through first.

`require_access()` returns a label for the audit log, or draws the sign-in (or refusal)
and stops the page. Three modes, chosen from configuration:

- **oidc**: `.streamlit/secrets.toml` has an `[auth]` section. Streamlit's `st.login`
  signs the user in with the organisation's identity provider; the email it returns must
  be on the allowlist (`[access] allowed_emails` / `allowed_domains`). No allowlist means
  nobody gets in: the gate fails closed.
- **passcode**: no `[auth]`, but `[access] passcode` in secrets or the environment
  variable `ADMISSIONS_PASSCODE`. Everyone who knows it gets in; they give a name for the
  audit log. Compared in constant time. Wrong passcodes are recorded in the store's audit
  log (`sign_in_failed`, keyed by a keyed hash of the browser's address, never the
  address or the passcode typed), and five from one address within ten minutes refuse
  that address until the oldest is ten minutes old, whatever the session: a reload
  starts a new session, not a new count.
- **local**: neither. The app serves only this computer: a request that reached it from
  another host is refused with a message saying how to configure sign-in.

Who may own: a shared passcode proves that someone knows it, not who they are, so the
name typed with it is a label only (`Alice (passcode)`). Owner-only actions (deleting or
replacing a saved view, renaming or deleting a dataset) need `is_verified()`: a single sign-on user
or the local user of this computer. Anyone can type "Alice"; nobody can act as Alice.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import hmac
import ipaddress
import math
import os
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

import streamlit as st

import store as store_mod
from ui import escaping

Mode = Literal["oidc", "passcode", "local"]

PASSCODE_ENV = "ADMISSIONS_PASSCODE"
USER_KEY = "auth_user"
MODE_KEY = "auth_mode"  # the mode the session signed in under
SIGNED_IN_LOGGED_KEY = "auth_sign_in_logged"
MAX_FAILURES = 5  # wrong passcodes from one address within FAILURE_WINDOW, then a wait
FAILURE_WINDOW = dt.timedelta(minutes=10)
PASSCODE_SUFFIX = " (passcode)"
VERIFIED_MODES = ("oidc", "local")
LOCAL_HOSTNAMES = {"localhost", "localhost.localdomain"}
LOCAL_LABEL = "local"

LOCAL_NOTICE = "No sign-in is configured: this app serves this computer only (localhost)."
REFUSED_REMOTE = (
    "This app has no sign-in configured, so it only serves the computer it runs on. "
    "To share it, set a passcode or configure single sign-on (see 'Sharing and sign-in' "
    "in the README)."
)
NOT_ALLOWED = (
    "The account you signed in with is not allowed to see this app's data. "
    "Ask the app's administrator to add it, or sign out and use another account."
)
NO_ALLOWLIST = (
    "Sign-in works, but nobody is allowed in yet: the administrator must add "
    "[access] allowed_emails or allowed_domains to the secrets file."
)
UNVERIFIED = "Your identity provider has not verified this email address: verify it, then retry."
WRONG_PASSCODE = "That passcode is not right. Try again."
LOCKED = (
    "Too many wrong passcodes from this address. Try again in {minutes} minute{s}; "
    "reloading the page does not shorten the wait."
)
LABEL_ONLY = (
    "Signed in with the shared passcode: your name is a label in the audit log, so saved "
    "views cannot be deleted or replaced from this sign-in."
)
NEED_NAME = "Type your name: it goes into the audit log next to what you open and export."


# -- configuration (pure helpers, tested without Streamlit) -------------------------------


def _secrets() -> Mapping[str, Any]:
    try:
        return {k: st.secrets[k] for k in st.secrets}
    except Exception:  # no secrets file at all (FileNotFoundError / StreamlitSecretNotFoundError)
        return {}


def _section(secrets: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = secrets.get(name)
    return value if isinstance(value, Mapping) else {}


def passcode_from(secrets: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    configured = _section(secrets, "access").get("passcode") or environ.get(PASSCODE_ENV) or ""
    return str(configured)


def mode_from(secrets: Mapping[str, Any], environ: Mapping[str, str]) -> Mode:
    if _section(secrets, "auth"):
        return "oidc"
    if passcode_from(secrets, environ):
        return "passcode"
    return "local"


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [str(v).strip().lower() for v in value if str(v).strip()]


def is_allowed(email: str | None, emails: Iterable[str], domains: Iterable[str]) -> bool:
    """Exact email (any case) or its domain on the list; `@` optional in domains."""
    address = str(email or "").strip().lower()
    if address.count("@") != 1 or address.startswith("@") or address.endswith("@"):
        return False
    domain = address.rsplit("@", 1)[1]
    allowed_domains = {d.lstrip("@") for d in _as_list(domains)}
    return address in set(_as_list(emails)) or domain in allowed_domains


def is_local_request(host: str | None, ip: str | None) -> bool:
    """Both the Host header and the peer address must be this machine.

    Checking the Host too refuses a reverse proxy on the same machine that forwards
    outside traffic (its peer address is local, the Host it passes on is not).
    """
    if host is None and ip is None:
        return True  # no HTTP request at all: the script runs in-process (tests, bare mode)
    if ip is not None and not _is_loopback(ip.split("%")[0]):
        return False
    if host is None:
        return False
    try:
        hostname = (urlsplit(f"//{host}").hostname or "").lower()
    except ValueError:
        return False
    return hostname in LOCAL_HOSTNAMES or _is_loopback(hostname)


def _is_loopback(text: str) -> bool:
    """A loopback address, IPv4-mapped IPv6 included: a server listening on every interface
    sees a browser at 127.0.0.1 as ::ffff:127.0.0.1, which Python 3.11 does not call
    loopback by itself."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def passcode_matches(given: str, expected: str) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def normalise_name(text: str) -> str:
    """The typed name as one label: compatibility forms folded (NFKC: full-width letters,
    ligatures), invisible and control characters dropped, whitespace collapsed, so
    "  Alice ", "Ali\u200bce" and "Ａlice" are all "Alice"."""
    folded = unicodedata.normalize("NFKC", str(text or ""))
    visible = "".join(
        " " if ch.isspace() else ch for ch in folded if not unicodedata.category(ch).startswith("C")
    )
    return " ".join(visible.split())


def passcode_label(name: str) -> str:
    return f"{normalise_name(name)}{PASSCODE_SUFFIX}"


def client_id(address: str | None, key: str) -> str:
    """The audit log's id for a browser address: a keyed hash (the passcode is the key), so
    the log can count an address's failures without holding the address itself."""
    digest = hmac.new(key.encode("utf-8"), str(address or "").encode("utf-8"), hashlib.sha256)
    return store_mod.CLIENT_ID_PREFIX + digest.hexdigest()[:16]


def wait_after_failures(failures: Iterable[dt.datetime], now: dt.datetime) -> dt.timedelta | None:
    """How long an address must wait, given the times of its recent wrong passcodes (any
    order); None when it may try. MAX_FAILURES within FAILURE_WINDOW lock it until the
    oldest of the latest MAX_FAILURES is FAILURE_WINDOW old."""
    recent = sorted((t for t in failures if now - t < FAILURE_WINDOW), reverse=True)
    if len(recent) < MAX_FAILURES:
        return None
    return recent[MAX_FAILURES - 1] + FAILURE_WINDOW - now


def locked_message(wait: dt.timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return LOCKED.format(minutes=minutes, s="" if minutes == 1 else "s")


# -- the gate -----------------------------------------------------------------------------


def _request_origin() -> tuple[str | None, str | None]:
    """(Host header, peer IP) of the browser session; (None, None) without a request."""
    headers = st.context.headers
    if not headers:
        return None, None
    host = headers.get("Host")
    # st.context.ip_address is None for a loopback peer; report it as such.
    ip = st.context.ip_address
    return host, ip if ip is not None else "127.0.0.1"


# Sign-in attempts of every session of this process take turns, so parallel sessions
# cannot all pass the check before any of their failures is recorded.
_ATTEMPTS = threading.Lock()


def _recent_failures(client: str) -> list[dt.datetime]:
    since = dt.datetime.now(dt.UTC) - FAILURE_WINDOW
    entries = store_mod.open_store().audit_log(
        action="sign_in_failed", object_id=client, since=since, limit=MAX_FAILURES
    )
    return [entry.time for entry in entries]


def _wait(client: str) -> dt.timedelta | None:
    return wait_after_failures(_recent_failures(client), dt.datetime.now(dt.UTC))


def _record_failure(client: str, name: str) -> None:
    # The typed name is a claim, not an identity: it goes in the detail, the passcode never.
    detail = f"wrong passcode; name given: {normalise_name(name)[:80] or '(none)'}"
    store_mod.open_store().record("(not signed in)", "sign_in_failed", client, detail)


def _log_sign_in(user: str) -> None:
    if st.session_state.get(SIGNED_IN_LOGGED_KEY) == user:
        return
    # Written once the page is drawn (ui.page.run), not before it is (a write and a
    # flush to disk at the start of every new session's first run).
    store_mod.open_store().record(user, "sign_in", later=True)
    st.session_state[SIGNED_IN_LOGGED_KEY] = user


def _providers(auth: Mapping[str, Any]) -> list[str]:
    return [name for name, value in auth.items() if isinstance(value, Mapping)]


def _oidc(secrets: Mapping[str, Any]) -> str:
    auth = _section(secrets, "auth")
    user = st.user
    if not user.get("is_logged_in"):
        st.info("Sign in with your organisation's account to see applicant data.")
        providers = _providers(auth)
        # Named providers ([auth.google], [auth.microsoft]) get one button each.
        for provider in providers or [None]:
            label = f"Sign in with {provider.title()}" if provider else "Sign in"
            if st.button(label, key=f"auth_login_{provider or 'default'}", type="primary"):
                st.login(provider) if provider else st.login()
        st.stop()
    access = _section(secrets, "access")
    emails, domains = access.get("allowed_emails"), access.get("allowed_domains")
    email = user.get("email")
    if user.get("email_verified") is False:
        message = UNVERIFIED
    elif not _as_list(emails) and not _as_list(domains):
        message = NO_ALLOWLIST
    elif not is_allowed(email, emails or [], domains or []):
        message = NOT_ALLOWED
    else:
        label = str(email).strip().lower()
        with st.sidebar:
            st.caption(f"Signed in as {escaping.markdown(label)}")
            if st.button("Sign out", key="auth_logout"):
                st.logout()
        return label
    st.error(message)
    if st.button("Sign out", key="auth_logout"):
        st.logout()
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def _passcode(expected: str) -> str:
    if st.session_state.get(USER_KEY):
        user = st.session_state[USER_KEY]
        with st.sidebar:
            st.caption(f"Signed in as {escaping.markdown(user)}", help=LABEL_ONLY)
        return user
    client = client_id(_request_origin()[1], expected)
    wait = _wait(client)
    if wait is not None:
        st.error(locked_message(wait))
        st.stop()
    st.info("Enter the passcode your programme office gave you to see applicant data.")
    with st.form("auth_passcode_form"):
        name = st.text_input("Your name", key="auth_name", max_chars=80)
        given = st.text_input("Passcode", key="auth_passcode", type="password")
        submitted = st.form_submit_button("Enter", type="primary")
    if submitted:
        with _ATTEMPTS:
            wait = _wait(client)  # again: another session may have used up the tries
            is_right = wait is None and passcode_matches(given, expected)
            if wait is None and not is_right:
                _record_failure(client, name)
                wait = _wait(client)
        if wait is not None:
            st.error(locked_message(wait))
        elif not is_right:
            st.error(WRONG_PASSCODE)
        elif not normalise_name(name):
            st.error(NEED_NAME)
        else:
            st.session_state[USER_KEY] = passcode_label(name)
            st.rerun()
    st.stop()
    raise AssertionError("unreachable")


def _local() -> str:
    host, ip = _request_origin()
    if not is_local_request(host, ip):
        st.error(REFUSED_REMOTE)
        st.stop()
    st.sidebar.caption(LOCAL_NOTICE)
    try:
        return f"{LOCAL_LABEL}:{getpass.getuser()}"
    except (KeyError, OSError):
        return LOCAL_LABEL


def require_access() -> str:
    """The signed-in user's label for the audit log; otherwise the gate, then st.stop().

    Call it right after `st.set_page_config` on every page (ui.page.setup does).
    """
    secrets = _secrets()
    mode = mode_from(secrets, os.environ)
    if mode == "oidc":
        user = _oidc(secrets)
    elif mode == "passcode":
        user = _passcode(passcode_from(secrets, os.environ))
    else:
        user = _local()
    st.session_state[MODE_KEY] = mode
    _log_sign_in(user)
    return user


def current_user() -> str | None:
    """The label `require_access` returned in this session, if it has run."""
    return st.session_state.get(SIGNED_IN_LOGGED_KEY)


def is_verified() -> bool:
    """The session's user is who the label says (single sign-on, or the local user of
    this computer), so they may do what only an owner may: delete or replace a saved view,
    delete a dataset. A shared passcode's typed name is only a label."""
    return current_user() is not None and st.session_state.get(MODE_KEY) in VERIFIED_MODES
