"""The catalogues stay complete: for every shipped language (settings.LANGUAGES), no untranslated or fuzzy message,
every translation with the source's placeholders, the language's number of plural forms, GNU msgfmt's own checks
(``msgfmt --check``), the compiled .mo matching its .po; and makemessages changes nothing (like makemigrations
--check): a string marked in a template or in code is in every catalogue."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
SHIPPED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# The number of plural forms each language has (CLDR, as GNU gettext and Django's own catalogues have them).
PLURAL_FORMS = {"cy": 4, "ur": 2, "ar": 6, "bn": 2, "pa": 2, "gu": 2, "so": 2, "pl": 4}
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{(\w*)(?:[:!][^}]*)?\}|%[sd]")


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file (blocks between blank lines): msgid, msgid_plural, msgstr as {form: text}, flags.
    Obsolete entries (``#~``) are left out."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, field = {"flags": set(), "msgstr": {}}, None
        for line in block.strip().splitlines():
            line = line.strip()
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                if field[0] == "msgstr":
                    entry["msgstr"][field[1]] += ast.literal_eval(line)
                else:
                    entry[field[0]] += ast.literal_eval(line)
            else:
                keyword, _, rest = line.partition(" ")
                if keyword.startswith("msgstr"):
                    field = ("msgstr", int(keyword[7:-1]) if "[" in keyword else 0)
                    entry["msgstr"][field[1]] = ast.literal_eval(rest)
                else:
                    field = (keyword,)
                    entry[keyword] = ast.literal_eval(rest)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def gettext_tool(name: str) -> str:
    """The path of a GNU gettext program; its absence fails the test (``.ci/run`` installs gettext)."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: apt-get install gettext (.ci/run installs it)")
    return found


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def catalogue(language: str) -> Path:
    return BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"


def problems(language: str) -> list[str]:
    """What is wrong with one language's catalogue, one line per message."""
    path = catalogue(language)
    if not path.exists():
        return [f"{language}: no catalogue at {path.relative_to(BASE_DIR)}"]
    entries = parse_po(path)
    header = next(entry for entry in entries if entry["msgid"] == "")
    forms = re.search(r"nplurals=(\d+);", header["msgstr"][0])
    found = (
        [f"{language}: the header is fuzzy (msgfmt would drop it, and its plural rule)"]
        if "fuzzy" in header["flags"]
        else []
    )
    if forms is None or int(forms.group(1)) != PLURAL_FORMS[language]:
        found.append(
            f"{language}: Plural-Forms says {forms and forms.group(1)} forms, the language has {PLURAL_FORMS[language]}"
        )
    for entry in entries:
        if entry["msgid"] == "":
            continue
        source = entry["msgid"]
        label = f"{language}: {source[:60]!r}"
        if "fuzzy" in entry["flags"]:
            found.append(f"{label} is fuzzy")
        translations = entry["msgstr"]
        if "msgid_plural" in entry:
            if sorted(translations) != list(range(PLURAL_FORMS[language])):
                found.append(f"{label} has {len(translations)} plural forms, not {PLURAL_FORMS[language]}")
            sources = [source, entry["msgid_plural"]]
        else:
            sources = [source]
        for index, text in translations.items():
            if not text.strip():
                found.append(f"{label} is untranslated")
                continue
            # Every form carries the source's named placeholders; a singular form may drop the count when the
            # language says "one" in words (as %(name)s-free forms do in Welsh and Arabic).
            expected = {name for s in sources for name in placeholders(s)}
            have = set(placeholders(text))
            if have - expected:
                found.append(f"{label} form {index} has placeholders {sorted(have - expected)} the source lacks")
            missing = expected - have
            if "msgid_plural" in entry:
                missing = {name for name in missing if name not in count_names(sources)}
            if missing:
                found.append(f"{label} form {index} lacks placeholders {sorted(missing)}")
    return found


def count_names(sources: list[str]) -> set[str]:
    """The placeholders a plural form may spell out in words (those in both singular and plural sources)."""
    return set(placeholders(sources[0])) & set(placeholders(sources[1]))


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_of_a_shipped_language_is_translated_with_its_placeholders(language):
    assert problems(language) == []


@pytest.mark.parametrize("language", SHIPPED)
def test_msgfmt_check_passes_and_the_compiled_catalogue_is_current(language, tmp_path):
    compiled = tmp_path / "django.mo"
    result = subprocess.run(
        [gettext_tool("msgfmt"), "--check", "--statistics", "-o", str(compiled), str(catalogue(language))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr
    shipped = catalogue(language).with_suffix(".mo")
    assert shipped.exists() and shipped.read_bytes() == compiled.read_bytes(), (
        f"{shipped.relative_to(BASE_DIR)} is not the compiled {catalogue(language).name}: run scripts/messages.py"
    )


def test_the_checker_finds_what_msgfmt_check_would(tmp_path):
    broken = tmp_path / "ur" / "LC_MESSAGES" / "django.po"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        'msgid ""\nmsgstr "Plural-Forms: nplurals=3; plural=0;\\n"\n\n'
        '#, fuzzy\nmsgid "Save"\nmsgstr "محفوظ کریں"\n\n'
        'msgid "Sign up"\nmsgstr ""\n\n'
        '#, python-format\nmsgid "Hello, %(name)s"\nmsgstr "سلام، %(nam)s"\n\n'
        'msgid "%(n)s place"\nmsgid_plural "%(n)s places"\nmsgstr[0] "%(n)s جگہ"\n',
        encoding="utf-8",
    )
    import tests.organiser.test_i18n_catalogues as module

    original = module.catalogue
    module.catalogue = lambda language: broken
    try:
        found = "\n".join(problems("ur"))
    finally:
        module.catalogue = original
    assert "Plural-Forms says 3 forms" in found
    assert "'Save' is fuzzy" in found
    assert "'Sign up' is untranslated" in found
    assert "placeholders ['%(nam)s'] the source lacks" in found and "lacks placeholders ['%(name)s']" in found
    assert "'%(n)s place' has 1 plural forms, not 2" in found


def test_makemessages_changes_nothing():
    gettext_tool("xgettext")
    result = subprocess.run(
        [sys.executable, "scripts/messages.py", "--check"], cwd=BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
