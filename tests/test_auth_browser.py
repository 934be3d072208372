"""Sign-in in a real browser (Debian's Chromium through Playwright), on the demo app and behind a real nginx.

- before sign-in no page address shows data: no map, no table (desktop and a 390 px phone);
- a viewer is offered no page or button that changes anything;
- five wrong passwords lock the account: the sixth try, with the right password, is refused too;
- single sign-on: the app in header mode behind nginx on 127.0.0.1 (HTTP basic auth standing in for the
  intranet's portal; nginx sets ``X-Remote-User`` from it, overwriting whatever the browser sent) reads the
  user from the proxy; a login the store does not know sees nothing;
- no password shows up in the app's log.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from facilities.words import ui
from tests.helpers import (
    ARTIFACTS,
    BROWSER,
    DEMO,
    DEMO_VIEWER,
    add_account,
    demo_app,
    free_port,
    open_page,
    open_signed_in,
    page_ready,
    sign_in,
    streamlit_app,
    submit_sign_in,
)

pytestmark = BROWSER
AS_OF = "2026-11-29"
PHONE = {"width": 390, "height": 844}
PAGES = ("", "gaps", "edit", "users")  # (every page address: tests/test_auth_app.py)
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with demo_app(tmp_path_factory, "auth.log", AS_OF) as found:
        yield found


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"auth_{name}.png"), full_page=True)


def _data_on(page) -> int:
    """How many maps and tables the page shows."""
    return page.locator("iframe[title*='streamlit_folium'], [data-testid='stDataFrame'], [data-testid='stVegaLiteChart']").count()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_before_sign_in_no_page_shows_data(app, browser, viewport):
    url, _ = app
    for path in PAGES:
        page, outside, errors = open_page(browser, f"{url}/{path}", viewport)
        page_ready(page)
        page.get_by_role("button", name="登录", exact=True).wait_for(timeout=60_000)
        page.wait_for_timeout(1500)  # (a map would have started drawing by now)
        assert _data_on(page) == 0, path
        assert page.locator("[data-testid='stSidebarNav']").count() == 0, path
        if not path:
            _shot(page, f"sign_in_{'phone' if viewport else 'desktop'}")
        assert outside == [] and not [e for e in errors if "favicon" not in e]
        page.context.close()


def test_a_viewer_sees_no_edit_control(app, browser):
    url, _ = app
    page, outside, _ = open_signed_in(browser, url, DEMO_VIEWER)
    page.wait_for_selector("iframe[title*='streamlit_folium']", timeout=60_000)
    nav = page.locator("[data-testid='stSidebarNav'] a").all_inner_texts()
    shown = {line.strip() for text in nav for line in text.splitlines() if line.strip()}
    assert {ui(p, "zh") for p in ("page_map", "page_gaps", "page_lighting", "page_scorecard", "page_inventory")} <= shown
    for key in ("page_edit", "page_tasks", "page_my_tasks", "page_changes", "page_users", "page_dashboard"):
        assert ui(key, "zh") not in shown, key
    for path in ("", "inventory", "edit"):
        page.goto(f"{url}/{path}")
        page_ready(page)
        for label in ("保存", "编辑此要素", "立案", "停用（状态设为“关闭”）"):
            assert page.get_by_role("button", name=label, exact=True).count() == 0, (path, label)
    _shot(page, "viewer")
    assert outside == []


def test_five_wrong_passwords_lock_the_account(app, browser):
    url, _ = app
    login, password = "demo-leader", "demo-leader-2026"
    page, outside, _ = open_page(browser, url)
    page_ready(page)

    def attempt(secret: str) -> str:
        submit_sign_in(page, login, secret)
        page.wait_for_timeout(700)
        alert = page.locator("[data-testid='stAlert']", has_text="密码").first
        alert.wait_for(timeout=60_000)
        return alert.inner_text()

    for i in range(1, 5):
        assert f"{5 - i} 次后锁定" in attempt(f"wrong-password-{i}")
    assert "账号已锁定" in attempt("wrong-password-5")
    said = attempt(password)  # the right password: still refused while locked
    assert "账号已锁定" in said and "分钟后再试" in said
    assert page.locator("[data-testid='stSidebarNav']").count() == 0 and _data_on(page) == 0
    _shot(page, "locked")
    assert outside == []


def test_no_password_in_the_app_log(app, browser):
    """A wrong then a right sign-in (and those of the tests above): the app's log holds no password typed."""
    url, database = app
    page, _, _ = open_page(browser, url)
    page_ready(page)
    submit_sign_in(page, "demo-staff", "wrong-password-6")
    page.locator("[data-testid='stAlert']", has_text="密码").first.wait_for(timeout=60_000)
    sign_in(page, "demo-staff", "demo-staff-2026")
    logs = list(Path(database.removeprefix("sqlite:///")).parent.parent.glob("log*/auth.log"))  # (demo_app's log folder)
    assert logs
    text = "".join(p.read_text(errors="replace") for p in logs)
    for secret in ("demo-staff-2026", "wrong-password-6", "demo-viewer-2026", "demo-leader-2026", "wrong-password-1"):
        assert secret not in text


# --------------------------------------------------------------------------- single sign-on behind nginx


def _htpasswd(users: dict[str, str]) -> str:
    """nginx's ``{SHA}`` lines (enough for a test proxy; the intranet's portal does the real sign-in)."""
    return "".join(f"{u}:{{SHA}}{base64.b64encode(hashlib.sha1(p.encode()).digest()).decode()}\n" for u, p in users.items())


def _nginx_conf(root: Path, port: int, app_port: int) -> str:
    temp = " ".join(f"{k}_temp_path {root / k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    # run as root (as CI does), nginx's workers would become "nobody", who cannot read the test's folder
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
{user}
worker_processes 1;
pid {root / "nginx.pid"};
error_log {root / "error.log"};
events {{ worker_connections 64; }}
http {{
  access_log {root / "access.log"};
  {temp}
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  server {{
    listen 127.0.0.1:{port};
    auth_basic "intranet";
    auth_basic_user_file {root / "htpasswd"};
    location / {{
      proxy_pass http://127.0.0.1:{app_port};
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Remote-User $remote_user;
      proxy_read_timeout 1h;
    }}
  }}
}}
"""


@pytest.fixture(scope="module")
def sso(tmp_path_factory):
    """The demo app in header mode on 127.0.0.1, nginx in front of it: (proxy URL, the people's passwords)."""
    if not Path(NGINX).exists():
        pytest.skip("nginx not installed (Debian package nginx-light; .ci/run installs it)")
    data = tmp_path_factory.mktemp("sso_data")
    shutil.copytree(DEMO, data / "xiangyang")
    database = f"sqlite:///{data / 'facilities.sqlite'}"
    add_account(database, "zhang.wei", "leader", name="张伟")  # an account without a password: SSO only
    people = {"zhang.wei": "portal-pass-1", "stranger": "portal-pass-2"}  # stranger: no account in the store
    root = tmp_path_factory.mktemp("nginx")
    (root / "htpasswd").write_text(_htpasswd(people))
    app_port = free_port()
    options = ("--server.address", "127.0.0.1", "--server.headless", "true", "--server.trustedUserHeaders", '{"X-Remote-User": "login"}')
    env = {"FACILITIES_AS_OF": AS_OF, "FACILITIES_DB": database, "FACILITIES_AUTH": "header"}
    with streamlit_app(data, "xiangyang", root / "app.log", env=env, options=options, port=app_port):
        port = free_port()
        (root / "nginx.conf").write_text(_nginx_conf(root, port, app_port))
        command = [NGINX, "-p", str(root), "-e", str(root / "error.log"), "-c", str(root / "nginx.conf"), "-g", "daemon off;"]
        proxy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                except urllib.error.HTTPError as exc:  # 401: nginx is up, asking who you are
                    if exc.code == 401:
                        break
                except OSError:
                    time.sleep(0.2)
            yield url, people
        finally:
            proxy.terminate()
            proxy.wait(10)


def test_single_sign_on_reads_the_user_from_the_proxy(sso, browser):
    url, people = sso
    # the browser also sends its own X-Remote-User: nginx overwrites it with the portal's user
    credentials = {"username": "zhang.wei", "password": people["zhang.wei"]}
    page, outside, _ = open_page(browser, url, http_credentials=credentials, extra_http_headers={"X-Remote-User": "demo-admin"})
    page.wait_for_selector("iframe[title*='streamlit_folium']", timeout=90_000)
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    assert "张伟 (zhang.wei)" in sidebar and "领导" in sidebar
    assert "demo-admin" not in sidebar and "退出登录" not in sidebar  # header mode: the portal signs out
    assert page.get_by_label("用户名", exact=True).count() == 0
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert ui("page_dashboard", "zh") in nav and ui("page_users", "zh") not in nav  # a leader's pages, not an administrator's
    _shot(page, "sso")
    assert outside == []


def test_single_sign_on_of_an_unknown_login_shows_nothing(sso, browser):
    url, people = sso
    page, outside, _ = open_page(browser, url, http_credentials={"username": "stranger", "password": people["stranger"]})
    page.locator("[data-testid='stAlert']", has_text="stranger").wait_for(timeout=90_000)
    assert "尚未在本系统登记" in page.locator("[data-testid='stAlert']").first.inner_text()
    page.wait_for_timeout(1000)
    assert _data_on(page) == 0 and page.locator("[data-testid='stSidebarNav']").count() == 0
    assert outside == []
