"""The access gate, drawn by lib.ui.run_app right after st.set_page_config and before st.navigation:
a session that may not see the app gets the sign-in page and nothing else (no page list, no
sidebar, no dataset name), and its script run stops there. Every page file runs through run_app
(lib.ui.open_store), so this one call guards them all.

What it asks for comes from `.streamlit/secrets.toml` (lib/access.py: open, a password, or an
identity provider through st.login); with neither section the app opens as it always has. A
session signed in with the password stays so until it signs out or closes (st.session_state; a
new tab or a reload asks again); one signed in through a provider keeps Streamlit's identity
cookie (st.user).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from lib import access
from lib.formatting import markdown_text
from lib.i18n import sentences
from lib.ui import lang, tr

GRANTED = "access_granted"  # session state: the AccessConfig.grant this session signed in under


def require_access(pages: Callable[[], Any]) -> None:
    """Return when this session may see the app; else draw the sign-in page and stop the run.

    `pages` makes the app's page list (lib.ui._pages). A locked run registers it hidden: the
    navigation is not shown, and it replaces the list of pages/ files Streamlit would show
    otherwise; the page asked for (a link to /cohorts) is kept for after the sign-in."""
    locked = _Locked(pages)
    try:
        config = access.load(_secrets())
    except access.ConfigError as exc:
        with locked.frame():
            problem = tr(exc.key, **{name: markdown_text(value) for name, value in exc.values.items()})
            st.error(tr("access.config_problem", problem=problem), icon=":material/lock:")
        st.stop()
    if config.mode == "password":
        _password_gate(config, locked)
    elif config.mode == "oidc":
        _provider_gate(config, locked)


def _secrets() -> dict[str, Any]:
    """st.secrets as a dict ({} when there is no secrets file). A file that is there but cannot be
    read (bad TOML) is a ConfigError: Streamlit would treat it as absent, and open the app."""
    if st.secrets.load_if_toml_exists():
        return st.secrets.to_dict()
    if any(Path(path).expanduser().exists() for path in st.get_option("secrets.files")):
        raise access.ConfigError("access.error_secrets_unreadable")
    return {}


class _Locked:
    """The sign-in page: the page list registered hidden, then one narrow column under the app's name."""

    def __init__(self, pages: Callable[[], Any]) -> None:
        self._pages = pages

    def frame(self) -> Any:
        st.navigation(self._pages(), position="hidden")
        _, middle, _ = st.columns([1, 2, 1])
        with middle:
            st.header(tr("app_title"))
        return middle


def _client() -> str:
    """Whose attempts these are (lib.access.client_key)."""
    return access.client_key(st.context.ip_address, st.context.headers.get("X-Forwarded-For"))


# -- a password ----------------------------------------------------------------------------------

def _password_gate(config: access.AccessConfig, locked: _Locked) -> None:
    if st.session_state.get(GRANTED) == config.grant:
        _sign_out_button(on_click=_forget_session)
        return
    with locked.frame():
        st.caption(tr("access.password_prompt"))
        with st.form("access_form", clear_on_submit=True):
            password = st.text_input(tr("access.password"), type="password", autocomplete="current-password")
            submitted = st.form_submit_button(tr("access.sign_in"), type="primary", icon=":material/login:")
        if submitted and not password:
            st.warning(tr("access.empty"))
        elif submitted:
            verdict, seconds = access.check(config, password, _client())
            if verdict == "ok":
                st.session_state[GRANTED] = config.grant
                st.rerun()
            wrong = tr("access.wrong") if verdict == "wrong" else None
            wait = tr("access.locked", seconds=access.whole_seconds(seconds)) if seconds > 0 else None
            st.error(sentences((wrong, wait), lang()), icon=":material/lock:")
    st.stop()


def _forget_session() -> None:
    """Sign out: this session is as new — its dataset, filters and page settings go, from the URL
    too — but for its language."""
    for key in [key for key in st.session_state if key != "lang"]:
        del st.session_state[key]
    st.query_params.clear()
    if "lang" in st.session_state:
        st.query_params["lang"] = st.session_state["lang"]


# -- an identity provider (st.login) -----------------------------------------------------------

def _provider_gate(config: access.AccessConfig, locked: _Locked) -> None:
    user = st.user
    if not user.get("is_logged_in", False):
        with locked.frame():
            st.caption(tr("access.oidc_prompt"))
            if access.authlib_missing():  # st.login would raise; say it in one line instead
                st.error(tr("access.authlib_missing", pin=access.STREAMLIT_AUTH_PIN), icon=":material/lock:")
            else:
                for provider in config.providers:
                    label = tr("access.sign_in") if provider is None else tr("access.sign_in_with", provider=provider)
                    if st.button(label, key=f"access_login_{provider or ''}", type="primary", icon=":material/login:"):
                        st.login(provider)
        st.stop()
    email = user.get("email")
    if not access.email_allowed(email, config.allowed_emails, user.get("email_verified")):
        with locked.frame():
            st.error(tr("access.not_allowed", email=markdown_text(email or "–")), icon=":material/block:")
            if st.button(tr("access.sign_out"), key="access_sign_out", icon=":material/logout:"):
                st.logout()
        st.stop()
    if _sign_out_button(who=email or user.get("name")):
        st.logout()


def _sign_out_button(on_click=None, who: object = None) -> bool:
    """Who is signed in (a provider's account) and the sign-out button, in the sidebar."""
    with st.sidebar:
        if who:
            st.caption(tr("access.signed_in_as", who=markdown_text(who)))
        return st.button(tr("access.sign_out"), key="access_sign_out", icon=":material/logout:", on_click=on_click,
                         width="stretch")
