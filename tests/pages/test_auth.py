"""The sign-in gate, run headless: with and without secrets, passcode, OIDC, localhost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import store
from ui import auth

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30


def _gated_page():
    import streamlit as st

    from ui import auth

    user = auth.require_access()
    st.markdown("CONTENT")
    st.text(user)


def _gated_page_signed_in():
    # Stands in for Streamlit's OIDC callback, which fills the session's user info.
    import streamlit as st
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    from ui import auth

    ctx = get_script_run_ctx()
    ctx.user_info.update(st.session_state.get("fake_identity", {}))
    user = auth.require_access()
    st.markdown("CONTENT")
    st.text(user)


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv(store.DATA_DIR_ENV, str(tmp_path / "store"))
    monkeypatch.delenv(auth.PASSCODE_ENV, raising=False)


def _app(secrets: dict | None = None, script=_gated_page) -> AppTest:
    at = AppTest.from_function(script, default_timeout=TIMEOUT)
    # A non-empty secrets dict replaces any secrets file on this machine for the run.
    at.secrets.update(secrets or {"access": {}})
    return at


def _shown(at: AppTest) -> bool:
    return any(m.value == "CONTENT" for m in at.markdown)


def _sign_ins(tmp_path: Path) -> list[str]:
    return [e.user for e in store.Store(tmp_path / "store").audit_log(action="sign_in")]


class TestLocalOnly:
    def test_without_sign_in_serves_this_computer_and_says_so(self, tmp_path):
        at = _app().run()
        assert not at.exception
        assert _shown(at)
        assert at.sidebar.caption[0].value == auth.LOCAL_NOTICE
        assert at.text[0].value.startswith("local")
        assert _sign_ins(tmp_path) == [at.text[0].value]

    @pytest.mark.parametrize(
        ("host", "ip"),
        [
            ("analytics.clinic.org", "203.0.113.9"),
            ("localhost:8501", "203.0.113.9"),  # spoofed Host from a remote peer
            ("analytics.clinic.org", "127.0.0.1"),  # reverse proxy on this machine
        ],
    )
    def test_remote_request_is_refused(self, monkeypatch, host, ip):
        monkeypatch.setattr(auth, "_request_origin", lambda: (host, ip))
        at = _app().run()
        assert not at.exception
        assert not _shown(at)
        assert at.error[0].value == auth.REFUSED_REMOTE

    def test_local_browser_request_is_served(self, monkeypatch):
        monkeypatch.setattr(auth, "_request_origin", lambda: ("localhost:8501", "127.0.0.1"))
        assert _shown(_app().run())


class TestPasscode:
    def _enter(self, at: AppTest, passcode: str, name: str = "Ana Director") -> AppTest:
        at.text_input(key="auth_name").input(name)
        at.text_input(key="auth_passcode").input(passcode)
        next(b for b in at.button if b.label == "Enter").click()
        return at.run()

    def test_form_first_then_content_with_the_right_passcode(self, tmp_path):
        at = _app({"access": {"passcode": "correct horse"}}).run()
        assert not _shown(at)
        assert (
            at.text_input(key="auth_passcode").proto.type
            == at.text_input(key="auth_passcode").proto.PASSWORD
        )
        at = self._enter(at, "correct horse")
        assert not at.exception
        assert _shown(at)
        assert at.text[0].value == "Ana Director (passcode)"
        assert _sign_ins(tmp_path) == ["Ana Director (passcode)"]
        # Stays signed in on the next run (another page, a widget change).
        assert _shown(at.run())

    def test_wrong_passcode_is_refused(self, tmp_path):
        at = self._enter(_app({"access": {"passcode": "correct horse"}}).run(), "wrong")
        assert not _shown(at)
        assert at.error[0].value == auth.WRONG_PASSCODE
        assert _sign_ins(tmp_path) == []

    def test_name_is_required(self):
        at = self._enter(_app({"access": {"passcode": "pw-123456"}}).run(), "pw-123456", "  ")
        assert not _shown(at)
        assert at.error[0].value == auth.NEED_NAME

    def test_passcode_from_environment(self, monkeypatch):
        monkeypatch.setenv(auth.PASSCODE_ENV, "from-env-42")
        at = _app().run()
        assert not _shown(at)
        assert _shown(self._enter(at, "from-env-42"))

    def test_five_wrong_passcodes_lock_the_address_with_a_stated_wait(self):
        at = _app(SECRETS).run()
        for _ in range(auth.MAX_FAILURES - 1):
            at = self._enter(at, "guess")
            assert at.error[0].value == auth.WRONG_PASSCODE
        at = self._enter(at, "guess")
        assert at.error[0].value == auth.LOCKED.format(minutes=10, s="s")
        at = at.run()
        assert at.error[0].value == auth.LOCKED.format(minutes=10, s="s")
        assert not at.text_input
        assert not _shown(at)

    def test_a_reload_does_not_reset_the_count(self):
        at = _app(SECRETS).run()
        for _ in range(auth.MAX_FAILURES):
            at = self._enter(at, "guess")
        reloaded = _app(SECRETS).run()  # a new browser session from the same address
        assert "Too many wrong passcodes" in reloaded.error[0].value
        assert not reloaded.text_input
        assert not _shown(reloaded)

    def test_while_locked_even_the_right_passcode_is_refused(self, tmp_path):
        waiting = _app(SECRETS).run()  # opened its form before the lock
        guesser = _app(SECRETS).run()
        for _ in range(auth.MAX_FAILURES):
            guesser = self._enter(guesser, "guess")
        waiting = self._enter(waiting, "correct horse")
        assert not _shown(waiting)
        assert "Too many wrong passcodes" in waiting.error[0].value
        assert _sign_ins(tmp_path) == []

    def test_another_address_keeps_its_own_tries(self, monkeypatch):
        monkeypatch.setattr(auth, "_request_origin", lambda: ("app.clinic.org", "203.0.113.9"))
        at = _app(SECRETS).run()
        for _ in range(auth.MAX_FAILURES):
            at = self._enter(at, "guess")
        monkeypatch.setattr(auth, "_request_origin", lambda: ("app.clinic.org", "198.51.100.7"))
        other = _app(SECRETS).run()
        assert not other.error
        assert _shown(self._enter(other, "correct horse"))

    def test_every_failure_is_audited_without_the_passcode(self, tmp_path):
        at = _app(SECRETS).run()
        at = self._enter(at, "hunter2-guess", name="  Eve  ")
        at = self._enter(at, "hunter3-guess", name="")
        entries = store.Store(tmp_path / "store").audit_log(action="sign_in_failed")
        assert [e.detail for e in entries] == [
            "wrong passcode; name given: (none)",
            "wrong passcode; name given: Eve",
        ]
        assert {e.user for e in entries} == {"(not signed in)"}
        (client,) = {e.object_id for e in entries}
        assert client.startswith(store.CLIENT_ID_PREFIX) and len(client) == 18
        everything = " ".join(
            f"{e.user} {e.object_id} {e.detail}"
            for e in store.Store(tmp_path / "store").audit_log()
        )
        assert "hunter" not in everything and "correct horse" not in everything

    @pytest.mark.parametrize("typed", ["  Alice ", "Alice", "Ali\u200bce", "\uff21lice", "Alice\n"])
    def test_a_name_is_one_label_however_it_is_typed(self, typed):
        at = self._enter(_app(SECRETS).run(), "correct horse", name=typed)
        assert at.text[0].value == "Alice (passcode)"


SECRETS = {"access": {"passcode": "correct horse"}}


OIDC = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "not-a-real-secret",
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
    },
    "access": {"allowed_domains": ["clinic.org"], "allowed_emails": ["guest@partner.net"]},
}


class TestOidc:
    def _signed_in(self, identity: dict, secrets: dict = OIDC) -> AppTest:
        at = _app(secrets, script=_gated_page_signed_in)
        at.session_state["fake_identity"] = identity
        return at.run()

    def test_signed_out_sees_only_the_sign_in_button(self):
        at = _app(OIDC).run()
        assert not at.exception
        assert not _shown(at)
        assert [b.label for b in at.button] == ["Sign in"]

    def test_named_providers_get_a_button_each(self):
        secrets = {
            "auth": {"redirect_uri": "x", "cookie_secret": "y", "google": {"client_id": "a"}}
        }
        at = _app(secrets).run()
        assert [b.label for b in at.button] == ["Sign in with Google"]

    @pytest.mark.parametrize("email", ["Ana@Clinic.org", "guest@partner.net"])
    def test_allowed_email_or_domain_gets_in(self, tmp_path, email):
        at = self._signed_in({"is_logged_in": True, "email": email})
        assert not at.exception
        assert _shown(at)
        assert at.text[0].value == email.lower()
        assert _sign_ins(tmp_path) == [email.lower()]

    @pytest.mark.parametrize(
        "email", ["someone@gmail.com", "ana@clinic.org.evil.com", "x@sub.clinic.org", None]
    )
    def test_anyone_else_is_refused_without_echoing_the_address(self, tmp_path, email):
        at = self._signed_in({"is_logged_in": True, "email": email})
        assert not _shown(at)
        assert at.error[0].value == auth.NOT_ALLOWED
        assert [b.label for b in at.button] == ["Sign out"]
        assert _sign_ins(tmp_path) == []

    def test_unverified_email_is_refused(self):
        at = self._signed_in(
            {"is_logged_in": True, "email": "ana@clinic.org", "email_verified": False}
        )
        assert at.error[0].value == auth.UNVERIFIED

    def test_no_allowlist_fails_closed(self):
        secrets = {"auth": OIDC["auth"]}
        at = self._signed_in({"is_logged_in": True, "email": "ana@clinic.org"}, secrets)
        assert not _shown(at)
        assert at.error[0].value == auth.NO_ALLOWLIST


class TestPureHelpers:
    @pytest.mark.parametrize(
        ("host", "ip", "local"),
        [
            (None, None, True),
            ("localhost:8501", "127.0.0.1", True),
            ("127.0.0.1:8501", "127.0.0.1", True),
            ("[::1]:8501", "::1", True),
            # A server on every interface sees 127.0.0.1 as the IPv4-mapped address.
            ("127.0.0.1:8501", "::ffff:127.0.0.1", True),
            ("localhost:8501", "::ffff:127.0.0.1", True),
            ("[::ffff:127.0.0.1]:8501", "::ffff:127.0.0.1", True),
            ("127.0.0.1:8501", "::ffff:10.0.0.5", False),
            ("LOCALHOST", "127.0.0.2", True),
            ("10.0.0.5:8501", "10.0.0.5", False),
            ("localhost", "10.0.0.5", False),
            ("localhost.evil.com", "127.0.0.1", False),
            (None, "127.0.0.1", False),
            ("localhost", "not-an-ip", False),
        ],
    )
    def test_is_local_request(self, host, ip, local):
        assert auth.is_local_request(host, ip) is local

    def test_mode_precedence(self):
        env = {auth.PASSCODE_ENV: "x"}
        assert auth.mode_from({"auth": {"client_id": "a"}}, env) == "oidc"
        assert auth.mode_from({"access": {"passcode": "p"}}, {}) == "passcode"
        assert auth.mode_from({}, env) == "passcode"
        assert auth.mode_from({"auth": {}}, {}) == "local"
        assert auth.passcode_from({"access": {"passcode": "s"}}, env) == "s"

    def test_allowlist_accepts_comma_text_and_at_domains(self):
        assert auth.is_allowed("a@x.org", "b@y.org, a@x.org", [])
        assert auth.is_allowed("a@x.org", [], ["@x.org"])
        assert not auth.is_allowed("a@x.org@y.org", [], ["y.org"])
        assert not auth.is_allowed("", [], ["x.org"])

    def test_wait_after_failures(self):
        now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
        minutes = [dt.timedelta(minutes=m) for m in (1, 2, 3, 4)]
        four = [now - m for m in minutes]
        assert auth.wait_after_failures(four, now) is None
        assert auth.wait_after_failures([*four, now - dt.timedelta(minutes=11)], now) is None
        # The fifth failure 9 minutes ago: locked until it is 10 minutes old.
        five = [*four, now - dt.timedelta(minutes=9)]
        assert auth.wait_after_failures(five, now) == dt.timedelta(minutes=1)
        # More than five: the fifth newest decides (4 minutes ago: 6 minutes to wait).
        assert auth.wait_after_failures([*five, now], now) == dt.timedelta(minutes=6)

    def test_locked_message_rounds_up_to_whole_minutes(self):
        assert auth.locked_message(dt.timedelta(seconds=20)).startswith(
            "Too many wrong passcodes from this address. Try again in 1 minute;"
        )
        assert "in 3 minutes;" in auth.locked_message(dt.timedelta(minutes=2, seconds=1))

    def test_client_id_hides_the_address(self):
        one = auth.client_id("203.0.113.9", "key")
        assert one == auth.client_id("203.0.113.9", "key")
        assert one != auth.client_id("203.0.113.8", "key")
        assert one != auth.client_id("203.0.113.9", "other key")
        assert one.startswith(store.CLIENT_ID_PREFIX) and len(one) == 18
        assert "203.0.113.9" not in one

    @pytest.mark.parametrize(
        ("typed", "label"),
        [
            ("  Alice ", "Alice"),
            ("Alice\t  Smith", "Alice Smith"),
            ("Ali\u200bce", "Alice"),  # zero-width space
            ("\u202eAlice", "Alice"),  # right-to-left override
            ("\uff21lice", "Alice"),  # full-width A
            ("\x00\x07", ""),
        ],
    )
    def test_normalise_name(self, typed, label):
        assert auth.normalise_name(typed) == label

    def test_passcode_matches(self):
        assert auth.passcode_matches("ü-pass", "ü-pass")
        assert not auth.passcode_matches("", "")
        assert not auth.passcode_matches("a", "b")


class TestShippedConfiguration:
    def test_production_config(self):
        import tomllib

        config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
        assert config["client"]["showErrorDetails"] == "none"
        assert config["server"]["enableXsrfProtection"] is True
        assert 0 < config["server"]["maxUploadSize"] <= 200
        assert config["browser"]["gatherUsageStats"] is False
        assert config["server"]["enableAgentApi"] is False

    def test_example_secrets_configure_sign_on_and_real_secrets_are_ignored(self):
        import tomllib

        example = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text())
        assert auth.mode_from(example, {}) == "oidc"
        assert auth.is_allowed("someone@example.org", [], example["access"]["allowed_domains"])
        assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text().splitlines()
