#!/usr/bin/env python
"""Translation catalogs of e-Kinerja Kota Palembang: Bahasa Indonesia (default) and English.

    python tools/i18n.py extract   # our code + Flask-AppBuilder's (+ WTForms') msgids -> translations/messages.pot
    python tools/i18n.py update    # merge the .pot into translations/{id,en}/LC_MESSAGES/messages.po
    python tools/i18n.py compile   # write the .mo files (they are committed)
    python tools/i18n.py check     # exit 1 listing what is wrong (see below)
    python tools/i18n.py all       # extract + update + compile + check

Workflow after adding strings: ``extract`` + ``update``, translate the entries ``check`` lists (in
translations/id/LC_MESSAGES/messages.po: fill msgstr, remove the ``#, fuzzy`` line after checking a
fuzzy guess), then ``compile`` and commit the .po and .mo files.

``check`` fails when
  * the Indonesian catalog has an untranslated or fuzzy entry, or a msgstr whose %-placeholders differ
    from its msgid's (the msgids are printed, ready to be filled in);
  * a msgid of our code (extracted afresh from app/ and config.py) is missing from a catalog
    (you forgot ``extract`` + ``update``);
  * a committed .mo differs from a fresh compile of its .po (you forgot ``compile``).

Flask-AppBuilder ships no Indonesian catalog. Flask-Babel loads every directory of
BABEL_TRANSLATION_DIRECTORIES (FAB prepends its own translations dir to ours) and merges them, so our
``id`` catalog translates FAB's own menus, buttons, forms and flash messages as long as it holds FAB's
msgids: ``extract`` adds them by extracting over the installed flask_appbuilder package. Strings FAB
builds at runtime that its sources do not mark for translation go in RUNTIME_MSGIDS below.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
BABEL_CFG = ROOT / "babel.cfg"
LOCALES = ("id", "en")
CHECKED_LOCALE = "id"  # must be complete; English falls back to the msgid
DOMAIN = "messages"
PROJECT = "e-Kinerja Kota Palembang"

KEYWORDS = ["_", "gettext", "_l", "lazy_gettext", "ngettext:1,2", "_n:1,2", "lazy_ngettext:1,2",
            "pgettext:1c,2", "lazy_pgettext:1c,2", "lazy_formatter_gettext:1",
            "template_gettext"]  # app/core/views.py: `_()` as an autoescaped template has it

FAB_MAPPING = """\
[python: **.py]
[jinja2: **/templates/**.html]
extensions = jinja2.ext.i18n
"""

# Visible strings Flask-AppBuilder (or Flask-WTF / WTForms) produces at runtime that extraction over
# its sources does not find (not wrapped in a gettext call, or built from a variable). Found by
# rendering the main pages in Indonesian (tests/test_i18n.py scrapes them). msgid -> where it shows.
# Empty for FAB 5.3: everything it shows through gettext is found by extraction (its
# lazy_formatter_gettext included); what remains English is hard-coded in its templates or raw data.
RUNTIME_MSGIDS: dict[str, str] = {
}

PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


# ------------------------------------------------------------------------------------------------
# helpers

def _pybabel(*args: str) -> None:
    # Reading the .pot (two plural forms) into the Indonesian catalog (one) makes babel print harmless
    # "more translations than num_plurals" warnings: keep them off the console.
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        CommandLineInterface().run(["pybabel", "-q", *args])
    noise = ("WARNING: msg has more translations than num_plurals", "WARNING: Problem on line")
    for line in out.getvalue().splitlines():
        if line.strip() and not line.startswith(noise):
            print(line)


def _read(path: Path, locale: str | None = None) -> Catalog:
    with open(path, "rb") as fh:
        return read_po(fh, locale=locale)


def _write(path: Path, catalog: Catalog, **kw) -> None:
    buf = io.BytesIO()
    write_po(buf, catalog, **kw)
    path.write_bytes(buf.getvalue())


def _ids(catalog: Catalog) -> set:
    """msgids (str, or (singular, plural) tuple → singular) of the live entries, header excluded."""
    return {_key(m) for m in catalog if m.id}


def _key(message) -> str:
    return message.id[0] if isinstance(message.id, (tuple, list)) else message.id


def _strings(value) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, (tuple, list)) else [value]


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text or ""))


def fab_dir() -> Path:
    import flask_appbuilder

    return Path(flask_appbuilder.__file__).resolve().parent


def extract_ours(output: Path) -> None:
    """pybabel extract over our code (babel.cfg) into ``output``."""
    cwd = os.getcwd()
    os.chdir(ROOT)  # locations relative to the repository
    try:
        args = ["extract", "-F", str(BABEL_CFG), "-o", str(output), "--project", PROJECT,
                "--add-comments", "TRANSLATORS:", "--sort-by-file"]
        for k in KEYWORDS:
            args += ["-k", k]
        _pybabel(*args, ".")
    finally:
        os.chdir(cwd)


def extract_fab(output: Path) -> None:
    """pybabel extract over the installed flask_appbuilder package (python + templates)."""
    fab = fab_dir()
    with tempfile.TemporaryDirectory() as tmp:
        mapping = Path(tmp) / "fab.cfg"
        mapping.write_text(FAB_MAPPING)
        cwd = os.getcwd()
        os.chdir(fab.parent)  # locations read "flask_appbuilder/…"
        try:
            args = ["extract", "-F", str(mapping), "-o", str(output), "--sort-by-file"]
            for k in KEYWORDS:
                args += ["-k", k]
            _pybabel(*args, fab.name)
        finally:
            os.chdir(cwd)


def fab_msgids(fab_pot: Catalog) -> Catalog:
    """FAB's msgids: extracted from its sources, plus those of its shipped German catalog that still
    occur in its 5.x sources (the shipped catalogs also carry ids of removed features)."""
    fab = fab_dir()
    de = fab / "translations" / "de" / "LC_MESSAGES" / "messages.po"
    if de.exists():
        sources = "\n".join(p.read_text(errors="ignore") for p in fab.rglob("*")
                            if p.suffix in (".py", ".html") and p.is_file())
        for m in _read(de):
            if m.id and _key(m) not in fab_pot and _key(m) in sources:
                fab_pot.add(m.id, auto_comments=["Flask-AppBuilder (from its shipped catalogs)"])
    return fab_pot


def wtforms_msgids() -> Catalog | None:
    import wtforms

    pot = Path(wtforms.__file__).resolve().parent / "locale" / "wtforms.pot"
    return _read(pot) if pot.exists() else None


# ------------------------------------------------------------------------------------------------
# commands

def cmd_extract(_args=None) -> int:
    TRANSLATIONS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        ours_path, fab_path = Path(tmp) / "ours.pot", Path(tmp) / "fab.pot"
        extract_ours(ours_path)
        extract_fab(fab_path)
        pot = _read(ours_path)
        n_ours = len(_ids(pot))
        fab = fab_msgids(_read(fab_path))
        added = {"Flask-AppBuilder": 0, "WTForms": 0, "runtime": 0}
        for m in fab:
            if not m.id:
                continue
            if m.id in pot:
                pot[m.id].locations.extend(m.locations)
            else:
                pot.add(m.id, locations=m.locations, flags=m.flags,
                        auto_comments=m.auto_comments or ["Flask-AppBuilder"], context=m.context)
                added["Flask-AppBuilder"] += 1
        wtf = wtforms_msgids()
        for m in wtf or []:
            if m.id and m.id not in pot:
                pot.add(m.id, flags=m.flags, auto_comments=["WTForms (form validation)"])
                added["WTForms"] += 1
        for msgid, where in RUNTIME_MSGIDS.items():
            if msgid not in pot:
                pot.add(msgid, auto_comments=[f"runtime: {where}"])
                added["runtime"] += 1
    _write(POT, pot, sort_by_file=False, width=100)
    print(f"{POT.relative_to(ROOT)}: {n_ours} msgids of ours, + " +
          ", ".join(f"{n} {k}" for k, n in added.items()) + f" = {len(_ids(pot))}")
    return 0


def cmd_update(_args=None) -> int:
    if not POT.exists():
        cmd_extract()
    for locale in LOCALES:
        po = TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.exists():
            # English msgstrs stay empty: fuzzy-matching there would only flag empty strings.
            _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", locale, "-D", DOMAIN,
                     "-w", "100", "--ignore-obsolete", *(["--no-fuzzy-matching"] if locale == "en" else []))
        else:
            _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", locale, "-D", DOMAIN,
                     "-w", "100")
        print(f"{po.relative_to(ROOT)}: {len(_ids(_read(po)))} entries")
    return 0


def compile_po(po: Path) -> bytes:
    """The .mo bytes of a .po (fuzzy entries left out, as pybabel compile does)."""
    catalog = _read(po)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def cmd_compile(_args=None) -> int:
    for locale in LOCALES:
        po = TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        mo = po.with_suffix(".mo")
        data = compile_po(po)
        if not mo.exists() or mo.read_bytes() != data:
            mo.write_bytes(data)
            print(f"wrote {mo.relative_to(ROOT)}")
        else:
            print(f"{mo.relative_to(ROOT)} up to date")
    return 0


def catalog_problems(po: Path, require_translation: bool = True) -> dict[str, list[str]]:
    """{"untranslated": [...], "fuzzy": [...], "placeholders": [...]} for one .po file."""
    problems = {"untranslated": [], "fuzzy": [], "placeholders": []}
    catalog = _read(po)
    for m in catalog:
        if not m.id:
            continue
        ids = _strings(m.id)
        strs = _strings(m.string)
        if m.fuzzy:
            problems["fuzzy"].append(_key(m))
        if require_translation and (not strs or any(not s for s in strs)):
            problems["untranslated"].append(_key(m))
            continue
        # Singular: the same placeholders as the msgid. Plural: each form has those of one msgid form
        # (Indonesian has a single form, which follows msgid_plural).
        allowed = [_placeholders(i) for i in ids]
        for s in strs:
            if s and _placeholders(s) not in allowed:
                problems["placeholders"].append(f"{_key(m)!r} -> {s!r}")
    return problems


def missing_msgids() -> dict[str, list[str]]:
    """Our msgids (extracted afresh) that a catalog lacks, per locale."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ours.pot"
        extract_ours(path)
        ours = _ids(_read(path))
    result = {}
    for locale in LOCALES:
        po = TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        have = _ids(_read(po)) if po.exists() else set()
        result[locale] = sorted(ours - have)
    return result


def stale_mo() -> list[str]:
    stale = []
    for locale in LOCALES:
        po = TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        mo = po.with_suffix(".mo")
        if not po.exists():
            stale.append(f"{po.relative_to(ROOT)} missing")
        elif not mo.exists() or mo.read_bytes() != compile_po(po):
            stale.append(str(mo.relative_to(ROOT)))
    return stale


def cmd_check(_args=None) -> int:
    failed = False
    po = TRANSLATIONS / CHECKED_LOCALE / "LC_MESSAGES" / f"{DOMAIN}.po"
    problems = catalog_problems(po)
    for kind, items in problems.items():
        if items:
            failed = True
            print(f"{po.relative_to(ROOT)}: {len(items)} {kind} entr{'y' if len(items) == 1 else 'ies'}:")
            for item in items:
                print(f"    {item}" if kind == "placeholders" else f"    msgid {item!r}")
    for locale in LOCALES:  # English may stay untranslated, but its placeholders must be right
        if locale != CHECKED_LOCALE:
            other = TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
            bad = catalog_problems(other, require_translation=False)
            for kind in ("fuzzy", "placeholders"):
                if bad[kind]:
                    failed = True
                    print(f"{other.relative_to(ROOT)}: {kind}: {bad[kind]}")
    missing = missing_msgids()
    shown = None
    for locale, ids in missing.items():
        if ids:
            failed = True
            print(f"{locale}: {len(ids)} msgid(s) of our code not in the catalog "
                  f"(run: python tools/i18n.py extract && python tools/i18n.py update)" +
                  (": the same as above" if ids == shown else ":"))
            if ids != shown:
                for msgid in ids:
                    print(f"    msgid {msgid!r}")
            shown = ids
    stale = stale_mo()
    if stale:
        failed = True
        print("compiled catalogs out of date (run: python tools/i18n.py compile): " + ", ".join(stale))
    if not failed:
        print("translations OK")
    return 1 if failed else 0


def cmd_all(args=None) -> int:
    cmd_extract()
    cmd_update()
    cmd_compile()
    return cmd_check()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, func, help_ in [
        ("extract", cmd_extract, "our msgids + FAB's + WTForms' -> translations/messages.pot"),
        ("update", cmd_update, "merge messages.pot into the id and en catalogs"),
        ("compile", cmd_compile, "write the .mo files"),
        ("check", cmd_check, "fail on untranslated/fuzzy id entries, missing msgids, stale .mo"),
        ("all", cmd_all, "extract, update, compile, check"),
    ]:
        sub.add_parser(name, help=help_).set_defaults(func=func)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
