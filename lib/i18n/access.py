"""The access gate (lib/access_gate.py): the sign-in page, the sign-out button, what is wrong with
the access settings (lib/access.py ConfigError keys)."""

LABELS: dict[str, tuple[str, str]] = {
    # the password page
    "access.password_prompt": ("此工作区设有密码，请输入密码后进入。", "This workspace is shared: enter its password to open it."),
    "access.password": ("密码", "Password"),
    "access.sign_in": ("进入", "Sign in"),
    "access.empty": ("请输入密码。", "Enter the password."),
    "access.wrong": ("密码不正确。", "Wrong password."),
    "access.locked": ("密码错误次数过多，请在 {seconds} 秒后再试。", "Too many wrong passwords: try again in {seconds} s."),
    # an identity provider (st.login)
    "access.oidc_prompt": ("请登录后进入此工作区。", "Sign in to open this workspace."),
    "access.sign_in_with": ("使用 {provider} 登录", "Sign in with {provider}"),
    "access.not_allowed": ("账号 {email} 无权打开此工作区。请换一个账号登录，或联系管理员。",
                           "The account {email} may not open this workspace. Sign in with another account, or ask "
                           "the administrator."),
    "access.authlib_missing": ("使用身份提供方登录需要 Authlib：请在服务器上运行 `pip install \"streamlit[auth]=={pin}\"`，然后重启应用。",
                               "Signing in with an identity provider needs the Authlib package: run "
                               "`pip install \"streamlit[auth]=={pin}\"` on the server, then restart the app."),
    # the sidebar while signed in
    "access.signed_in_as": ("已登录：{who}", "Signed in as {who}"),
    "access.sign_out": ("退出登录", "Sign out"),
    # what is wrong with the settings (the app stays locked until it is fixed)
    "access.config_problem": ("`.streamlit/secrets.toml` 中的访问控制设置无法使用：{problem}。修正之前应用保持锁定。",
                              "The access settings in `.streamlit/secrets.toml` cannot be used: {problem}. The app "
                              "stays locked until they are fixed."),
    "access.error_secrets_unreadable": ("无法读取 secrets 文件（TOML 格式有误？）", "the secrets file cannot be read (is it valid TOML?)"),
    "access.error_not_a_section": ("`access` 应为 `[access]` 一节", "`access` must be an `[access]` section"),
    "access.error_plain_password": ("不接受明文 `password`：请运行 `python -m lib password`，改用它输出的 `password_hash` 一行",
                                    "a plain `password` is not accepted: run `python -m lib password` and use the "
                                    "`password_hash` line it prints instead"),
    "access.error_bad_hash": ("`password_hash` 不是 `python -m lib password` 生成的格式",
                              "`password_hash` is not one that `python -m lib password` makes"),
    "access.error_unknown_setting": ("`[access]` 中没有 {name} 这一项（可用：{known}）",
                                     "`[access]` has no setting {name} (known: {known})"),
    "access.error_both": ("`password_hash` 与 `[auth]` 只能选一种", "choose one of `password_hash` and `[auth]`, not both"),
    "access.error_emails_without_auth": ("`allowed_emails` 需要同时配置 `[auth]`（身份提供方登录）",
                                         "`allowed_emails` needs an `[auth]` section (sign-in with an identity provider)"),
    "access.error_nothing_configured": ("`[access]` 中没有 `password_hash`，也没有 `[auth]` 一节",
                                        "`[access]` holds no `password_hash`, and there is no `[auth]` section"),
    "access.error_bad_emails": ("`allowed_emails` 应为邮箱地址列表，例如 `[\"li@example.com\", \"@example.com\"]`",
                                "`allowed_emails` must be a list of addresses, e.g. "
                                "`[\"li@example.com\", \"@example.com\"]`"),
    "access.error_no_provider": ("`[auth]` 中没有 `client_id`，也没有带 `client_id` 的 `[auth.名称]`",
                                 "`[auth]` holds no `client_id`, and no `[auth.NAME]` holding one"),
}
