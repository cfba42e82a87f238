"""Drive a real local MediaWiki (Debian's 1.39 under `php -S`) for integration tests and benches."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import mwclient

HERE = Path(__file__).resolve().parent
KIT = HERE / "mediawiki"
MAINTENANCE = Path("/usr/share/mediawiki/maintenance")
BOT_USER = "BotUser"
BOT_LOGIN = "BotUser@ci"
BOT_PASSWORD = "0123456789abcdefghijklmnopqrstuv"
ADMIN_PASSWORD = "adminpass-0123456789"  # start.sh's default for the Admin account


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Rev:
    """One revision to import: author, time, text, summary."""

    user: str
    timestamp: dt.datetime | str
    text: str
    comment: str = ""
    minor: bool = False

    @property
    def iso(self) -> str:
        """Timestamp in the dump's format."""
        if isinstance(self.timestamp, str):
            return self.timestamp
        return self.timestamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class PageSpec:
    """A page to import with its revisions (oldest first)."""

    title: str
    revisions: list[Rev] = field(default_factory=list)
    ns: int = 0


def dump_xml(pages: Iterable[PageSpec]) -> str:
    """A Special:Export-style XML dump of these pages (schema 0.11)."""
    parts = ['<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="fr">']
    for page in pages:
        parts.append(f"<page><title>{escape(page.title)}</title><ns>{page.ns}</ns>")
        for rev in page.revisions:
            parts.append(
                "<revision>"
                f"<timestamp>{rev.iso}</timestamp>"
                f"<contributor><username>{escape(rev.user)}</username></contributor>"
                + ("<minor/>" if rev.minor else "")
                + f"<comment>{escape(rev.comment)}</comment>"
                "<model>wikitext</model><format>text/x-wiki</format>"
                f'<text xml:space="preserve">{escape(rev.text)}</text>'
                "</revision>"
            )
        parts.append("</page>")
    parts.append("</mediawiki>")
    return "".join(parts)


class LocalWiki:
    """One throw-away wiki in a temporary folder, on a free loopback port."""

    def __init__(self, lang: str = "fr", directory: Path | None = None, port: int | None = None,
                 workers: int = 1) -> None:
        self.lang = lang
        self.owns_dir = directory is None
        self.dir = directory or Path(tempfile.mkdtemp(prefix="wikiseminar-mw-"))
        self.port = port or free_port()
        self.workers = workers
        self.base = ""
        self._bot: mwclient.Site | None = None

    @property
    def api_url(self) -> str:
        """The wiki's api.php."""
        return f"{self.base}/api.php"

    @property
    def env(self) -> dict[str, str]:
        """Environment for maintenance scripts on this wiki."""
        return {**os.environ, "MW_CONFIG_FILE": str(self.dir / "LocalSettings.php"), "MW_LANG": self.lang}

    def start(self) -> str:
        """Create (first time) and start the wiki; return its base URL."""
        env = self.env
        if self.workers > 1:
            env["PHP_CLI_SERVER_WORKERS"] = str(self.workers)
        out = subprocess.run(["bash", str(KIT / "start.sh"), str(self.dir), str(self.port)],
                             env=env, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"MediaWiki did not start: {out.stderr.strip()[-500:]}")
        self.base = out.stdout.strip().splitlines()[-1]
        return self.base

    def stop(self) -> None:
        """Stop the server (the folder stays until cleanup)."""
        subprocess.run(["bash", str(KIT / "stop.sh"), str(self.dir)], capture_output=True,
                       timeout=60, check=False)

    def cleanup(self) -> None:
        """Stop and delete the wiki's folder."""
        self.stop()
        if self.owns_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def php(self, script: str, *args: str, stdin: str | None = None) -> str:
        """Run a maintenance script on this wiki; return its output."""
        out = subprocess.run(["php", str(MAINTENANCE / script), *args], env=self.env,
                             input=stdin, capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise RuntimeError(f"{script} failed: {(out.stderr or out.stdout).strip()[-500:]}")
        return out.stdout

    def create_users(self, names: Sequence[str]) -> dict[str, int]:
        """Create accounts (one PHP process for all); return name -> user id."""
        # eval.php runs its input line by line and a line has a length limit: 20 names a line.
        lines = []
        for start in range(0, len(names), 20):
            quoted = ",".join("'" + n.replace("\\", "\\\\").replace("'", "\\'") + "'"
                              for n in names[start:start + 20])
            lines.append(
                f"foreach ([{quoted}] as $n) {{ $u = User::newFromName($n); "
                "if ($u->getId() == 0) { $u = User::createNew($n); } "
                "echo $n, \"\\t\", $u->getId(), \"\\n\"; }"
            )
        ids = {}
        for line in self.php("eval.php", stdin="\n".join(lines) + "\n").splitlines():
            if "\t" in line:
                name, uid = line.rsplit("\t", 1)
                ids[name.strip()] = int(uid)
        missing = [n for n in names if n not in ids]
        if missing:
            raise RuntimeError(f"could not create users {missing}")
        return ids

    def import_pages(self, pages: Iterable[PageSpec]) -> None:
        """Import pages with their authors and timestamps (authors must exist first)."""
        pages = list(pages)
        authors = sorted({r.user for p in pages for r in p.revisions})
        self.create_users(authors)
        with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False, encoding="utf-8") as f:
            f.write(dump_xml(pages))
            path = f.name
        try:
            self.php("importDump.php", "--no-updates", path)
        finally:
            os.unlink(path)

    def bot(self) -> mwclient.Site:
        """An mwclient session logged in with the bot password (sysop rights: move, delete)."""
        if self._bot is None:
            marker = self.dir / "botpassword"
            if not marker.exists():
                self.php("createAndPromote.php", "--force", "--sysop", "--bot", BOT_USER,
                         "pass-BotUser-123456")
                self.php("createBotPassword.php", "--appid", "ci", "--grants",
                         "basic,highvolume,editpage,createeditmovepage,delete,protect,rollback,patrol,import",
                         BOT_USER, BOT_PASSWORD)
                marker.write_text(f"{BOT_LOGIN} {BOT_PASSWORD}\n")
            site = mwclient.Site(f"127.0.0.1:{self.port}", path="/", scheme="http",
                                 clients_useragent="wikiseminar-tests")
            site.login(BOT_LOGIN, BOT_PASSWORD)
            self._bot = site
        return self._bot

    def admin(self) -> mwclient.Site:
        """An mwclient session of the wiki's Admin account, allowed to hide revisions."""
        settings = self.dir / "LocalSettings.php"
        grant = "$wgGroupPermissions['sysop']['deleterevision'] = true;"
        if grant not in settings.read_text():
            # Debian's 1.39 gives sysops no revision deletion; this wiki's admin needs it.
            with settings.open("a") as f:
                f.write(f"\n{grant}\n")
        # php -S caches compiled scripts and re-checks their dates every few seconds (opcache),
        # later on a busy machine: wait until the wiki itself says the right is granted.
        deadline = time.monotonic() + 60
        while True:
            site = mwclient.Site(f"127.0.0.1:{self.port}", path="/", scheme="http",
                                 clients_useragent="wikiseminar-tests")
            site.clientlogin(username="Admin", password=ADMIN_PASSWORD)
            rights = site.get("query", meta="userinfo", uiprop="rights")["query"]["userinfo"]
            if "deleterevision" in rights.get("rights", []) or time.monotonic() > deadline:
                return site
            time.sleep(0.5)

    def move(self, old: str, new: str, reason: str = "test move") -> None:
        """Move a page (the move is dated now, by BotUser)."""
        self.bot().pages[old].move(new, reason=reason, no_redirect=False)

    def delete(self, title: str, reason: str = "test deletion") -> None:
        """Delete a page (its revisions vanish from usercontribs)."""
        self.bot().pages[title].delete(reason=reason)

    def edit_as(self, user: str, title: str, text: str, summary: str = "") -> None:
        """Save a page as `user` with the maintenance script (dated now)."""
        self.create_users([user])
        self.php("edit.php", "--user", user, "--summary", summary or "edit", title, stdin=text)
