#!/usr/bin/env python3
"""A real-browser smoke test of the web desk, as CI runs it.

It makes a fresh installation in a temporary folder (`rightsdesk init`, an officer from `users add --json`), starts
`rightsdesk serve` on a free port, and drives headless Chromium (Debian's `chromium` and `chromium-driver`) through
Selenium: sign in with the officer's token, file an objection through the new-request form (the subject
"0912 345 678", a Vietnamese name with every diacritic), and find it in the queue with its id and the Vietnamese
type label. Then the same flow again in a browser with JavaScript disabled, since every page must work without it.
A screenshot of the queue is saved and its path printed. Last, a person files an objection on the public portal in
a phone-sized window (390 px) with JavaScript off: the one-time code is read from a real SMTP server on loopback
(Tests/Fixtures/smtp-sink.py, aiosmtpd from .venv-mail/), the request is filed, and the page must not scroll
sideways.

    scripts/install-browser-deps
    .venv-smoke/bin/python scripts/browser-smoke.py --bin "$(swift build --show-bin-path)/rightsdesk"

Exit 0 when every step passed; 1 with one clear line saying which step failed and why (with the page's screenshot,
its HTML and the server's log kept in the temporary folder); 2 for a usage error. The server is always stopped.
Only the standard library and `selenium` are used.
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.error
import urllib.request

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    sys.exit(
        "browser-smoke: selenium is not installed for this Python: run scripts/install-browser-deps and use "
        ".venv-smoke/bin/python scripts/browser-smoke.py"
    )

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ORGANIZATION = "Công ty TNHH Ví Dụ"
SUBJECT = "0912 345 678"
# Composed (NFC) as a Vietnamese keyboard types it; the desk must store and show it byte for byte.
NAME = unicodedata.normalize("NFC", "Nguyễn Thị Lan")
TYPE_LABEL = "Phản đối xử lý"  # WebText.typeName(.objection, .vi): the desk speaks Vietnamese by default
REQUEST_ID = re.compile(r"/requests/(RQ-\d{4}-\d{6,})$")
WAIT = 20  # seconds for a page or a redirect


class SmokeFailure(Exception):
    """A step of the flow did not do what the desk promises."""


def log(message):
    print(f"browser-smoke: {message}", flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(binary, *args):
    """Runs the rightsdesk binary; a failure names the command and its stderr."""
    result = subprocess.run([binary, *args], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise SmokeFailure(
            f"`rightsdesk {' '.join(args)}` exited {result.returncode}: {result.stderr.strip() or result.stdout.strip()}"
        )
    return result.stdout


class Server:
    """`rightsdesk serve` on a free port, its output in a log file; stopped by `stop()` whatever happened."""

    def __init__(self, binary, database, folder, extra_env=None):
        self.binary = binary
        self.database = database
        self.extra_env = extra_env or {}
        self.log_path = os.path.join(folder, "server.log")
        self.process = None
        self.port = None

    def start(self):
        env = dict(os.environ, RIGHTSDESK_ZALO_OA_SECRET="browser-smoke-secret", **self.extra_env)
        env.pop("RIGHTSDESK_DB", None)
        # A port taken between choosing it and binding it (another job on the machine) is tried again.
        for _ in range(3):
            self.port = free_port()
            with open(self.log_path, "ab") as output:
                self.process = subprocess.Popen(
                    [self.binary, "serve", "--port", str(self.port), "--db", self.database],
                    stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, env=env,
                    start_new_session=True,
                )
            if self.wait_healthy():
                return
            if self.process.poll() is None:
                break
        self.stop()
        raise SmokeFailure(f"`rightsdesk serve` did not answer /healthz: {self.log_tail()}")

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def wait_healthy(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                pass
            time.sleep(0.2)
        return False

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def log_tail(self, lines=15):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as file:
                tail = file.read().splitlines()[-lines:]
        except OSError:
            return "(no server log)"
        return "server log: " + (" | ".join(tail) if tail else "(empty)")


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAIL_PYTHON = os.path.join(ROOT, ".venv-mail", "bin", "python")
SINK = os.path.join(ROOT, "Tests", "Fixtures", "smtp-sink.py")
PORTAL_EMAIL = "thu.pham@example.vn"


class MailSink:
    """A real SMTP server on loopback (aiosmtpd) keeping each message as NNNN.eml in a folder."""

    def __init__(self, folder):
        self.folder = os.path.join(folder, "mail")
        self.process = None
        self.port = None

    def start(self):
        if not os.access(MAIL_PYTHON, os.X_OK):
            raise SmokeFailure(f"{MAIL_PYTHON} is missing: run scripts/install-deps (aiosmtpd from PyPI)")
        self.process = subprocess.Popen(
            [MAIL_PYTHON, SINK, "--dir", self.folder, "--port", "0"], stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, start_new_session=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("READY "):
            raise SmokeFailure(f"the SMTP sink did not start: {line!r}")
        self.port = int(line.split()[1])

    def code_for(self, address, timeout=20):
        import email
        from email import policy
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name in sorted(os.listdir(self.folder), reverse=True) if os.path.isdir(self.folder) else []:
                if not name.endswith(".json"):
                    continue
                with open(os.path.join(self.folder, name), encoding="utf-8") as file:
                    envelope = json.load(file)
                if address not in envelope.get("rcpt_tos", []):
                    continue
                with open(os.path.join(self.folder, name[:-5] + ".eml"), "rb") as file:
                    message = email.message_from_bytes(file.read(), policy=policy.default)
                body = message.get_body(preferencelist=("plain",)).get_content()
                found = re.search(r"\b(\d{6})\b", body)
                if found:
                    return found.group(1)
            time.sleep(0.2)
        raise SmokeFailure(f"no code reached {address} within {timeout} s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def portal_flow(server, sink, folder, screenshot):
    """A person on a phone, JavaScript off: the portal's form, the code from the mail, the request filed."""
    label = "portal (390 px, JS off)"
    driver = browser(folder, False, size="390,844")
    try:
        try:
            if scripts_run(driver):
                raise SmokeFailure(f"{label}: the browser runs page scripts, so this run does not test what it says")
            # Headless Chromium keeps windows at least 500 px wide: a phone's viewport is emulated instead.
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
            )
            driver.get(server.base + "/portal")
            if path_of(driver) != "/portal" or "Gửi yêu cầu về dữ liệu cá nhân" not in page_text(driver, 2000):
                raise SmokeFailure(f"{label}: /portal does not show the Vietnamese form: {page_text(driver)}")
            form = "form[action='/portal']"
            choose(driver, f"{form} select#type", "objection", label)
            type_into(driver, f"{form} input#identifier", PORTAL_EMAIL, label)
            type_into(driver, f"{form} input#name", NAME, label)
            field(driver, f"{form} button[type=submit]", label).click()
            wait_for(driver, f"{label} (expected the code form)", lambda d: d.find_elements(By.CSS_SELECTOR, "input#code"))
            code = sink.code_for(PORTAL_EMAIL)
            type_into(driver, "form[action='/portal/verify'] input#code", code, label)
            field(driver, "form[action='/portal/verify'] button[type=submit]", label).click()
            wait_for(
                driver, f"{label} (expected the request's id)",
                lambda d: re.search(r"RQ-\d{4}-\d{6}", page_text(d, 2000)) is not None,
            )
            request_id = re.search(r"RQ-\d{4}-\d{6}", page_text(driver, 2000)).group(0)
            # Sideways scrolling: the document may not be wider than the window.
            widths = driver.execute_cdp_cmd(
                "Runtime.evaluate",
                {"expression": "[document.documentElement.scrollWidth, window.innerWidth]", "returnByValue": True},
            )["result"]["value"]
            if widths[1] != 390:
                raise SmokeFailure(f"{label}: the viewport is {widths[1]} px wide, not the phone's 390 px")
            if widths[0] > widths[1]:
                raise SmokeFailure(f"{label}: the page is {widths[0]} px wide in a {widths[1]} px window")
            if not driver.save_screenshot(screenshot):
                raise SmokeFailure(f"{label}: the screenshot could not be written to {screenshot}")
            log(f"{label}: filed {request_id} with the code from the mail; {widths[0]} px in {widths[1]} px")
            return request_id
        except SmokeFailure as failure:
            kept = save_failure(driver, folder, "portal")
            if kept:
                failure.args = (f"{failure.args[0]} (kept: {', '.join(kept)})",)
            raise
        except WebDriverException as error:
            kept = save_failure(driver, folder, "portal")
            raise SmokeFailure(f"{label}: the browser failed at {driver.current_url}: {error.msg or error}")
    finally:
        try:
            driver.quit()
        except WebDriverException:
            pass


def browser(folder, javascript, size="1280,900"):
    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={size}",
        "--lang=vi-VN", "--no-first-run", "--disable-gpu",
    ):
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    name = f"chromedriver-{'js' if javascript else 'nojs'}-{size.replace(',', 'x')}.log"
    service = Service(executable_path=CHROMEDRIVER, log_output=os.path.join(folder, name))
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except WebDriverException as error:
        raise SmokeFailure(f"headless Chromium did not start ({CHROMIUM}, {CHROMEDRIVER}): {error.msg or error}")
    driver.set_page_load_timeout(WAIT)
    return driver


def wait_for(driver, what, condition):
    try:
        return WebDriverWait(driver, WAIT).until(lambda d: condition(d))
    except TimeoutException:
        raise SmokeFailure(f"{what}: still at {driver.current_url} after {WAIT} s; page says: {page_text(driver)}")


def page_text(driver, limit=300):
    """What the page shows, one line, for a failure message (the error page's heading and detail come first)."""
    try:
        text = driver.find_element(By.TAG_NAME, "main").text
    except WebDriverException:
        try:
            text = driver.find_element(By.TAG_NAME, "body").text
        except WebDriverException:
            return "(unreadable)"
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "")


def path_of(driver):
    url = driver.current_url
    return re.sub(r"^https?://[^/]+", "", url).split("?")[0].split("#")[0]


def field(driver, selector, what):
    elements = driver.find_elements(By.CSS_SELECTOR, selector)
    if not elements:
        raise SmokeFailure(f"{what}: no `{selector}` on {path_of(driver)}; page says: {page_text(driver)}")
    return elements[0]


def choose(driver, selector, value, what):
    select = Select(field(driver, selector, what))
    values = [option.get_attribute("value") for option in select.options]
    if value not in values:
        raise SmokeFailure(f"{what}: `{selector}` offers {values}, not {value!r}")
    select.select_by_value(value)


def type_into(driver, selector, text, what):
    element = field(driver, selector, what)
    element.clear()
    element.send_keys(text)
    typed = element.get_attribute("value")
    if typed != text:
        raise SmokeFailure(f"{what}: typed {text!r} into `{selector}` but the field holds {typed!r}")


def sign_in(driver, base, token, label):
    driver.get(base + "/login")
    if path_of(driver) != "/login":
        raise SmokeFailure(f"{label} /login: landed on {path_of(driver)}; page says: {page_text(driver)}")
    type_into(driver, "form[action='/login'] input#token", token, f"{label} sign-in")
    field(driver, "form[action='/login'] button[type=submit]", f"{label} sign-in").click()
    wait_for(driver, f"{label} sign-in (expected the redirect to /queue)", lambda d: path_of(d) == "/queue")
    who = field(driver, "header .who", f"{label} sign-in").text
    if "lan" not in who:
        raise SmokeFailure(f"{label} sign-in: the header does not name the officer: {who!r}")
    log(f"{label}: signed in as lan ({who})")


def file_objection(driver, base, label):
    driver.get(base + "/requests/new")
    if path_of(driver) != "/requests/new":
        raise SmokeFailure(f"{label} /requests/new: landed on {path_of(driver)}; page says: {page_text(driver)}")
    form = "form[action='/requests']"
    choose(driver, f"{form} select#type", "objection", f"{label} new request")
    type_into(driver, f"{form} textarea#subjects", SUBJECT, f"{label} new request")
    choose(driver, f"{form} select#channel", "zalo", f"{label} new request")
    type_into(driver, f"{form} input#name", NAME, f"{label} new request")
    field(driver, f"{form} button[type=submit]", f"{label} new request").click()
    wait_for(
        driver, f"{label} new request (expected the redirect to /requests/RQ-…)",
        lambda d: REQUEST_ID.search(path_of(d)) is not None,
    )
    request_id = REQUEST_ID.search(path_of(driver)).group(1)
    heading = field(driver, "main h1", f"{label} request page").text
    if request_id not in heading:
        raise SmokeFailure(f"{label} request page: the heading {heading!r} does not name {request_id}")
    details = {
        dt.text.strip(): dd.text.strip()
        for dt, dd in zip(
            driver.find_elements(By.CSS_SELECTOR, "main dl dt"), driver.find_elements(By.CSS_SELECTOR, "main dl dd")
        )
    }
    shown = list(details.values())
    if NAME not in shown:
        raise SmokeFailure(f"{label} request page: {request_id} does not show the name {NAME!r} exactly: {details}")
    if TYPE_LABEL not in shown:
        raise SmokeFailure(f"{label} request page: {request_id} does not show the type {TYPE_LABEL!r}: {details}")
    subjects = [item.text for item in driver.find_elements(By.CSS_SELECTOR, "main ul li")]
    if not any("+84912345678" in item or "0912345678" in item for item in subjects):
        raise SmokeFailure(f"{label} request page: {request_id} does not list the subject {SUBJECT!r}: {subjects}")
    log(f"{label}: filed {request_id} (objection, {NAME}, {SUBJECT}, zalo)")
    return request_id


def check_queue(driver, base, request_ids, label):
    driver.get(base + "/queue")
    if path_of(driver) != "/queue":
        raise SmokeFailure(f"{label} /queue: landed on {path_of(driver)}; page says: {page_text(driver)}")
    rows = {}
    for row in driver.find_elements(By.CSS_SELECTOR, "main table tbody tr"):
        header = row.find_elements(By.CSS_SELECTOR, "th[scope=row]")
        cells = [cell.text.strip() for cell in row.find_elements(By.TAG_NAME, "td")]
        if header:
            rows[header[0].text.strip()] = cells
    for request_id in request_ids:
        if request_id not in rows:
            raise SmokeFailure(
                f"{label} queue: {request_id} is not listed (rows: {sorted(rows) or 'none'}); page says: "
                f"{page_text(driver)}"
            )
        link = driver.find_elements(By.CSS_SELECTOR, f"main table a[href='/requests/{request_id}']")
        if not link:
            raise SmokeFailure(f"{label} queue: {request_id} has no link to /requests/{request_id}")
        if not rows[request_id] or rows[request_id][0] != TYPE_LABEL:
            raise SmokeFailure(
                f"{label} queue: {request_id} shows the type {rows[request_id][:1]}, expected {TYPE_LABEL!r}"
            )
    log(f"{label}: the queue lists {', '.join(request_ids)} as {TYPE_LABEL!r} ({len(rows)} rows)")


def scripts_run(driver):
    """Whether the page's own scripts run: the desk's pages carry none here, so ask the browser directly."""
    marker = "rd-js-probe"
    driver.get(f"data:text/html,<title>off</title><script>document.title='{marker}'</script>")
    return driver.title == marker


def save_failure(driver, folder, label):
    kept = []
    try:
        path = os.path.join(folder, f"failure-{label}.png")
        driver.save_screenshot(path)
        kept.append(path)
        path = os.path.join(folder, f"failure-{label}.html")
        with open(path, "w", encoding="utf-8") as file:
            file.write(driver.page_source)
        kept.append(path)
    except (WebDriverException, OSError):
        pass
    return kept


def flow(server, token, folder, javascript, screenshot, earlier_ids):
    label = "JS on" if javascript else "JS off"
    driver = browser(folder, javascript)
    try:
        try:
            if scripts_run(driver) != javascript:
                raise SmokeFailure(
                    f"{label}: the browser {'runs' if not javascript else 'does not run'} page scripts, "
                    "so this run does not test what it says"
                )
            sign_in(driver, server.base, token, label)
            request_id = file_objection(driver, server.base, label)
            check_queue(driver, server.base, earlier_ids + [request_id], label)
            if not driver.save_screenshot(screenshot):
                raise SmokeFailure(f"{label}: the screenshot could not be written to {screenshot}")
            log(f"{label}: screenshot of the queue: {screenshot}")
            return request_id
        except SmokeFailure as failure:
            kept = save_failure(driver, folder, label.replace(" ", "-").lower())
            if kept:
                failure.args = (f"{failure.args[0]} (kept: {', '.join(kept)})",)
            raise
        except WebDriverException as error:
            kept = save_failure(driver, folder, label.replace(" ", "-").lower())
            raise SmokeFailure(
                f"{label}: the browser failed at {driver.current_url}: {error.msg or error}"
                + (f" (kept: {', '.join(kept)})" if kept else "")
            )
    finally:
        try:
            driver.quit()
        except WebDriverException:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True, help="the rightsdesk binary")
    parser.add_argument(
        "--screenshot", help="where to save the queue's screenshot (default: browser-smoke.png in the temp folder)"
    )
    parser.add_argument("--no-js-off", action="store_true", help="skip the second run with JavaScript disabled")
    arguments = parser.parse_args()

    binary = os.path.abspath(arguments.bin)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        parser.error(f"--bin {arguments.bin}: not an executable file (build it first: swift build)")
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            log(f"FAILED: {path} is missing: run scripts/install-browser-deps (Debian package {package})")
            return 1

    started = time.monotonic()
    folder = tempfile.mkdtemp(prefix="rightsdesk-browser-smoke-")
    screenshot = os.path.abspath(arguments.screenshot or os.path.join(folder, "browser-smoke.png"))
    os.makedirs(os.path.dirname(screenshot), exist_ok=True)
    root, extension = os.path.splitext(screenshot)
    screenshot_nojs = f"{root}-nojs{extension or '.png'}"
    database = os.path.join(folder, "desk.sqlite")
    log(f"working in {folder}")
    sink = MailSink(folder)
    server = None
    try:
        sink.start()
        server = Server(
            binary, database, folder,
            {"RIGHTSDESK_SMTP_URL": f"smtp://127.0.0.1:{sink.port}", "RIGHTSDESK_MAIL_FROM": "dpo@vidu.example.vn"},
        )
        run_cli(binary, "init", "--org", ORGANIZATION, "--db", database)
        issued = json.loads(run_cli(binary, "users", "add", "lan", "--role", "officer", "--json", "--db", database))
        token = issued.get("token")
        if not token or issued.get("role") != "officer":
            raise SmokeFailure(f"`users add lan --role officer --json` gave no officer token: keys {sorted(issued)}")
        server.start()
        log(f"rightsdesk serve answers /healthz at {server.base}")

        ids = [flow(server, token, folder, True, screenshot, [])]
        if not arguments.no_js_off:
            ids.append(flow(server, token, folder, False, screenshot_nojs, ids))

        # The command line sees what the browser filed, with the name as typed.
        listed = json.loads(run_cli(binary, "request", "list", "--json", "--db", database))
        rows = listed if isinstance(listed, list) else listed.get("requests", [])
        listed_ids = {row.get("id") for row in rows if isinstance(row, dict)}
        missing = [request_id for request_id in ids if request_id not in listed_ids]
        if missing:
            raise SmokeFailure(f"`rightsdesk request list --json` does not list {missing} (it lists {sorted(listed_ids)})")
        ids.append(portal_flow(server, sink, folder, f"{root}-portal-390{extension or '.png'}"))
        shown = json.loads(run_cli(binary, "request", "show", ids[-1], "--json", "--db", database))
        if shown.get("channel") != "web" or (shown.get("subjects") or [{}])[0].get("method") != "otp-email":
            raise SmokeFailure(f"the portal's {ids[-1]} is not a web request verified by otp-email: {shown}")
    except SmokeFailure as failure:
        log(f"FAILED: {failure}")
        if server:
            log(server.log_tail())
        log(f"kept for inspection: {folder}")
        return 1
    except Exception as error:  # an unexpected error still fails clearly and stops the server
        log(f"FAILED: {type(error).__name__}: {error}")
        log(f"kept for inspection: {folder}")
        return 1
    finally:
        if server:
            server.stop()
        sink.stop()

    log(
        f"passed in {time.monotonic() - started:.1f} s: signed in, filed {', '.join(ids[:-1])}, found in the queue; "
        f"{ids[-1]} filed on the portal"
    )
    log(f"screenshot: {screenshot}")
    print(screenshot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
