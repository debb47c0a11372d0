#!/usr/bin/env python3
"""A real-browser smoke test of the web desk, as CI runs it.

It makes a fresh installation in a temporary folder (`rightsdesk init`, an officer from `users add --json`) and files,
through the command line, an access request received twenty days ago (the subject 0987654321, by phone, from
"Trần Thị Ánh"), so its acknowledgement is late, and one fresh access request for each browser run below. Then it
starts `rightsdesk serve` on a free port and drives headless Chromium (Debian's `chromium` and `chromium-driver`)
through Selenium:

1. sign in with the officer's token and land on /today, whose section `#today-acks` lists the late request as
   `li.late` with its link and the badge "trễ xác nhận";
2. file an objection through the new-request form (the subject "0912 345 678", a Vietnamese name with every
   diacritic), and find it in the queue with its id, the name exactly as typed and the Vietnamese type label
   (a screenshot of the queue is saved and its path printed);
3. type "tran thi anh" (no diacritics, lower case) into the queue's search box and submit it: the table lists the
   late request with the name "Trần Thị Ánh" exactly (NFC) and not the objection; a name that matches nobody lists
   neither;
4. on that run's fresh access request, verify the person with the verify form ("CCCD tại quầy"), then press the
   complete button: Chromium downloads `access-{id}.zip` (to a download folder of the run's own), which must be a
   valid ZIP holding `access-{id}/access-report.json` for that request; reloaded, the request shows "Hoàn thành";
5. /today, /queue and the late request's page, at 1280 px and 390 px wide (the viewport emulated through the
   DevTools protocol, since headless windows are at least 500 px): the document may not be wider than the window,
   and each is saved as a screenshot beside the queue's (`-today-1280`, `-queue-390`, `-request-390`, …) and its
   path printed.

Then the same five steps again in a browser with JavaScript disabled, since every page must work without it (its
screenshots carry `-nojs`; step 4 runs in full there too, on the second fresh access request, since the first is
closed by then; widths are measured through the DevTools protocol, which works with page scripts off). Last, a
person files an objection on the public portal in a phone-sized window (390 px) with JavaScript off: the one-time
code is read from a real SMTP server on loopback (Tests/Fixtures/smtp-sink.py, aiosmtpd from .venv-mail/), the
request is filed, and the page must not scroll sideways.

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
import urllib.parse
import urllib.request
import zipfile
from datetime import datetime, timedelta, timezone

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
# The request filed through the command line with a receipt in the past, so that /today shows it late.
LATE_NAME = unicodedata.normalize("NFC", "Trần Thị Ánh")
LATE_SUBJECT = "0987654321"
LATE_SEARCH = "tran thi anh"  # as an officer types it on a keyboard without Vietnamese input
NO_MATCH_SEARCH = "hoang khong ai ca"
ACK_LATE_BADGE = "trễ xác nhận"  # DeskWords "ackLate"
# The access requests each browser run verifies and completes.
ACCESS_NAME = unicodedata.normalize("NFC", "Lê Văn Bình")
ACCESS_SUBJECTS = {True: "0987654322", False: "0987654323"}
VERIFY_METHOD = "CCCD tại quầy"
STATE_LABEL = "Trạng thái"  # DeskWords "state": the request page's term for its state
COMPLETED = "Hoàn thành"  # Vocabulary.requestState(.completed, .vi)
VIETNAM = timezone(timedelta(hours=7))
# The widths the desk's pages are read at, with the viewport each emulates.
VIEWPORTS = {
    1280: {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False},
    390: {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True},
}
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
            emulate(driver, 390)
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
            widths = no_sideways_scrolling(driver, 390, label)
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


def emulate(driver, width):
    """Headless Chromium keeps windows at least 500 px wide: a viewport `width` px wide is emulated instead."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", VIEWPORTS[width])


def no_sideways_scrolling(driver, width, what):
    """The document may not be wider than the window; read through the DevTools protocol, which works with the
    page's scripts off. Returns [document width, window width]. A phone's browser zooms out to fit a page that is
    too wide, so `window.innerWidth` grows with it: the document is held to the width asked for, not to that."""
    widths = driver.execute_cdp_cmd(
        "Runtime.evaluate",
        {"expression": "[document.documentElement.scrollWidth, window.innerWidth]", "returnByValue": True},
    )["result"]["value"]
    if widths[0] > width or widths[0] > widths[1]:
        zoomed = f" (zoomed out to {widths[1]} px to fit)" if widths[1] != width else ""
        raise SmokeFailure(f"{what}: the page is {widths[0]} px wide in a {width} px window{zoomed}")
    if widths[1] != width:
        raise SmokeFailure(f"{what}: the viewport is {widths[1]} px wide, not the {width} px asked for")
    return widths


def browser(folder, javascript, size="1280,900", downloads=None):
    """Headless Chromium; with `downloads`, a file the desk sends as an attachment is saved there without asking."""
    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={size}",
        "--lang=vi-VN", "--no-first-run", "--disable-gpu",
    ):
        options.add_argument(argument)
    prefs = {}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    if downloads:
        prefs.update({
            "download.default_directory": downloads, "download.prompt_for_download": False,
            "download.directory_upgrade": True,
        })
    if prefs:
        options.add_experimental_option("prefs", prefs)
    name = f"chromedriver-{'js' if javascript else 'nojs'}-{size.replace(',', 'x')}.log"
    service = Service(executable_path=CHROMEDRIVER, log_output=os.path.join(folder, name))
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except WebDriverException as error:
        raise SmokeFailure(f"headless Chromium did not start ({CHROMIUM}, {CHROMEDRIVER}): {error.msg or error}")
    driver.set_page_load_timeout(WAIT)
    if downloads:
        # Headless Chromium may ignore the profile's download folder; the DevTools protocol sets it for the browser
        # (it answers whether or not the page's scripts run).
        try:
            try:
                driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
            except WebDriverException:
                driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
        except WebDriverException as error:
            driver.quit()
            raise SmokeFailure(f"headless Chromium would not save downloads to {downloads}: {error.msg or error}")
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
    # Officers start their day on /today (GET / sends each role to its own page).
    wait_for(driver, f"{label} sign-in (expected the redirect to /today)", lambda d: path_of(d) == "/today")
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


def queue_rows(driver):
    """The queue's table (`table.rows`) as {id: (the person's name as shown, [every cell's text])}; {} without it."""
    rows = {}
    for row in driver.find_elements(By.CSS_SELECTOR, "main table.rows tbody tr"):
        header = row.find_elements(By.CSS_SELECTOR, "th[scope=row]")
        if not header:
            continue
        person = row.find_elements(By.CSS_SELECTOR, "td strong")
        cells = [cell.text.strip() for cell in row.find_elements(By.TAG_NAME, "td")]
        rows[header[0].text.strip()] = (person[0].text.strip() if person else None, cells)
    return rows


def check_queue(driver, base, request_ids, label):
    driver.get(base + "/queue")
    if path_of(driver) != "/queue":
        raise SmokeFailure(f"{label} /queue: landed on {path_of(driver)}; page says: {page_text(driver)}")
    rows = queue_rows(driver)
    for request_id in request_ids:
        if request_id not in rows:
            raise SmokeFailure(
                f"{label} queue: {request_id} is not listed (rows: {sorted(rows) or 'none'}); page says: "
                f"{page_text(driver)}"
            )
        link = driver.find_elements(By.CSS_SELECTOR, f"main table a[href='/requests/{request_id}']")
        if not link:
            raise SmokeFailure(f"{label} queue: {request_id} has no link to /requests/{request_id}")
        person, cells = rows[request_id]
        if person != NAME:
            raise SmokeFailure(f"{label} queue: {request_id} shows the person {person!r}, expected {NAME!r} exactly")
        if TYPE_LABEL not in cells:
            raise SmokeFailure(f"{label} queue: {request_id} shows {cells}, without the type {TYPE_LABEL!r}")
    log(f"{label}: the queue lists {', '.join(request_ids)} as {TYPE_LABEL!r} ({len(rows)} rows)")


def outer_html(element, limit=400):
    html = " ".join((element.get_attribute("outerHTML") or "").split())
    return html[:limit] + ("…" if len(html) > limit else "")


def check_today(driver, late_id, label):
    """Where sign-in landed: /today lists the late acknowledgement, marked late with its badge."""
    what = f"{label} /today"
    if path_of(driver) != "/today":
        raise SmokeFailure(f"{what}: at {path_of(driver)}, not /today; page says: {page_text(driver)}")
    section = field(driver, "section#today-acks", what)
    items = [
        item for item in section.find_elements(By.CSS_SELECTOR, "li")
        if item.find_elements(By.CSS_SELECTOR, f"a[href='/requests/{late_id}']")
    ]
    if not items:
        raise SmokeFailure(f"{what}: #today-acks does not list {late_id}: {outer_html(section)}")
    item = items[0]
    link = item.find_element(By.CSS_SELECTOR, f"a[href='/requests/{late_id}']").text.strip()
    classes = (item.get_attribute("class") or "").split()
    badges = [badge.text.strip() for badge in item.find_elements(By.CSS_SELECTOR, ".badge")]
    if link != late_id or "late" not in classes or ACK_LATE_BADGE not in badges:
        raise SmokeFailure(
            f"{what}: {late_id} is not shown as a late acknowledgement (expected li.late, its id as the link and "
            f"the badge {ACK_LATE_BADGE!r}): {outer_html(item)}"
        )
    log(f"{label}: /today lists {late_id} as late ({ACK_LATE_BADGE!r})")


def search_queue(driver, base, late_id, other_id, label):
    """The queue's search box, typed without diacritics, finds the late request by its person's name; a name that
    matches nobody lists it no longer. `other_id` (this run's objection) proves the list was filtered."""
    driver.get(base + "/queue")
    form = "form[action='/queue']"
    for text, expected in ((LATE_SEARCH, True), (NO_MATCH_SEARCH, False)):
        what = f"{label} queue search {text!r}"
        type_into(driver, f"{form} input#q[name=q]", text, what)
        field(driver, f"{form} button[type=submit]", what).click()
        wanted = urllib.parse.urlencode({"q": text})
        wait_for(
            driver, f"{what} (expected /queue?…{wanted})",
            lambda d: path_of(d) == "/queue" and wanted in d.current_url,
        )
        rows = queue_rows(driver)
        if expected:
            if late_id not in rows:
                raise SmokeFailure(
                    f"{what}: {late_id} ({LATE_NAME}) is not found (rows: {sorted(rows) or 'none'}); page says: "
                    f"{page_text(driver)}"
                )
            person = rows[late_id][0]
            if person != LATE_NAME:
                raise SmokeFailure(
                    f"{what}: {late_id} shows the person {ascii(person)}, expected {ascii(LATE_NAME)} exactly (NFC)"
                )
            if other_id in rows:
                raise SmokeFailure(f"{what}: the queue was not filtered: it still lists {other_id} ({NAME})")
        elif late_id in rows:
            raise SmokeFailure(f"{what}: a name that matches nobody still lists {late_id} (rows: {sorted(rows)})")
    log(f"{label}: {LATE_SEARCH!r} finds {late_id} as {LATE_NAME!r}; {NO_MATCH_SEARCH!r} finds nothing")


def request_details(driver):
    return {
        dt.text.strip(): dd.text.strip()
        for dt, dd in zip(
            driver.find_elements(By.CSS_SELECTOR, "main dl dt"), driver.find_elements(By.CSS_SELECTOR, "main dl dd")
        )
    }


def wait_download(folder, name, what):
    """The file Chromium saved as `name`, once it is whole (no `.crdownload` left beside it)."""
    path = os.path.join(folder, name)
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        present = os.listdir(folder)
        if name in present and not any(entry.endswith(".crdownload") for entry in present):
            return path
        time.sleep(0.2)
    held = sorted(os.listdir(folder)) or "nothing"
    raise SmokeFailure(f"{what}: no {name} was downloaded to {folder} within {WAIT} s (it holds {held})")


def complete_access(driver, base, access_id, downloads, label):
    """Verify the person with the verify form, press the complete button, receive the person's report as a ZIP."""
    what = f"{label} access {access_id}"
    page = f"/requests/{access_id}"
    driver.get(base + page)
    if path_of(driver) != page:
        raise SmokeFailure(f"{what}: {page} landed on {path_of(driver)}; page says: {page_text(driver)}")
    verify = f"form[action='{page}/verify']"
    type_into(driver, f"{verify} input#verify-method", VERIFY_METHOD, f"{what} verify")
    field(driver, f"{verify} button[type=submit]", f"{what} verify").click()
    complete = f"form[action='{page}/complete']"
    wait_for(
        driver, f"{what} verify (expected {page} with the complete form)",
        lambda d: path_of(d) == page and d.find_elements(By.CSS_SELECTOR, f"{complete} button[type=submit]"),
    )
    subjects = " ".join(item.text for item in driver.find_elements(By.CSS_SELECTOR, "main ul li"))
    if VERIFY_METHOD not in subjects:
        raise SmokeFailure(f"{what} verify: the subject does not show the method {VERIFY_METHOD!r}: {subjects!r}")
    for entry in os.listdir(downloads):
        os.remove(os.path.join(downloads, entry))
    field(driver, f"{complete} button[type=submit]", f"{what} complete").click()
    name = f"access-{access_id}.zip"
    try:
        path = wait_download(downloads, name, f"{what} complete")
    except SmokeFailure as failure:
        failure.args = (f"{failure.args[0]}; the browser is at {path_of(driver)}: {page_text(driver)}",)
        raise
    report = f"access-{access_id}/access-report.json"
    try:
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
            names = archive.namelist()
            document = json.loads(archive.read(report).decode("utf-8")) if report in names else None
    except (zipfile.BadZipFile, UnicodeDecodeError, ValueError) as error:
        raise SmokeFailure(f"{what} complete: {path} is not a valid ZIP with a JSON report: {error}")
    if broken is not None:
        raise SmokeFailure(f"{what} complete: {path} holds a damaged member {broken!r}")
    if document is None:
        raise SmokeFailure(f"{what} complete: {path} has no {report} (it holds {names})")
    if access_id not in json.dumps(document, ensure_ascii=False):
        raise SmokeFailure(f"{what} complete: {report} does not name {access_id}: keys {sorted(document)}")
    driver.get(base + page)
    state = request_details(driver).get(STATE_LABEL, "")
    if not re.match(rf"{re.escape(COMPLETED)}(\s|$)", state):
        raise SmokeFailure(f"{what}: after the download {page} shows the state {state!r}, expected {COMPLETED!r}")
    log(f"{label}: verified and completed {access_id}; downloaded {name} ({len(names)} files, {report}); "
        f"the request shows {COMPLETED!r}")


def check_widths(driver, base, pages, prefix, extension, label):
    """Each page at each width of VIEWPORTS: no sideways scrolling, and a screenshot `{prefix}-{page}-{width}.png`."""
    shots = []
    try:
        for width in VIEWPORTS:
            emulate(driver, width)
            for name, page in pages:
                what = f"{label} {page} at {width} px"
                driver.get(base + page)
                if path_of(driver) != page.split("?")[0]:
                    raise SmokeFailure(f"{what}: landed on {path_of(driver)}; page says: {page_text(driver)}")
                widths = no_sideways_scrolling(driver, width, what)
                shot = f"{prefix}-{name}-{width}{extension}"
                if not driver.save_screenshot(shot):
                    raise SmokeFailure(f"{what}: the screenshot could not be written to {shot}")
                shots.append(shot)
                log(f"{what}: {widths[0]} px in {widths[1]} px; screenshot: {shot}")
    finally:
        try:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        except WebDriverException:
            pass
    return shots


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


def flow(server, token, folder, javascript, screenshot, earlier_ids, late_id, access_id):
    """Steps 1-5 of the module's docstring in one browser; returns the objection's id and the screenshots' paths."""
    label = "JS on" if javascript else "JS off"
    downloads = os.path.join(folder, f"downloads-{'js' if javascript else 'nojs'}")
    os.makedirs(downloads, exist_ok=True)
    driver = browser(folder, javascript, downloads=downloads)
    try:
        try:
            if scripts_run(driver) != javascript:
                raise SmokeFailure(
                    f"{label}: the browser {'runs' if not javascript else 'does not run'} page scripts, "
                    "so this run does not test what it says"
                )
            sign_in(driver, server.base, token, label)
            check_today(driver, late_id, label)
            request_id = file_objection(driver, server.base, label)
            check_queue(driver, server.base, earlier_ids + [request_id], label)
            if not driver.save_screenshot(screenshot):
                raise SmokeFailure(f"{label}: the screenshot could not be written to {screenshot}")
            log(f"{label}: screenshot of the queue: {screenshot}")
            search_queue(driver, server.base, late_id, request_id, label)
            complete_access(driver, server.base, access_id, downloads, label)
            pages = (("today", "/today"), ("queue", "/queue"), ("request", f"/requests/{late_id}"))
            root, extension = os.path.splitext(screenshot)
            shots = check_widths(driver, server.base, pages, root, extension or ".png", label)
            return request_id, [screenshot] + shots
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


def file_request(binary, database, subject, name, received_at=None):
    """An access request by phone through `rightsdesk request new --json`; returns its JSON."""
    when = ["--received-at", received_at] if received_at else []
    filed = json.loads(run_cli(
        binary, "request", "new", "--type", "access", "--subject", subject, "--channel", "phone", *when,
        "--name", name, "--json", "--db", database,
    ))
    if not REQUEST_ID.search("/requests/" + str(filed.get("id"))):
        raise SmokeFailure(f"`rightsdesk request new --json` gave no request id: {filed}")
    return filed


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
        # Received twenty days ago at 09:00 in Vietnam: its acknowledgement (due in three working days, longer over
        # Tết) is late.
        received = (datetime.now(VIETNAM) - timedelta(days=20)).replace(hour=9, minute=0, second=0, microsecond=0)
        late = file_request(binary, database, LATE_SUBJECT, LATE_NAME, received.isoformat())
        if not late.get("ack_due"):
            raise SmokeFailure(f"`rightsdesk request new --json` gave no ack_due: {late}")
        ack_due = datetime.fromisoformat(late["ack_due"])
        if ack_due > datetime.now(VIETNAM):
            raise SmokeFailure(
                f"{late['id']}, received {received.isoformat()}, is not late: acknowledge by {late['ack_due']}"
            )
        log(f"filed {late['id']} ({LATE_NAME}) received {received.isoformat()}: acknowledgement due {late['ack_due']}")
        # One access request each browser run verifies and completes (a completed request is closed).
        access = {
            javascript: file_request(binary, database, subject, ACCESS_NAME)["id"]
            for javascript, subject in ACCESS_SUBJECTS.items()
        }
        server.start()
        log(f"rightsdesk serve answers /healthz at {server.base}")

        shots = []
        ids = []
        runs = [(True, screenshot)] + ([] if arguments.no_js_off else [(False, screenshot_nojs)])
        for javascript, path in runs:
            request_id, taken = flow(server, token, folder, javascript, path, ids, late["id"], access[javascript])
            ids.append(request_id)
            shots += taken

        # The command line sees what the browser filed, with the name as typed.
        listed = json.loads(run_cli(binary, "request", "list", "--json", "--db", database))
        rows = listed if isinstance(listed, list) else listed.get("requests", [])
        listed_ids = {row.get("id") for row in rows if isinstance(row, dict)}
        missing = [request_id for request_id in ids if request_id not in listed_ids]
        if missing:
            raise SmokeFailure(f"`rightsdesk request list --json` does not list {missing} (it lists {sorted(listed_ids)})")
        shots.append(f"{root}-portal-390{extension or '.png'}")
        ids.append(portal_flow(server, sink, folder, shots[-1]))
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

    completed = ", ".join(access[javascript] for javascript, _ in runs)
    log(
        f"passed in {time.monotonic() - started:.1f} s: signed in, /today shows {late['id']} late, filed "
        f"{', '.join(ids[:-1])}, found in the queue, {late['id']} found without diacritics, completed {completed} "
        f"with the report downloaded, no sideways scrolling at {' and '.join(f'{w} px' for w in VIEWPORTS)}; "
        f"{ids[-1]} filed on the portal"
    )
    for shot in shots:
        log(f"screenshot: {shot}")
    print(screenshot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
