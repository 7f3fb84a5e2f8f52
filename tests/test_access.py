"""Optional access control (lib/access.py, lib/access_gate.py): the hash, the settings, the rate
limit with a fake clock, and the gate through AppTest — locked without the password, open with it,
exactly as before without settings."""

from __future__ import annotations

import re
import threading
import tomllib
from pathlib import Path

import pytest

from lib import access
from lib.access import Attempts, ConfigError, email_allowed, hash_password, load, verify_password
from lib.formatting import markdown_text
from lib.i18n import LABELS
from tests.conftest import app

ROOT = Path(__file__).resolve().parents[1]
FAST = {"n": 16, "r": 1, "p": 1}  # a cheap hash for tests where its cost is not the point
PASSWORD = "correct horse"
HASH = hash_password(PASSWORD, **FAST)
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s3cret-s3cret-s3cret",
        "client_id": "memberlens", "client_secret": "xxx",
        "server_metadata_url": "https://id.example.com/.well-known/openid-configuration"}


@pytest.fixture(autouse=True)
def fresh_attempts():
    """The wrong-password counts are process-wide (every session shares them): each test starts clean."""
    access.ATTEMPTS.clear()
    yield
    access.ATTEMPTS.clear()


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# -- the hash ----------------------------------------------------------------------------------

def test_a_hash_takes_its_password_and_no_other():
    stored = hash_password(PASSWORD)
    assert stored.startswith("scrypt$16384$8$5$")  # N=2**14, r=8, p=5 (OWASP's list)
    assert verify_password(PASSWORD, stored)
    assert not verify_password("correct horse ", stored)
    assert not verify_password("Correct horse", stored)
    assert not verify_password("", stored)
    assert hash_password(PASSWORD) != stored  # a fresh salt each time


def test_the_hash_format_stays_readable():
    # A hash written today must verify after any later change: the format and the key, literally.
    stored = hash_password(PASSWORD, salt=bytes(range(16)))
    assert stored == "scrypt$16384$8$5$AAECAwQFBgcICQoLDA0ODw$1G5RfCzjKRcC_LgE3RJJUhGgvovUaGPhRY2m55Tfpi4"
    assert verify_password(PASSWORD, stored)


@pytest.mark.parametrize("stored", [
    "hunter2",                                                   # a plain password where the hash goes
    "scrypt$16384$8$5$AAECAwQFBgcICQoLDA0ODw",                    # no key
    "scrypt$16385$8$5$AAECAwQFBgcICQoLDA0ODw$" + "A" * 43,        # N not a power of two
    "scrypt$1073741824$8$5$AAECAwQFBgcICQoLDA0ODw$" + "A" * 43,   # N = 2**30: gigabytes an attempt
    "scrypt$65536$32$1$AAECAwQFBgcICQoLDA0ODw$" + "A" * 43,       # r = 32: 256 MiB an attempt
    "scrypt$16384$8$5$AAECAwQFBgcICQoLDA0ODwAAA$" + "A" * 43,     # a salt of a length base64 cannot have
    "scrypt$16384$8$5$AAAA$" + "A" * 43,                          # a 3-byte salt
    "pbkdf2_sha256$600000$salt$key",                              # another scheme
])
def test_a_string_that_is_not_our_hash_is_refused(stored):
    with pytest.raises(ConfigError) as refused:
        verify_password(PASSWORD, stored)
    assert refused.value.key == "access.error_bad_hash"


# -- the settings ------------------------------------------------------------------------------

@pytest.mark.parametrize("secrets, mode", [
    ({}, "open"),
    ({"db_url": "x", "other": {"a": 1}}, "open"),                 # secrets of something else
    ({"access": {"password_hash": HASH}}, "password"),
    ({"auth": AUTH}, "oidc"),
    ({"auth": AUTH, "access": {"allowed_emails": ["li@example.com", "@shop.cn"]}}, "oidc"),
])
def test_the_settings_choose_the_mode(secrets, mode):
    assert load(secrets).mode == mode


def test_oidc_offers_each_provider_configured():
    assert load({"auth": AUTH}).providers == (None,)  # [auth] itself: st.login()
    named = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "x",
             "okta": {"client_id": "a", "client_secret": "b", "server_metadata_url": "https://o/.well-known"},
             "entra": {"client_id": "c", "client_secret": "d", "server_metadata_url": "https://m/.well-known"}}
    assert load({"auth": named}).providers == ("entra", "okta")
    assert load({"auth": AUTH, "access": {"allowed_emails": ["Li@Example.com"]}}).allowed_emails == ("li@example.com",)


@pytest.mark.parametrize("secrets, error", [
    ({"access": {"password": "hunter2"}}, "access.error_plain_password"),
    ({"access": {"password": "hunter2", "password_hash": HASH}}, "access.error_plain_password"),
    ({"access": {"pasword_hash": HASH}}, "access.error_unknown_setting"),       # a typo never opens the app
    ({"access": {}}, "access.error_nothing_configured"),
    ({"access": {"password_hash": "hunter2"}}, "access.error_bad_hash"),
    ({"access": {"password_hash": 12345}}, "access.error_bad_hash"),
    ({"access": {"password_hash": HASH, "allowed_emails": ["li@example.com"]}}, "access.error_emails_without_auth"),
    ({"access": {"password_hash": HASH}, "auth": AUTH}, "access.error_both"),
    ({"access": {"allowed_emails": "li@example.com"}, "auth": AUTH}, "access.error_bad_emails"),  # not a list
    ({"access": {"allowed_emails": ["li"]}, "auth": AUTH}, "access.error_bad_emails"),
    ({"auth": {"redirect_uri": "http://localhost:8501/oauth2callback"}}, "access.error_no_provider"),
    ({"access": "on"}, "access.error_not_a_section"),
])
def test_settings_that_cannot_be_used_are_refused_by_name(secrets, error):
    with pytest.raises(ConfigError) as refused:
        load(secrets)
    assert refused.value.key == error


def test_every_problem_the_settings_can_have_is_said_in_both_languages():
    source = (ROOT / "lib" / "access.py").read_text(encoding="utf-8")
    keys = set(re.findall(r'"(access\.error_\w+)"', source)) | {"access.error_secrets_unreadable"}
    assert len(keys) == 10
    assert sorted(k for k in keys if k not in LABELS) == []


@pytest.mark.parametrize("email, allowed, verified, admitted", [
    ("li@example.com", (), None, True),                      # no list: anyone the provider signs in
    ("li@example.com", ("li@example.com",), None, True),
    ("LI@Example.COM", ("li@example.com",), True, True),     # without case
    ("wang@example.com", ("li@example.com",), None, False),
    ("wang@example.com", ("@example.com",), None, True),     # the whole domain
    ("wang@evil-example.com", ("@example.com",), None, False),
    ("li@example.com.evil.cn", ("li@example.com",), None, False),
    ("li@example.com", ("@example.com",), False, False),     # the provider says it is not verified
    (None, ("@example.com",), None, False),                  # no email claim
    ("a@b@example.com", ("@example.com",), None, False),
])
def test_who_may_enter_after_a_provider_signs_them_in(email, allowed, verified, admitted):
    assert email_allowed(email, allowed, verified) is admitted


@pytest.mark.parametrize("ip, forwarded, key", [
    ("203.0.113.7", None, "203.0.113.7"),
    ("203.0.113.7", "198.51.100.1", "203.0.113.7"),          # a remote client cannot choose its bucket
    (None, "1.2.3.4, 198.51.100.1", "198.51.100.1"),         # via a proxy here: the address it added
    (None, None, ""),                                        # localhost: one bucket
    (object(), object(), ""),                                # anything but text (AppTest's mock runtime)
    ("2001:db8:0:1::7", None, "2001:db8:0:1::/64"),          # IPv6: the /64, not a new bucket per address
    ("2001:db8:0:1:ffff::9", None, "2001:db8:0:1::/64"),
    ("::ffff:203.0.113.7", None, "203.0.113.7"),             # IPv4 written as IPv6
])
def test_whose_attempts_they_are(ip, forwarded, key):
    assert access.client_key(ip, forwarded) == key


# -- the rate limit ----------------------------------------------------------------------------

def test_the_fifth_wrong_password_locks_for_30_s_and_each_later_one_doubles_it_up_to_15_minutes():
    clock = Clock()
    attempts = Attempts(clock=clock)
    for _ in range(4):  # failures 1-4 cost nothing
        assert attempts.start("a") == 0.0
        assert attempts.wait("a") == 0.0
    assert attempts.start("a") == 0.0    # the 5th is checked ...
    assert attempts.wait("a") == 30.0    # ... and, wrong, locks for 30 s
    clock.advance(10)
    assert attempts.start("a") == 20.0   # refused, unchecked, and the lock is not extended
    assert attempts.wait("a") == 20.0
    assert attempts.wait("b") == 0.0     # another client is not held up
    locks = []
    for _ in range(6):                   # failures 6-11, each tried as soon as allowed
        clock.advance(attempts.wait("a"))
        assert attempts.start("a") == 0.0
        locks.append(attempts.wait("a"))
    assert locks == [60.0, 120.0, 240.0, 480.0, 900.0, 900.0]
    assert attempts.lock_for(5000) == 900.0  # ten weeks of tries later: still 15 min, no overflow


def test_a_right_password_or_a_quiet_hour_starts_the_count_afresh():
    clock = Clock()
    attempts = Attempts(clock=clock)
    for _ in range(4):
        attempts.start("a")
    attempts.succeeded("a")
    for _ in range(4):
        assert attempts.start("a") == 0.0
    assert attempts.wait("a") == 0.0     # 4 since the success: not locked
    clock.advance(3600)                  # an hour without a failure
    for _ in range(4):
        attempts.start("a")
    assert attempts.wait("a") == 0.0     # the 4 before the hour are forgotten


def test_attempts_sent_at_once_cannot_all_slip_in_under_the_limit():
    attempts = Attempts(clock=Clock())
    start = threading.Barrier(20)
    waits: list[float] = []

    def attempt() -> None:
        start.wait()
        waits.append(attempts.start("a"))

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == [0.0] * 5 + [30.0] * 15  # 5 get their password checked, 15 wait


def test_the_quietest_clients_are_forgotten_past_the_limit():
    clock = Clock()
    attempts = Attempts(clock=clock, max_clients=3)
    for client in "abcd":
        clock.advance(1)
        attempts.start(client)
    assert sorted(attempts._clients) == ["b", "c", "d"]


def test_check_counts_wrong_passwords_and_does_not_look_at_one_while_locked():
    clock = Clock()
    attempts = Attempts(clock=clock)
    config = load({"access": {"password_hash": HASH}})
    assert [access.check(config, "nope", "a", attempts) for _ in range(5)] == [("wrong", 0.0)] * 4 + [("wrong", 30.0)]
    assert access.check(config, PASSWORD, "a", attempts) == ("locked", 30.0)  # even the right one waits
    clock.advance(30)
    assert access.check(config, PASSWORD, "a", attempts) == ("ok", 0.0)
    assert access.check(config, "nope", "a", attempts) == ("wrong", 0.0)  # the count started afresh


@pytest.mark.parametrize("seconds, said", [(30.0, 30), (29.2, 30), (0.2, 1), (900.0, 900)])
def test_a_wait_is_said_in_whole_seconds_rounded_up(seconds, said):
    assert access.whole_seconds(seconds) == said


# -- the command line --------------------------------------------------------------------------

def test_python_m_lib_password_prints_the_lines_to_paste(monkeypatch):
    from tests.test_cli import cli

    typed = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    run = cli("password")
    assert run.returncode == 0, run.stderr
    assert PASSWORD not in run.stdout
    assert run.stdout.startswith('[access]\npassword_hash = "scrypt$16384$8$5$')
    config = load(tomllib.loads(run.stdout))  # pasted as printed, it is what the app reads
    assert config.mode == "password" and config.password.matches(PASSWORD)


@pytest.mark.parametrize("typed, error", [
    (["correct horse", "correct hrose"], "error: the two passwords differ; nothing was made\n"),
    (["short", "short"], "error: a password of at least 8 characters, please\n"),
])
def test_python_m_lib_password_refuses_a_mistyped_or_short_password(monkeypatch, typed, error):
    from tests.test_cli import cli

    answers = iter(typed)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    run = cli("password")
    assert (run.returncode, run.stdout, run.stderr) == (1, "", error)


# -- the gate, through AppTest ---------------------------------------------------------------

def locked_app(lang: str = "en", secrets: dict | None = None, **params):
    at = app(lang, **params)
    for name, value in (secrets if secrets is not None else {"access": {"password_hash": HASH}}).items():
        at.secrets[name] = value
    return at


def shown(at) -> str:
    """Everything the run sent to the browser (labels, values, options), as one text."""
    return repr(at._tree)


def sign_in(at, password: str):
    at.text_input[0].set_value(password)
    at.button[0].click()  # the form's submit button
    return at.run()


def assert_only_the_form(at, lang: str = "en") -> None:
    assert not at.exception
    assert "shop" not in shown(at)                      # no dataset name
    assert not at.sidebar.children and not at.metric and not at.selectbox
    assert [t.label for t in at.text_input] == ["Password" if lang == "en" else "密码"]
    assert [b.label for b in at.button] == ["Sign in" if lang == "en" else "进入"]


def test_without_the_password_only_the_form_is_shown(workspace):
    at = locked_app().run()
    assert_only_the_form(at)
    assert "dataset" not in at.session_state  # the sidebar never ran
    assert [h.value for h in at.header] == ["memberlens member lifecycle analytics"]
    assert [c.value for c in at.caption] == ["This workspace is shared: enter its password to open it."]
    # every page is behind it, whichever the link names
    for name in ("cohorts", "data", "member"):
        assert_only_the_form(locked_app().switch_page(f"pages/{name}.py").run())


@pytest.mark.parametrize("lang, wrong, wait", [
    ("en", "Wrong password.", "Too many wrong passwords: try again in 30 s."),
    ("zh", "密码不正确。", "密码错误次数过多，请在 30 秒后再试。"),
])
def test_a_wrong_password_is_refused_and_the_fifth_locks(workspace, lang, wrong, wait):
    at = locked_app(lang).run()
    for _ in range(4):
        sign_in(at, "wrong password")
        assert [e.value for e in at.error] == [wrong]
        assert_only_the_form(at, lang)
    sign_in(at, "wrong password")
    assert [e.value for e in at.error] == [wrong + ("" if lang == "zh" else " ") + wait]
    # a new tab (a new session) is held up too, even with the right password: the count is the process's
    again = sign_in(locked_app(lang).run(), PASSWORD)
    assert [e.value for e in again.error] == [wait]
    assert_only_the_form(again, lang)


def test_an_empty_password_is_not_an_attempt(workspace):
    at = sign_in(locked_app().run(), "")
    assert [w.value for w in at.warning] == ["Enter the password."] and not at.error
    assert access.ATTEMPTS.wait("") == 0.0 and access.ATTEMPTS._clients == {}


def test_the_right_password_opens_the_overview_and_sign_out_locks_again(workspace):
    at = sign_in(locked_app("en", ov_window="range").run(), PASSWORD)
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric}["Revenue (net)"] == "¥180.00"
    assert at.sidebar.selectbox[0].value == "shop"
    at.switch_page("pages/rfm.py").run()               # signed in for the whole session
    assert not at.exception and "Password" not in [t.label for t in at.text_input]
    at.sidebar.button(key="access_sign_out").click().run()
    assert_only_the_form(at)
    assert [k for k in at.session_state if k in ("dataset", "filters", "access_granted") or k.startswith("flt_")] == []
    assert at.query_params == {"lang": "en"}  # the view's dataset and settings leave the URL too


def test_a_link_to_a_page_opens_that_page_once_signed_in(workspace):
    at = sign_in(locked_app("en").switch_page("pages/cohorts.py").run(), PASSWORD)
    assert not at.exception
    assert [t.value for t in at.title] == ["Retention"]


def test_a_new_password_in_the_file_signs_open_sessions_out(workspace):
    at = sign_in(locked_app().run(), PASSWORD)
    assert at.metric
    at.secrets["access"] = {"password_hash": hash_password(PASSWORD, **FAST)}  # same password, new hash
    assert_only_the_form(at.run())


def test_without_access_settings_the_app_opens_as_before(workspace):
    at = app("en").run()
    assert not at.exception and not at.text_input
    assert at.metric
    assert "access_sign_out" not in [b.key for b in at.sidebar.button]
    assert at.sidebar.radio[0].key == "lang_radio"  # the sidebar starts as it always has


@pytest.mark.parametrize("secrets, problem", [
    ({"access": {"password": "hunter2"}},
     "The access settings in `.streamlit/secrets.toml` cannot be used: a plain `password` is not accepted: run "
     "`python -m lib password` and use the `password_hash` line it prints instead. The app stays locked until "
     "they are fixed."),
    ({"access": {"pasword_hash": HASH}},
     "The access settings in `.streamlit/secrets.toml` cannot be used: `[access]` has no setting "
     f"{markdown_text('pasword_hash')} (known: {markdown_text('allowed_emails, password_hash')}). The app stays "
     "locked until they are fixed."),
])
def test_settings_that_cannot_be_used_keep_the_app_locked_and_say_why(workspace, secrets, problem):
    at = locked_app("en", secrets).run()
    assert not at.exception and "shop" not in shown(at) and not at.sidebar.children
    assert [e.value for e in at.error] == [problem]
    assert not at.text_input and not at.button


# -- an identity provider (st.login) -----------------------------------------------------------

def test_with_a_provider_a_signed_out_session_sees_only_the_sign_in_button(workspace, monkeypatch):
    monkeypatch.setattr(access, "authlib_missing", lambda: False)
    at = locked_app("en", {"auth": AUTH})
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception and "shop" not in shown(at) and not at.sidebar.children and not at.metric
    assert [b.label for b in at.button] == ["Sign in"]
    assert [c.value for c in at.caption] == ["Sign in to open this workspace."]


def test_with_a_provider_but_no_authlib_the_page_says_so_in_one_line(workspace, monkeypatch):
    monkeypatch.setattr(access, "authlib_missing", lambda: True)
    at = locked_app("zh", {"auth": AUTH})
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception and not at.button and "shop" not in shown(at)
    assert [e.value for e in at.error] == [
        "使用身份提供方登录需要 Authlib：请在服务器上运行 `pip install \"streamlit[auth]==1.67.0\"`，然后重启应用。"]


@pytest.mark.parametrize("email, opens", [("li@example.com", True), ("wang@other.cn", False)])
def test_a_signed_in_account_enters_only_if_the_list_allows_it(workspace, email, opens):
    at = locked_app("en", {"auth": AUTH, "access": {"allowed_emails": ["@example.com"]}})
    at.user = {"is_logged_in": True, "email": email}
    at.run()
    assert not at.exception
    if opens:
        assert at.metric and at.sidebar.selectbox[0].value == "shop"
        assert [c.value for c in at.sidebar.caption][0] == f"Signed in as {markdown_text(email)}"
    else:
        assert "shop" not in shown(at) and not at.sidebar.children and not at.metric
        assert [e.value for e in at.error] == [f"The account {markdown_text(email)} may not open this workspace. "
                                               "Sign in with another account, or ask the administrator."]
        assert [b.label for b in at.button] == ["Sign out"]


# -- the files around it -------------------------------------------------------------------------

def test_the_secrets_file_is_never_committed_and_its_example_keeps_the_app_open():
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    example = (ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8")
    assert load(tomllib.loads(example)).mode == "open"  # copied as it is, nothing is switched on
    # each example block, uncommented, is a working setting of its mode
    blocks = re.findall(r"^# --- (\w+) ---\n((?:#.*\n)+)", example, re.M)
    assert [name for name, _ in blocks] == ["password", "oidc"]
    for name, block in blocks:
        settings = tomllib.loads(re.sub(r"^# ?", "", block, flags=re.M))
        if name == "password":
            with pytest.raises(ConfigError) as placeholder:  # the example's hash is never a usable one
                load(settings)
            assert placeholder.value.key == "access.error_bad_hash"
        else:
            assert load(settings).mode == "oidc"


def test_the_readme_says_what_the_code_does():
    """README "Sharing the app: access control" quotes the limits and settings of lib/access.py."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Sharing the app: access control"):]
    section = section[:section.index("\n## ", 1)]
    assert (access.FREE_FAILURES, access.FIRST_LOCK_SECONDS, access.MAX_LOCK_SECONDS, access.FORGET_AFTER_SECONDS,
            access.MIN_PASSWORD_LENGTH) == (5, 30.0, 900.0, 3600.0, 8)
    for words in ("the 5th in a row locks that address for 30 s", "at most 15 min", "an hour without a wrong one",
                  "at least 8 characters", "N=2¹⁴, r=8, p=5", "`python -m lib password`",
                  f"`pip install \"streamlit[auth]=={access.STREAMLIT_AUTH_PIN}\"`"):
        assert words in section, words
    assert [key for key in sorted(access.ACCESS_KEYS) if f"{key} =" not in section] == []
    assert f"streamlit=={access.STREAMLIT_AUTH_PIN}" in (ROOT / "requirements.in").read_text(encoding="utf-8")
