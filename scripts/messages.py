"""Extract the translatable strings into locale/ and compile the catalogues, or check that nothing would change.

    .venv/bin/python scripts/messages.py            # makemessages for every shipped language, then compilemessages
    .venv/bin/python scripts/messages.py --check    # exit 1 (and say which) if makemessages would change a catalogue

Catalogues are written without source locations (``--no-location``), so moving a string within a template changes
nothing; only adding, changing or removing a marked string does, and then the catalogues must be updated in the
same commit (the check runs in CI, like ``makemigrations --check``). Needs GNU gettext (``apt-get install
gettext``). docs/translations.md says how a translator works on a catalogue.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# What makemessages must not read: other people's code, generated files, the tests. The compliance pages (election
# law's returns, imprints, the data protection records) are organisers' work in English and stay out of the
# catalogues until their wording has a native speaker's and a lawyer's review (docs/translations.md).
IGNORE = [
    ".venv",
    "var",
    "staticfiles",
    "node_modules",
    "tests",
    "benchmarks",
    "scripts",
    "docs",
    "htmx.min.js",
    "compliance",
    "templates/compliance",
]
COMMON = ["--no-location", "--no-wrap", "--no-obsolete", *(f"--ignore={pattern}" for pattern in IGNORE)]
DOMAINS = {"django": ["--extension=html,txt,py"], "djangojs": ["--extension=js"]}
# Lines that differ on every run (the moment of extraction), not in what is translated.
VOLATILE = re.compile(r'^"POT-Creation-Date: .*\\n"$', re.M)


def shipped_languages(base_dir: Path) -> list[str]:
    """The languages of settings.LANGUAGES but the source, read as Django would (in a subprocess, not imported)."""
    code = "from django.conf import settings; print(' '.join(c for c, _ in settings.LANGUAGES[1:]))"
    answer = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=base_dir,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "organiser.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return answer.stdout.split()


def catalogue_languages(base_dir: Path) -> list[str]:
    """Every language with a catalogue in locale/ (shipped or still being written)."""
    return sorted(path.parent.parent.name for path in (base_dir / "locale").glob("*/LC_MESSAGES/django.po"))


def makemessages(base_dir: Path, languages: list[str]) -> None:
    for domain, extra in DOMAINS.items():
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-d", domain, *extra, *COMMON]
            + [f"--locale={language}" for language in languages],
            cwd=base_dir,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "organiser.settings"},
            check=True,
            capture_output=True,
        )


def compilemessages(base_dir: Path) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "compilemessages", "--ignore=.venv", "--ignore=var"],
        cwd=base_dir,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "organiser.settings"},
        check=True,
        capture_output=True,
    )


def catalogues(base_dir: Path) -> dict[str, str]:
    """Every .po file under locale/, with its volatile header lines taken out."""
    return {
        str(path.relative_to(base_dir)): VOLATILE.sub("", path.read_text(encoding="utf-8"))
        for path in sorted((base_dir / "locale").glob("*/LC_MESSAGES/*.po"))
    }


def changes(base_dir: Path = BASE_DIR) -> list[str]:
    """The catalogues makemessages would change (run in a copy of the project; the checkout is not touched)."""
    with tempfile.TemporaryDirectory(prefix="organiser-messages-") as scratch:
        copy = Path(scratch) / "project"
        shutil.copytree(
            base_dir,
            copy,
            symlinks=True,
            ignore=shutil.ignore_patterns(".git", ".venv", "var", "staticfiles", "node_modules", "__pycache__"),
        )
        before = catalogues(copy)
        makemessages(copy, catalogue_languages(copy))
        after = catalogues(copy)
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if makemessages would")
    arguments = parser.parse_args()
    if arguments.check:
        changed = changes()
        for name in changed:
            print(f"makemessages would change {name}: run scripts/messages.py and translate what is new")
        return 1 if changed else 0
    languages = sorted(set(shipped_languages(BASE_DIR)) | set(catalogue_languages(BASE_DIR)))
    makemessages(BASE_DIR, languages)
    compilemessages(BASE_DIR)
    print(f"catalogues of {', '.join(languages)} extracted and compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
